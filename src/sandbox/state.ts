import { createHmac, randomBytes, randomInt } from 'node:crypto';
import { isRecord } from '../core/is-record.js';

/** The sandbox's in-memory world. */

export interface SandboxAccount {
  userId: string;
  apiKey: string;
  sentFingerprint: string;
  fingerprint: string; // the server's fp_ name
  platform: string;
  hostname: string;
  createdAt: string;
  calls: number[]; // timestamps of authenticated calls
  claim?: { code: string; expiresAt: number; startedAt: number; email: string; wrongTries: number; locked: boolean };
  claimedBy?: { email: string; userId: string; at: string };
}

export interface SandboxAgent {
  id: string;
  name: string | null;
  agentHash: string;
  /** Who owns it; null for an agent the gateway created on its first call and nobody claimed yet. */
  principal: string | null;
  createdAt: string;
  cardId: string | null;
  policyCreated: boolean;
  claimedAt: string | null;
  orgId: string | null;
  /** A gateway agent created inside an organisation can be claimed only by its members. */
  requiredOrgId?: string | null;
  lastSeen: string | null;
  rekeyedAt?: string;
}

export interface IdempotentReply {
  bodyText: string;
  status: number;
  response: unknown;
}

const SECRET = randomBytes(32);
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export const hex = (bytes: number): string => randomBytes(bytes).toString('hex');
export const base62 = (length: number): string => Array.from({ length }, () => BASE62[randomInt(BASE62.length)]).join('');
export const sixDigits = (): string => String(randomInt(0, 1_000_000)).padStart(6, '0');
export const keyedHex = (value: string): string => createHmac('sha256', SECRET).update(value).digest('hex');

/** What `sandbox --state FILE` keeps between runs: accounts, agents and idempotent replies. */
interface SavedState {
  version: 1;
  /** The port it last listened on: the next start takes it again, since t0ken keys accounts by API URL. */
  port?: number;
  accounts: SandboxAccount[];
  agents: SandboxAgent[];
  idempotency: [string, IdempotentReply][];
}

export class SandboxState {
  readonly accountsBySentFp = new Map<string, SandboxAccount>();
  readonly accountsByKey = new Map<string, SandboxAccount>();
  readonly accountsByFp = new Map<string, SandboxAccount>();
  readonly agents: SandboxAgent[] = [];
  readonly idempotency = new Map<string, IdempotentReply>(); // principal + key
  readonly mnemomCalls = new Map<string, number[]>(); // principal -> timestamps, for the rate limit
  port: number | undefined;
  /** The person's account each email stands for: every machine account claimed with one email merges into it. */
  readonly humansByEmail = new Map<string, string>();

  humanFor(email: string): string {
    const key = email.toLowerCase();
    let userId = this.humansByEmail.get(key);
    if (!userId) {
      userId = `user_${hex(6)}`;
      this.humansByEmail.set(key, userId);
    }
    return userId;
  }

  register(sentFingerprint: string, platform: string, hostname: string, now: number): { account: SandboxAccount; created: boolean } {
    const existing = this.accountsBySentFp.get(sentFingerprint);
    if (existing) return { account: existing, created: false };
    const account: SandboxAccount = {
      userId: `machine_${hex(6)}`,
      apiKey: `omx_agent_${base62(32)}`,
      sentFingerprint,
      fingerprint: `fp_${keyedHex(`fp:${sentFingerprint}`).slice(0, 32)}`,
      platform,
      hostname,
      createdAt: new Date(now).toISOString(),
      calls: [],
    };
    this.add(account);
    return { account, created: true };
  }

  private add(account: SandboxAccount): void {
    this.accountsBySentFp.set(account.sentFingerprint, account);
    this.accountsByKey.set(account.apiKey, account);
    this.accountsByFp.set(account.fingerprint, account);
  }

  toJSON(): SavedState {
    return { version: 1, ...(this.port === undefined ? {} : { port: this.port }), accounts: [...this.accountsBySentFp.values()], agents: this.agents, idempotency: [...this.idempotency] };
  }

  /** A state saved by toJSON; undefined for text that is not one (the caller refuses to overwrite it). */
  static fromJSON(text: string): SandboxState | undefined {
    let saved: Partial<SavedState>;
    try {
      saved = JSON.parse(text) as Partial<SavedState>;
    } catch {
      return undefined;
    }
    if (saved?.version !== 1 || !Array.isArray(saved.accounts) || !Array.isArray(saved.agents) || !Array.isArray(saved.idempotency)) return undefined;
    const state = new SandboxState();
    if (Number.isInteger(saved.port)) state.port = saved.port;
    for (const account of saved.accounts) {
      if (!isSavedAccount(account)) return undefined;
      state.add({ ...account, calls: Array.isArray(account.calls) ? account.calls.filter((at) => typeof at === 'number') : [] });
    }
    // Every entry is checked before the first request: one the routes cannot read answered 500 to each.
    if (!saved.agents.every(isSavedAgent) || !saved.idempotency.every(isSavedReply)) return undefined;
    state.agents.push(...saved.agents);
    for (const [slot, answer] of saved.idempotency) state.idempotency.set(slot, answer);
    return state;
  }
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isStringOrNull = (value: unknown): boolean => value === null || typeof value === 'string';
const isOptional = (value: unknown, check: (value: unknown) => boolean): boolean => value === undefined || check(value);

function isSavedAccount(value: unknown): value is SandboxAccount {
  if (!isRecord(value)) return false;
  const { claim, claimedBy } = value;
  return ['userId', 'apiKey', 'sentFingerprint', 'fingerprint', 'platform', 'hostname', 'createdAt'].every((key) => isString(value[key])) &&
    isOptional(claim, (c) => isRecord(c) && isString(c.code) && isString(c.email) && typeof c.expiresAt === 'number' && typeof c.startedAt === 'number' && typeof c.wrongTries === 'number' && typeof c.locked === 'boolean') &&
    isOptional(claimedBy, (c) => isRecord(c) && isString(c.email) && isString(c.userId) && isString(c.at));
}

function isSavedAgent(value: unknown): value is SandboxAgent {
  if (!isRecord(value)) return false;
  return isString(value.id) && isString(value.agentHash) && isString(value.createdAt) && typeof value.policyCreated === 'boolean' &&
    ['name', 'principal', 'cardId', 'claimedAt', 'orgId', 'lastSeen'].every((key) => isStringOrNull(value[key])) &&
    isOptional(value.requiredOrgId, isStringOrNull) && isOptional(value.rekeyedAt, isString);
}

function isSavedReply(value: unknown): value is [string, IdempotentReply] {
  return Array.isArray(value) && value.length === 2 && isString(value[0]) && isRecord(value[1]) && isString(value[1].bodyText) && Number.isInteger(value[1].status);
}
