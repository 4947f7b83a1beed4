// Which environment variables a stored identity becomes, and how to print them for a shell or a
// .env file. Pure: the caller reads the store and the environment.
import { usageError } from './errors.js';
import { quoteGiven } from './mask.js';
import { changedBySanitizeBlock } from './sanitize.js';
import { dotenvQuote, dotenvUnrepresentable, fishQuote, shQuote } from './quote.js';

export type IdentityScope = 't0ken' | 'mnemom';
export const IDENTITY_SCOPES: readonly IdentityScope[] = ['t0ken', 'mnemom'];

/** `--only`'s value: undefined (both) when absent, else t0ken or mnemom; anything else is exit 2. */
export function identityScope(value: unknown): IdentityScope | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && (IDENTITY_SCOPES as readonly string[]).includes(value)) return value as IdentityScope;
  throw usageError(`--only takes t0ken or mnemom, not ${quoteGiven(String(value), 20)}`, 'For example: t0ken exec --only t0ken -- my-agent');
}

export interface IdentityRecords {
  /** The t0ken key (T0KEN_API_KEY from the environment, or the stored account's) and its API base URL. */
  t0ken?: { apiKey: string; baseUrl: string };
  /** The Mnemom key (MNEMOM_API_KEY from the environment, or the stored one). */
  mnemom?: { apiKey: string };
}

/**
 * The variables, in a fixed order: T0KEN_API_KEY and MEMORYX_API_KEY (what the MemoryX MCP server
 * reads: with it set it uses this account instead of registering its own; the SDKs read their own
 * files, see core/memoryx-clients.ts), MEMORYX_URL
 * only for a non-default API (the base URL without its final /v1, as the MemoryX clients append it),
 * MNEMOM_API_KEY. Empty when there is nothing to hand over.
 */
export function identityVariables(records: IdentityRecords, defaultT0kenUrl: string, only?: IdentityScope): Record<string, string> {
  const vars: Record<string, string> = {};
  if (records.t0ken && only !== 'mnemom') {
    vars.T0KEN_API_KEY = records.t0ken.apiKey;
    vars.MEMORYX_API_KEY = records.t0ken.apiKey;
    if (records.t0ken.baseUrl !== defaultT0kenUrl) vars.MEMORYX_URL = memoryxUrl(records.t0ken.baseUrl);
  }
  if (records.mnemom && only !== 't0ken') vars.MNEMOM_API_KEY = records.mnemom.apiKey;
  return vars;
}

/** `https://host/api/v1` → `https://host/api`; a URL without a final /v1 is kept as it is. */
export function memoryxUrl(baseUrl: string): string {
  return baseUrl.replace(/\/v1\/*$/, '');
}

/** The child's environment: a copy of ours plus the identity, and T0KEN_EXEC=1 marking it. */
export function childEnvironment(parent: NodeJS.ProcessEnv, vars: Readonly<Record<string, string>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(parent)) if (value !== undefined) env[name] = value;
  return { ...env, ...vars, T0KEN_EXEC: '1' };
}

// ---------------------------------------------------------------------------------------------
// Printing them: `t0ken env --format sh|fish|dotenv|json`.

export type EnvFormat = 'sh' | 'fish' | 'dotenv' | 'json';
export const ENV_FORMATS: readonly EnvFormat[] = ['sh', 'fish', 'dotenv', 'json'];

/** A value the chosen format cannot carry faithfully (dotenv and a newline, say). */
export class UnrepresentableValueError extends Error {
  /** onlyJson: no text format carries it (a control character), only --format json. */
  constructor(readonly variable: string, readonly format: EnvFormat, reason: string, readonly onlyJson = false) {
    super(`${variable} cannot be written as ${format}: ${reason}`);
  }
}

/** A value for a .env file, or the reason it cannot be one (see core/quote.ts). */
export function dotenvValue(variable: string, value: string): string {
  const why = dotenvUnrepresentable(value);
  if (why) throw new UnrepresentableValueError(variable, 'dotenv', why);
  return dotenvQuote(value);
}

export function formatVariables(vars: Readonly<Record<string, string>>, format: EnvFormat): string {
  const entries = Object.entries(vars);
  for (const [name, value] of entries) {
    if (value.includes('\0')) throw new UnrepresentableValueError(name, format, 'it contains a NUL byte');
    // Text output passes sanitizeBlock on its way to the terminal: it would silently print another value.
    if (format !== 'json' && changedBySanitizeBlock(value)) {
      throw new UnrepresentableValueError(name, format, 'it contains control or invisible characters (an escape, a carriage return…) that t0ken never prints as text', true);
    }
  }
  switch (format) {
    case 'json':
      return `${JSON.stringify(vars, null, 2)}\n`;
    case 'fish':
      return entries.map(([name, value]) => `set -gx ${name} ${fishQuote(value)};\n`).join('');
    case 'dotenv':
      return entries.map(([name, value]) => `${name}=${dotenvValue(name, value)}\n`).join('');
    default:
      return entries.map(([name, value]) => `export ${name}=${shQuote(value)}\n`).join('');
  }
}
