import type { Context } from '../context.js';
import { quoteGiven } from '../core/mask.js';
import { T0kenApi } from '../api/t0ken.js';
import { CliError, usageError } from '../core/errors.js';
import { memoryxUrl } from '../core/identity-env.js';
import { maskSecret } from '../core/mask.js';
import { carriableInHeader, t0kenKeyForRequests, UNCARRIABLE_SECRET } from '../core/validate.js';
import { PYTHON_SDK_FINGERPRINT } from '../core/python-sdk-fingerprint.js';
import type { IdentityClaim } from '../store/schema.js';
import type { ConfigStore } from '../store/store.js';
import { clientIdentities, t0kenIdentity, type FoundIdentity } from './memoryx-identities.js';
import { resolveHostname, servicePlatform } from './machine.js';
import { storeFor } from './store.js';

/**
 * `claim --fingerprint` / `verify --fingerprint`: another MemoryX identity on this machine (a
 * client's own account, found in its file or a backup `link` kept) claimed with its own key, so one
 * email gathers every pool. Its pending claim is kept in t0ken's config under `identity_claims`.
 */

export interface IdentitySession {
  baseUrl: string;
  /** The fingerprint the client sent (what its file and `whoami --all` show). */
  fingerprint: string;
  identity: FoundIdentity & { apiKey: string };
  store: ConfigStore;
  api: T0kenApi;
  /** What t0ken recorded for it by an earlier `claim --fingerprint`. */
  recorded: IdentityClaim | undefined;
}

/** Finds the identity with this fingerprint (not t0ken's own account) and a client authenticated as it. */
export async function openIdentitySession(ctx: Context, fingerprint: string): Promise<IdentitySession> {
  if (!PYTHON_SDK_FINGERPRINT.test(fingerprint)) {
    throw usageError(`--fingerprint takes a MemoryX client's fingerprint (32 lowercase hex characters), not ${quoteGiven(fingerprint)}`, '`t0ken whoami --all` lists the identities on this machine and their fingerprints.');
  }
  t0kenKeyForRequests(ctx.env); // a T0KEN_API_KEY no request can carry: exit 2, before anything is compared or sent
  const baseUrl = ctx.t0kenBaseUrl();
  const t0ken = await t0kenIdentity(ctx);
  const all = clientIdentities(ctx, t0ken).filter((found) => found.machine_fingerprint === fingerprint && found.apiKey);
  const others = [...new Map(all.filter((found) => !found.same_account).map((found) => [found.apiKey, found])).values()];
  if (others.length === 0) {
    if (all.length > 0) throw usageError(`the identity with fingerprint ${fingerprint} holds this machine's own t0ken account`, 'Claim it with `t0ken claim --email you@example.com` (no --fingerprint).');
    throw usageError(`no MemoryX identity with fingerprint ${fingerprint} was found on this machine`, '`t0ken whoami --all` lists the identities t0ken found and their fingerprints.');
  }
  if (others.length > 1) {
    const list = others.map((found) => `${found.path} (user ${found.user_id ?? 'unknown'}, key ${found.api_key_masked})`).join('; ');
    throw usageError(`${others.length} accounts on this machine carry fingerprint ${fingerprint}: ${list}`, 'Move aside the files of the accounts you do not want to claim, then run the command again.');
  }
  const identity = others[0] as FoundIdentity & { apiKey: string };
  const registeredAt = identity.base_url ?? memoryxUrl(baseUrl);
  if (registeredAt !== memoryxUrl(baseUrl)) {
    throw usageError(
      `the identity in ${identity.path} belongs to ${registeredAt}, not to the API t0ken is using (${baseUrl})`,
      `Claim it against its own API: T0KEN_API_URL=${registeredAt}/v1 t0ken claim --fingerprint ${fingerprint} …`,
    );
  }
  if (!carriableInHeader(identity.apiKey)) {
    // sent, it failed as a network error after three attempts
    throw new CliError('local_state', `the API key in ${identity.path} ${UNCARRIABLE_SECRET}`, {
      hint: 'Restore that file from a backup (`t0ken whoami --all` lists the ones `link` kept), or move it aside.',
    });
  }
  const store = storeFor(ctx);
  const recorded = store.read().identity_claims?.[baseUrl]?.[fingerprint];
  const api = new T0kenApi({ baseUrl, timeoutMs: ctx.timeoutMs, env: ctx.env, apiKey: identity.apiKey, trace: ctx.trace });
  return { baseUrl, fingerprint, identity, store, api, recorded };
}

/**
 * The service's name for the identity's machine account. The client kept only the fingerprint it
 * sent; auto-register, which the service answers with the same account for the same fingerprint,
 * says the name, and that the account is the one the file's key belongs to.
 */
export async function serverFingerprint(ctx: Context, session: IdentitySession): Promise<{ server_fingerprint: string; user_id: string }> {
  if (session.recorded) return { server_fingerprint: session.recorded.server_fingerprint, user_id: session.recorded.user_id };
  const answer = await session.api.autoRegister({ machine_fingerprint: session.fingerprint, platform: servicePlatform(), hostname: resolveHostname(undefined).hostname || undefined });
  if (answer.api_key !== session.identity.apiKey) {
    throw new CliError('conflict', `the service answers fingerprint ${session.fingerprint} with another account (user ${answer.user_id}, key ${maskSecret(answer.api_key)}) than the one in ${session.identity.path} (key ${session.identity.api_key_masked}); nothing was claimed`, {
      hint: 'That file\'s key is not the account the service knows for this fingerprint (registered with another API, or rotated). `t0ken whoami --all` shows what each file holds.',
    });
  }
  return { server_fingerprint: answer.machine_fingerprint, user_id: answer.user_id };
}

/** Records (under the lock) what t0ken knows of the identity's claim. */
export function recordIdentityClaim(session: IdentitySession, change: (claim: IdentityClaim) => void, base: { server_fingerprint: string; user_id: string }) {
  return (data: import('../store/schema.js').ConfigData): void => {
    const byApi = (data.identity_claims ??= {});
    const forApi = (byApi[session.baseUrl] ??= {});
    const claim = (forApi[session.fingerprint] ??= { ...base, api_key_masked: session.identity.api_key_masked ?? '' });
    change(claim);
  };
}
