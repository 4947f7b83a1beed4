import { usageError } from './errors.js';
import { quoteGiven } from './mask.js';
import { FORMAT_CHARACTERS, sanitizeText } from './sanitize.js';

/** What the t0ken service issues as a key (schemas.ts holds its answer to it): printable ASCII, no spaces. */
export const API_KEY_PATTERN = /^[\x21-\x7e]{8,512}$/;

/** Whether a secret can go into an HTTP header as it is: printable ASCII without spaces. */
export const carriableInHeader = (secret: string): boolean => /^[\x21-\x7e]+$/.test(secret);
/** Why a stored secret that `carriableInHeader` refuses cannot be used: `${what} is damaged: …`. */
export const UNCARRIABLE_SECRET = 'is damaged: it holds spaces, control or non-ASCII characters, which no request can carry';

/**
 * T0KEN_API_KEY for a request, or undefined when it is unset. A value no request can carry (a line
 * end, a space, a control character: a key read from a file written on Windows ends in \r) is a
 * usage error here; sent, it failed as a network error, retried, pointing at the proxy. `token`,
 * `env` and `exec` hand the variable on as it is (their own checks say what they do with it).
 */
export function t0kenKeyForRequests(env: NodeJS.ProcessEnv): string | undefined {
  const key = env.T0KEN_API_KEY;
  if (!key) return undefined;
  if (!API_KEY_PATTERN.test(key)) {
    throw usageError('T0KEN_API_KEY is not an API key: it holds spaces or control characters, or is not 8 to 512 characters long', 'Set it to the key `t0ken token` prints where the machine registered, or unset it to use the stored key.');
  }
  return key;
}

export const AGENT_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9-]{0,30}[a-zA-Z0-9]$/;
/** Mnemom agent ids: `smolt-` + 8 hex (legacy, and gateway-created) or `mnm-` + a UUID. */
export const AGENT_ID_PATTERN = /^(smolt-[0-9a-f]{8}|mnm-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
const ORG_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const CODE_PATTERN = /^\d{6}$/;

export function validateAgentName(name: string): string {
  if (!AGENT_NAME_PATTERN.test(name)) {
    throw usageError(
      `invalid agent name ${quoteGiven(name)}: use 2 to 32 letters, digits or hyphens, starting and ending with a letter or digit`,
      'Pass a name like --name my-agent.',
    );
  }
  return name;
}

export function validateAgentId(id: string): string {
  if (!AGENT_ID_PATTERN.test(id)) {
    throw usageError(
      `invalid agent id ${quoteGiven(id)}: expected smolt- and 8 hex digits, or mnm- and a UUID`,
      'Copy the id from `t0ken agent list` or from the gateway, e.g. smolt-1a2b3c4d.',
    );
  }
  return id;
}

export function validateOrgId(org: string): string {
  if (!ORG_ID_PATTERN.test(org)) {
    throw usageError(`invalid --org ${quoteGiven(org)}: an organisation id is letters, digits and - _ . : (at most 128)`, 'Pass the org_id that a refused claim listed, e.g. --org org-1234.');
  }
  return org;
}

export function validateEmail(email: string): string {
  const trimmed = email.trim();
  const problem = emailProblem(trimmed);
  if (problem !== undefined) {
    throw usageError(`invalid email address ${quoteGiven(trimmed)}: ${problem}`, 'Pass an address like --email you@example.com.');
  }
  return trimmed;
}

/**
 * Why an address is not one a mail service would accept, or undefined when it is fine: RFC 5321/5322
 * dot-atom rules, as mail services apply them (RFC 6531 allows non-ASCII letters too), no quoted
 * local parts, no address literals.
 */
export function emailProblem(address: string): string | undefined {
  // Here, not at the top of the module: V8 builds a \p{…} literal where it is first evaluated, and
  // these two cost about 0.7 ms, which every command paid at start-up for the one that checks emails.
  const LOCAL_ATOM = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+$/u;
  const DOMAIN_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;
  if (address.length > 254) return `it is ${address.length} characters long; an address has at most 254`;
  const at = address.lastIndexOf('@');
  if (at < 0) return 'it has no @';
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (local.includes('@')) return 'it has more than one @';
  if (local === '') return 'nothing before the @';
  if (local.length > 64) return `the part before the @ is ${local.length} characters long; at most 64`;
  if (local.startsWith('.') || local.endsWith('.')) return 'the part before the @ starts or ends with a dot';
  if (local.includes('..')) return 'two dots in a row before the @';
  if (!local.split('.').every((atom) => LOCAL_ATOM.test(atom))) return 'the part before the @ holds a space, a quote or another character addresses cannot have';
  if (domain === '') return 'nothing after the @';
  if (domain.startsWith('[')) return 'IP address literals are not accepted; use a domain name';
  const labels = domain.split('.');
  if (labels.length < 2) return `the domain ${quoteGiven(domain)} has no dot`;
  if (labels.some((label) => label === '')) return 'the domain has an empty part (two dots in a row, or a dot at an end)';
  if (!labels.every((label) => DOMAIN_LABEL.test(label))) return 'each part of the domain must be letters, digits or inner hyphens, up to 63 characters';
  if (/^\d+$/.test(labels[labels.length - 1]!)) return 'the domain ends in a number (IP addresses are not accepted)';
  return undefined;
}

/** Six digits, as `claim` stores and the service sends. */
export const isVerificationCode = (code: string): boolean => CODE_PATTERN.test(code.trim());

export function validateVerificationCode(code: string): string {
  if (!isVerificationCode(code)) {
    throw usageError('the verification code must be exactly 6 digits', 'Pass the code from `t0ken claim`, e.g. --code 123456.');
  }
  return code.trim();
}

/** Parses `--timeout <seconds>` into milliseconds. */
export function parseTimeoutSeconds(raw: string): number {
  const seconds = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw.trim()) || !Number.isFinite(seconds) || seconds <= 0 || seconds > 600) {
    throw usageError(`invalid --timeout ${quoteGiven(raw)}: give seconds above 0 and at most 600`, 'For example --timeout 30.');
  }
  return Math.round(seconds * 1000);
}

export function parsePort(raw: string): number {
  const port = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw usageError(`invalid --port ${quoteGiven(raw)}: give a number from 0 to 65535`, 'Use --port 0 for a free port.');
  }
  return port;
}

// Control characters (Cc), format characters (Cf) and white space.
const HOSTNAME_UNSAFE = new RegExp(`[\\u0000-\\u001f\\u007f-\\u009f${FORMAT_CHARACTERS}\\s]`, 'u');

/** What `register` accepts as a hostname: 1 to 255 characters, no space, no control character. */
export const isHostnameLabel = (value: string): boolean => value.length > 0 && value.length <= 255 && !HOSTNAME_UNSAFE.test(value);

/** Any string made into such a label: control and invisible characters dropped, spaces as `-` ('' when nothing is left). */
export const hostnameLabel = (value: string): string =>
  sanitizeText(value).trim().replace(/\s+/gu, '-').slice(0, 255);
