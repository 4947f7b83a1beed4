/** Removes secrets from anything printed in a --debug trace. */

const SECRET_HEADERS = new Set(['x-api-key', 'authorization', 'x-mnemom-api-key', 'proxy-authorization', 'cookie', 'set-cookie']);
const SECRET_FIELD = /(api_?key|token|secret|password|authorization|provider_?key)/i;
/**
 * The public prefixes of the keys t0ken knows, longest first so `omx_agent_` wins over `omx_`. A
 * mask shows one of these and nothing else of the key's start: whatever follows (underscores
 * included) is secret.
 */
export const KNOWN_KEY_PREFIXES: readonly string[] = ['omx_agent_', 'omx_', 'mx_m_', 'mnm_', 'sk-ant-', 'sk-'];

// Shapes of the keys t0ken handles, wherever they appear in free text.
const SECRET_PATTERNS: readonly RegExp[] = [
  /(?:omx_|mx_m_|mnm_)[A-Za-z0-9_-]+/g,
  /\bsk-[A-Za-z0-9_-]{12,}/g,
  /Bearer\s+[A-Za-z0-9._~+/=-]+/gi,
];
/**
 * A field's string value in text that is not (or no longer, once cut) a JSON document: the name is
 * tested apart (SECRET_FIELD), so the scan stays linear whatever the text (a pattern with the
 * secret words inside the name's run took minutes on a quote then 300 KB without one).
 */
const FIELD_IN_TEXT = /"([^"\\]*)"(\s*:\s*")(?:[^"\\]|\\.)*("?)/g;
export const REDACTED = '[redacted]';

/**
 * Why a variable must not be written into a file (an MCP entry's env), or undefined: its name says
 * secret (…_API_KEY, …_TOKEN, …_PASSWORD…) or its value has the shape of a key t0ken knows.
 */
export function secretVariable(name: string, value: string): string | undefined {
  // By whole words: TOKENIZERS_PARALLELISM and SSH_AUTH_SOCK are settings, OPENAI_KEY is not.
  if (name.toUpperCase().split(/[^A-Z0-9]+/).some((word) => SECRET_WORDS.has(word))) return 'its name says it holds a secret';
  if (hasKeyShape(value)) return 'its value has the shape of an API key';
  return undefined;
}

/** Words of a variable's name that say it holds a secret: OPENAI_KEY, AWS_SECRET_ACCESS_KEY, DB_PASSWORD. */
const SECRET_WORDS: ReadonlySet<string> = new Set(['KEY', 'KEYS', 'APIKEY', 'TOKEN', 'TOKENS', 'SECRET', 'SECRETS', 'PASSWORD', 'PASSWD', 'PASSPHRASE', 'CREDENTIAL', 'CREDENTIALS', 'AUTHORIZATION', 'PAT', 'JWT']);

/** Whether `text` starts with a known key's prefix or holds a key-shaped string. */
export function hasKeyShape(text: string): boolean {
  const start = text.trimStart();
  // search() ignores the patterns' g flag and leaves their lastIndex alone: no copy of each is needed.
  return KNOWN_KEY_PREFIXES.some((prefix) => start.startsWith(prefix)) || SECRET_PATTERNS.some((pattern) => text.search(pattern) >= 0);
}

export function isSecretHeader(name: string): boolean {
  return SECRET_HEADERS.has(name.toLowerCase());
}

export function redactHeaders(headers: Iterable<[string, string]>): Array<[string, string]> {
  return [...headers].map(([name, value]) => [name, isSecretHeader(name) ? REDACTED : value]);
}

/** Redacts known secret values and key-shaped strings from text. */
export function redactText(text: string, knownSecrets: readonly string[] = []): string {
  let out = text;
  for (const secret of knownSecrets) {
    if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, REDACTED);
  return out.replace(FIELD_IN_TEXT, (field, name: string, separator: string) => (SECRET_FIELD.test(name) ? `"${name}"${separator}${REDACTED}"` : field));
}

/** Redacts secret-named fields of a JSON body (any depth), then key-shaped strings. */
export function redactBody(text: string, knownSecrets: readonly string[] = []): string {
  let rendered = text;
  try {
    rendered = JSON.stringify(redactValue(JSON.parse(text)));
  } catch {
    // not JSON: fall through to text redaction
  }
  return redactText(rendered, knownSecrets);
}

function redactValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactValue);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, SECRET_FIELD.test(key) && typeof inner === 'string' ? REDACTED : redactValue(inner)]),
    );
  }
  return value;
}
