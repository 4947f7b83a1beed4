import { jsonTooDeep, TOO_DEEP } from '../core/json-depth.js';
import { jsonProblem } from '../core/json-position.js';
import { isRecord } from '../core/is-record.js';

/**
 * The config file format, its validation and its migrations. This module owns the format: the
 * read-only path and the conf-backed write path both go through `parseConfig`.
 */

export const CONFIG_VERSION = 2;

export interface PendingClaim {
  email: string;
  verification_code: string;
  expires_at: string;
  started_at: string;
}

export interface ClaimRecord {
  merged_to_user_id: string; // '' when unknown (source 'service')
  claimed_at: string;
  email: string;             // '' when unknown
  /** 'verify': this machine completed it; 'service': the service answered "already claimed" (409). */
  source?: 'verify' | 'service';
}

/**
 * Where a secret lives when it is not in this file: an entry of the OS keychain. `account` is
 * `t0ken:<base url>` or `mnemom:<base url>`, `service` always `t0ken`.
 */
export interface SecretRef {
  store: 'keyring';
  service: 't0ken';
  account: string;
}

/**
 * A record holds its secret in exactly one of `api_key` (this file) or `api_key_ref` (the keychain).
 * Both are optional in the type so that nothing reads `api_key` directly: secrets are read through
 * src/identity/credentials.ts, which knows both homes.
 */
export interface SecretHolder {
  api_key?: string;
  api_key_ref?: SecretRef;
  /** Beside a reference: the key as people see it (`omx_agent_…x9Qa`), so whoami need not ask the keychain. */
  api_key_masked?: string;
}

export interface T0kenAccount extends SecretHolder {
  user_id: string;
  project_id: string;
  machine_fingerprint: string;   // the server's fp_ name: every later call uses it
  local_fingerprint: string;     // what this machine derived when it registered
  fingerprint_source: string;
  hostname: string;
  created_at: string;
  registered_at: string;
  pending_claim?: PendingClaim;
  claim?: ClaimRecord;
}

export interface MnemomCredential extends SecretHolder {
  saved_at: string;
}

/**
 * A claim started for another MemoryX identity on this machine (`claim --fingerprint`: a MemoryX
 * client's own account, whose key stays in that client's file). Keyed by API base URL, then by the
 * fingerprint the client sent.
 */
export interface IdentityClaim {
  /** The service's name for that machine account (its auto-register answer): claim calls use it. */
  server_fingerprint: string;
  user_id: string;
  api_key_masked: string;
  pending_claim?: PendingClaim;
  claim?: ClaimRecord;
}

export interface ConfigData {
  version: number;
  t0ken: Record<string, T0kenAccount>;
  mnemom: Record<string, MnemomCredential>;
  identity_claims?: Record<string, Record<string, IdentityClaim>>;
}

export const emptyConfig = (): ConfigData => ({ version: CONFIG_VERSION, t0ken: {}, mnemom: {} });

/** Thrown for content that is not a config we understand; the caller maps it to exit 7. */
export class ConfigFormatError extends Error {}

/** A config.json a newer t0ken wrote: not corrupt, only ahead of this one. */
export class NewerConfigError extends ConfigFormatError {
  /** What the file is, to follow its name: `was written by a newer t0ken (…)`. */
  readonly written: string;
  constructor(readonly version: number) {
    const written = `was written by a newer t0ken (format version ${version}; this one reads up to ${CONFIG_VERSION})`;
    super(`it ${written}`);
    this.written = written;
  }
}

type Rec = Record<string, unknown>;

function requireStrings(value: unknown, where: string, required: readonly string[], optional: readonly string[] = []): Rec {
  if (!isRecord(value)) throw new ConfigFormatError(`${where} is not an object`);
  for (const key of required) {
    if (typeof value[key] !== 'string') throw new ConfigFormatError(`${where}.${key} is missing or not a string`);
  }
  for (const key of optional) {
    if (value[key] !== undefined && typeof value[key] !== 'string') throw new ConfigFormatError(`${where}.${key} is not a string`);
  }
  return value;
}

const ACCOUNT_FIELDS = ['user_id', 'project_id', 'machine_fingerprint', 'local_fingerprint', 'fingerprint_source', 'hostname', 'created_at', 'registered_at'] as const;

/** Exactly one home for the secret: `api_key` here, or `api_key_ref` to a keychain entry. */
function checkSecret(record: Rec, where: string): void {
  const hasKey = record.api_key !== undefined;
  const hasRef = record.api_key_ref !== undefined;
  if (hasKey === hasRef) throw new ConfigFormatError(`${where} must have exactly one of api_key and api_key_ref`);
  if (record.api_key_masked !== undefined && typeof record.api_key_masked !== 'string') throw new ConfigFormatError(`${where}.api_key_masked is not a string`);
  if (hasKey) {
    if (typeof record.api_key !== 'string') throw new ConfigFormatError(`${where}.api_key is not a string`);
    return;
  }
  const ref = requireStrings(record.api_key_ref, `${where}.api_key_ref`, ['store', 'service', 'account']);
  if (ref.store !== 'keyring' || ref.service !== 't0ken' || !/^(t0ken|mnemom):\S+$/.test(ref.account as string)) {
    throw new ConfigFormatError(`${where}.api_key_ref is not a keychain reference t0ken understands`);
  }
}

function checkAccount(value: unknown, where: string): T0kenAccount {
  const account = requireStrings(value, where, ACCOUNT_FIELDS);
  checkSecret(account, where);
  if (account.pending_claim !== undefined) {
    requireStrings(account.pending_claim, `${where}.pending_claim`, ['email', 'verification_code', 'expires_at', 'started_at']);
  }
  if (account.claim !== undefined) {
    requireStrings(account.claim, `${where}.claim`, ['merged_to_user_id', 'claimed_at', 'email']);
  }
  return account as unknown as T0kenAccount;
}

function checkIdentityClaim(value: unknown, where: string): IdentityClaim {
  const record = requireStrings(value, where, ['server_fingerprint', 'user_id', 'api_key_masked']);
  if (record.pending_claim !== undefined) requireStrings(record.pending_claim, `${where}.pending_claim`, ['email', 'verification_code', 'expires_at', 'started_at']);
  if (record.claim !== undefined) requireStrings(record.claim, `${where}.claim`, ['merged_to_user_id', 'claimed_at', 'email']);
  return record as unknown as IdentityClaim;
}

function checkMnemom(value: unknown, where: string): MnemomCredential {
  const record = requireStrings(value, where, ['saved_at']);
  checkSecret(record, where);
  return record as unknown as MnemomCredential;
}

function checkSection<T>(value: unknown, name: string, check: (v: unknown, where: string) => T): Record<string, T> {
  if (value === undefined) return {};
  if (!isRecord(value)) throw new ConfigFormatError(`"${name}" is not an object`);
  const out: Record<string, T> = {};
  for (const [url, entry] of Object.entries(value)) out[url] = check(entry, `${name}[${JSON.stringify(url)}]`);
  return out;
}

/** Migrations from older versions, applied in order. Version 0 is a file written before `version` existed. */
const MIGRATIONS: Record<number, (data: Rec) => Rec> = {
  0: (data) => ({ ...data, version: 1 }),
  // Version 2 lets a record point at a keychain entry (api_key_ref) instead of holding api_key.
  // Every version-1 record holds its key in the file, which version 2 still reads as it is.
  1: (data) => ({ ...data, version: 2 }),
};

/** Parses and validates file text. Unknown top-level keys are kept for forward compatibility. */
export function parseConfig(text: string): ConfigData {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a UTF-8 byte-order mark (an editor's) is valid
  if (text.trim() === '') throw new ConfigFormatError('the file is empty');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ConfigFormatError(`invalid JSON (${jsonProblem(text)})`); // V8's own words differ from one Node line to the next
  }
  if (!isRecord(raw)) throw new ConfigFormatError('the top level is not a JSON object');
  if (jsonTooDeep(text)) throw new ConfigFormatError(TOO_DEEP); // a write would overflow the stack
  let data: Rec = raw;
  const version = data.version ?? 0;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) throw new ConfigFormatError('"version" is not a whole number');
  if (version > CONFIG_VERSION) {
    throw new NewerConfigError(version);
  }
  for (let v = version; v < CONFIG_VERSION; v++) data = MIGRATIONS[v]!(data);
  const parsed: ConfigData = {
    ...data,
    version: CONFIG_VERSION,
    t0ken: checkSection(data.t0ken, 't0ken', checkAccount),
    mnemom: checkSection(data.mnemom, 'mnemom', checkMnemom),
  };
  if (data.identity_claims !== undefined) {
    parsed.identity_claims = checkSection(data.identity_claims, 'identity_claims', (api, where) => checkSection(api, where, checkIdentityClaim));
  }
  return parsed;
}

export const serializeConfig = (data: ConfigData): string => `${JSON.stringify(data, null, 2)}\n`;
