import { API_KEY_PATTERN } from '../core/validate.js';

/**
 * Shape checks for every 2xx answer. A check returns the value typed, or throws SchemaError naming
 * the first field that is wrong; the HTTP layer turns that into exit 5 and nothing is stored.
 */

export class SchemaError extends Error {}

export type Check<T> = (value: unknown, path: string) => T;

const fail = (path: string, expected: string, value: unknown): never => {
  const got = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  throw new SchemaError(`${path || 'the answer'} should be ${expected} (got ${got})`);
};

export const str: Check<string> = (v, p) => (typeof v === 'string' ? v : fail(p, 'a string', v));
export const nonEmpty: Check<string> = (v, p) => (typeof v === 'string' && v.trim() !== '' ? v : fail(p, 'a non-empty string', v));
export const num: Check<number> = (v, p) => (typeof v === 'number' && Number.isFinite(v) ? v : fail(p, 'a number', v));
export const bool: Check<boolean> = (v, p) => (typeof v === 'boolean' ? v : fail(p, 'a boolean', v));
export const matching = (pattern: RegExp, label: string): Check<string> => (v, p) =>
  typeof v === 'string' && pattern.test(v) ? v : fail(p, label, v);
/** A `success` flag a 2xx answer may carry: absent or true; `false` means the service did not do it. */
export const notFalse: Check<true | undefined> = (v, p) => (v === undefined || v === true ? v : fail(p, 'true', v));
export const isoDate: Check<string> = (v, p) =>
  typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? v : fail(p, 'a date', v);

export const optional = <T>(check: Check<T>): Check<T | undefined> => (v, p) => (v === undefined ? undefined : check(v, p));
export const nullable = <T>(check: Check<T>): Check<T | null | undefined> => (v, p) => (v === null || v === undefined ? v : check(v, p));

type Shape = Record<string, Check<unknown>>;
type FromShape<S extends Shape> = { [K in keyof S]: ReturnType<S[K]> };

/** An object with at least these fields; extra fields are kept (services add fields over time). */
export const object = <S extends Shape>(shape: S): Check<FromShape<S> & Record<string, unknown>> => (v, p) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(p, 'an object', v);
  const record = v as Record<string, unknown>;
  for (const [key, check] of Object.entries(shape)) check(record[key], p ? `${p}.${key}` : key);
  return record as FromShape<S> & Record<string, unknown>;
};

export const array = <T>(item: Check<T>): Check<T[]> => (v, p) => {
  if (!Array.isArray(v)) return fail(p, 'an array', v);
  v.forEach((entry, i) => item(entry, `${p}[${i}]`));
  return v as T[];
};

/** The t0ken envelope `{success: true, data}`. */
export const t0kenEnvelope = <T>(data: Check<T>): Check<T> => (v, p) => {
  const body = object({ success: bool, data: (x, q) => x })(v, p);
  if (body.success !== true) return fail('success', 'true', body.success);
  return data(body.data, 'data');
};

const FP = /^fp_[A-Za-z0-9_-]{1,128}$/;

export const autoRegisterData = object({
  user_id: nonEmpty,
  // Printable ASCII only: `token`, `env` and `exec` hand the key on byte for byte, so a key holding an
  // escape sequence would reach a terminal or a shell; such an answer is malformed and nothing is stored.
  api_key: matching(API_KEY_PATTERN, 'an API key (printable characters)'),
  project_id: nonEmpty,
  is_machine_account: bool,
  machine_fingerprint: matching(FP, 'a fp_… fingerprint'),
  created_at: isoDate,
});
export type AutoRegisterData = ReturnType<typeof autoRegisterData>;

export const claimInitData = object({
  verification_code: matching(/^\d{6}$/, 'a 6-digit code'),
  expires_at: isoDate,
});
export type ClaimInitData = ReturnType<typeof claimInitData>;

export const claimVerifyData = object({
  message: str,
  merged_to_user_id: nonEmpty,
});
export type ClaimVerifyData = ReturnType<typeof claimVerifyData>;

export const machineStatsData = object({
  total_memories: num,
  total_projects: num,
  api_calls_24h: num,
  storage_used: (v, p) => (typeof v === 'string' || typeof v === 'number' ? v : fail(p, 'a size', v)),
  created_at: isoDate,
});
export type MachineStatsData = ReturnType<typeof machineStatsData>;

export const AGENT_ID = /^(smolt-[0-9a-f]{8}|mnm-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

export const mnemomAgent = object({
  id: matching(AGENT_ID, 'an agent id (smolt-… or mnm-…)'),
  name: str,
  agent_hash: optional(str),
  created_at: optional(isoDate),
});
export type MnemomAgent = ReturnType<typeof mnemomAgent>;

export const createdAgent = object({
  id: matching(AGENT_ID, 'an agent id (smolt-… or mnm-…)'),
  agent_hash: str,
  name: str,
  created_at: isoDate,
  card_id: nullable(str),
  policy_created: optional(bool),
});
export type CreatedAgent = ReturnType<typeof createdAgent>;

export const agentList = object({ agents: array(mnemomAgent) });
export type AgentList = ReturnType<typeof agentList>;

/** `GET /agents/{id}`: only id, agent_hash and created_at are promised; the rest may be absent or null. */
export const agentDetail = object({
  id: matching(AGENT_ID, 'an agent id (smolt-… or mnm-…)'),
  agent_hash: str,
  name: nullable(str),
  user_id: nullable(str),
  email: nullable(str),
  claimed_at: nullable(isoDate),
  last_seen: nullable(isoDate),
  status: nullable(str),
  public: nullable(bool),
  created_at: isoDate,
});
export type AgentDetail = ReturnType<typeof agentDetail>;

/** `POST /agents/{id}/claim`: the contract promises no fields; whatever object comes back is shown. */
export const claimAnswer = object({
  success: notFalse,
  id: nullable(matching(AGENT_ID, 'an agent id (smolt-… or mnm-…)')),
  agent_id: nullable(matching(AGENT_ID, 'an agent id (smolt-… or mnm-…)')),
  claimed_at: nullable(isoDate),
});
export type ClaimAnswer = ReturnType<typeof claimAnswer>;

export const rekeyAnswer = object({
  success: notFalse,
  agent_id: nullable(matching(AGENT_ID, 'an agent id (smolt-… or mnm-…)')),
  rekeyed_at: nullable(isoDate),
});
export type RekeyAnswer = ReturnType<typeof rekeyAnswer>;
