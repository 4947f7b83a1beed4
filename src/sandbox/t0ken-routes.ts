import { sixDigits, type SandboxAccount, type SandboxState } from './state.js';
import { reply, type Reply } from './http-util.js';

export interface T0kenRules {
  codeTtlMs: number;
  reinitCooldownMs: number;
  maxCodeAttempts: number;
  now: () => number;
}

export interface T0kenRequest {
  method: string;
  tail: string; // the route, e.g. /agents/claim/init
  query: URLSearchParams;
  headers: Record<string, string>;
  body: Record<string, unknown> | undefined;
}

const ok = (data: unknown, status = 200): Reply => reply(status, { success: true, data });
const fail = (status: number, code: string, message: string, headers?: Record<string, string>): Reply =>
  reply(status, { success: false, error: { code, message } }, headers);
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const T0KEN_ROUTES = ['/agents/auto-register', '/agents/claim/init', '/agents/claim/verify', '/agents/machine-stats'] as const;

/** The t0ken machine-account API, as documented, with state. */
export function handleT0ken(state: SandboxState, rules: T0kenRules, req: T0kenRequest): Reply {
  const expected = req.tail === '/agents/machine-stats' ? 'GET' : 'POST';
  if (req.method !== expected) return fail(405, 'method_not_allowed', `use ${expected} for ${req.tail}`);
  if (req.tail === '/agents/auto-register') return autoRegister(state, rules, req.body ?? {});

  const account = authenticate(state, req.headers);
  if (!account) return fail(401, 'unauthorized', 'missing or invalid X-API-Key');
  account.calls.push(rules.now());

  if (req.tail === '/agents/machine-stats') {
    const fp = req.query.get('machine_fingerprint');
    if (!fp) return reply(422, { detail: [{ loc: ['query', 'machine_fingerprint'], msg: 'field required' }] });
    const denied = checkFingerprint(state, account, fp);
    if (denied) return denied;
    return ok(stats(account, rules.now()));
  }

  const body = req.body ?? {};
  const fp = body.machine_fingerprint;
  if (typeof fp !== 'string' || fp === '') return reply(422, { detail: [{ loc: ['body', 'machine_fingerprint'], msg: 'field required' }] });
  const denied = checkFingerprint(state, account, fp);
  if (denied) return denied;
  return req.tail === '/agents/claim/init' ? claimInit(account, rules, body) : claimVerify(state, account, rules, body);
}

function autoRegister(state: SandboxState, rules: T0kenRules, body: Record<string, unknown>): Reply {
  const { machine_fingerprint: fp, platform, hostname } = body;
  if (typeof fp !== 'string' || fp.trim() === '' || fp.length > 128) {
    return reply(422, { detail: [{ loc: ['body', 'machine_fingerprint'], msg: 'must be a non-empty string of at most 128 characters' }] });
  }
  if (platform !== 'macos' && platform !== 'linux' && platform !== 'windows') {
    return reply(422, { detail: [{ loc: ['body', 'platform'], msg: 'must be one of macos, linux, windows' }] });
  }
  if (hostname !== undefined && (typeof hostname !== 'string' || hostname.length > 255)) {
    return reply(422, { detail: [{ loc: ['body', 'hostname'], msg: 'must be a string of at most 255 characters' }] });
  }
  const { account, created } = state.register(fp, platform, typeof hostname === 'string' ? hostname : '', rules.now());
  return ok(
    {
      user_id: account.userId,
      api_key: account.apiKey,
      project_id: 'default',
      is_machine_account: true,
      machine_fingerprint: account.fingerprint,
      created_at: account.createdAt,
    },
    created ? 201 : 200,
  );
}

function authenticate(state: SandboxState, headers: Record<string, string>): SandboxAccount | undefined {
  const key = headers['x-api-key'];
  return key ? state.accountsByKey.get(key) : undefined;
}

function checkFingerprint(state: SandboxState, account: SandboxAccount, fp: string): Reply | undefined {
  const owner = state.accountsByFp.get(fp);
  if (!owner) return fail(404, 'not_found', 'no machine account has this fingerprint');
  if (owner !== account) return fail(403, 'forbidden', 'this API key belongs to another machine');
  return undefined;
}

function claimInit(account: SandboxAccount, rules: T0kenRules, body: Record<string, unknown>): Reply {
  const email = body.email;
  if (typeof email !== 'string' || email.length > 254 || !EMAIL.test(email)) return fail(422, 'invalid_email', 'email must be a valid address');
  if (account.claimedBy) return fail(409, 'already_claimed', 'this machine account is already claimed');
  const now = rules.now();
  const previous = account.claim;
  if (previous && !previous.locked && now - previous.startedAt < rules.reinitCooldownMs) {
    const wait = Math.max(1, Math.ceil((rules.reinitCooldownMs - (now - previous.startedAt)) / 1000));
    return fail(429, 'rate_limited', `a code was sent less than ${Math.round(rules.reinitCooldownMs / 1000)} s ago`, { 'retry-after': String(wait) });
  }
  account.claim = { code: sixDigits(), expiresAt: now + rules.codeTtlMs, startedAt: now, email, wrongTries: 0, locked: false };
  return ok({ verification_code: account.claim.code, expires_at: new Date(account.claim.expiresAt).toISOString() });
}

function claimVerify(state: SandboxState, account: SandboxAccount, rules: T0kenRules, body: Record<string, unknown>): Reply {
  const code = body.verification_code;
  if (typeof code !== 'string' || !/^\d{6}$/.test(code)) {
    return reply(422, { detail: [{ loc: ['body', 'verification_code'], msg: 'must be 6 digits' }] });
  }
  if (account.claimedBy) return fail(409, 'already_claimed', 'this machine account is already claimed');
  const claim = account.claim;
  if (!claim) return fail(404, 'no_pending_claim', 'no claim was started for this machine; call claim/init first');
  if (claim.locked) return fail(410, 'claim_locked', 'too many wrong codes; start a new claim');
  if (rules.now() > claim.expiresAt) return fail(410, 'code_expired', 'the verification code has expired; start a new claim');
  if (code !== claim.code) {
    claim.wrongTries++;
    if (claim.wrongTries >= rules.maxCodeAttempts) {
      claim.locked = true;
      return fail(410, 'claim_locked', 'too many wrong codes; start a new claim');
    }
    const left = rules.maxCodeAttempts - claim.wrongTries;
    return fail(400, 'invalid_code', `wrong verification code; ${left} ${left === 1 ? 'attempt' : 'attempts'} left`);
  }
  // The person's account: every machine account claimed with this email merges into the same one.
  const userId = state.humanFor(claim.email);
  account.claimedBy = { email: claim.email, userId, at: new Date(rules.now()).toISOString() };
  delete account.claim;
  return ok({ message: 'Account claimed successfully', merged_to_user_id: userId });
}

/** The sandbox stores no memories: a new account has none, in its one default project. */
function stats(account: SandboxAccount, now: number): Record<string, unknown> {
  return {
    total_memories: 0,
    total_projects: 1,
    api_calls_24h: account.calls.filter((t) => now - t < 86_400_000).length,
    storage_used: '0KB',
    created_at: account.createdAt,
  };
}
