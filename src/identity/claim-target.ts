import { CliError, isCliError } from '../core/errors.js';
import { sanitizeLine } from '../core/sanitize.js';
import type { Context } from '../context.js';
import type { T0kenApi } from '../api/t0ken.js';
import type { ClaimRecord, ConfigData, PendingClaim } from '../store/schema.js';
import type { ConfigStore } from '../store/store.js';
import { openIdentitySession, recordIdentityClaim, serverFingerprint } from './identity-claim.js';
import { openT0kenSession } from './t0ken-session.js';

/**
 * What `claim` and `verify` act on: this machine's t0ken account (the default), or with
 * --fingerprint another MemoryX identity found on this machine. Both keep their claim state in
 * t0ken's config; the steps (prepare the write, ask the service, store its answer) are the same.
 */

/** Where a target's claim state lives in the config. */
export interface ClaimHolder {
  pending_claim?: PendingClaim;
  claim?: ClaimRecord;
}

export interface ClaimTarget {
  store: ConfigStore;
  api: T0kenApi;
  /** The claim state as read when the target was opened. */
  current: ClaimHolder;
  /** "this machine account", or the identity with its file and user. */
  label: string;
  /** `--fingerprint <fp>` for the commands to suggest, or ''. */
  flag: string;
  /** The service's name for the machine account (claim calls use it). */
  serviceFingerprint(): Promise<string>;
  /** The holder inside `data` (created when the target needs it), or undefined when it is gone (logged out meanwhile). */
  holder(data: ConfigData): ClaimHolder | undefined;
}

export async function openClaimTarget(ctx: Context, fingerprint: string | undefined): Promise<ClaimTarget> {
  if (fingerprint === undefined) {
    const session = await openT0kenSession(ctx);
    return {
      store: session.store,
      api: session.api,
      current: session.account,
      label: 'this machine account',
      flag: '',
      serviceFingerprint: async () => session.account.machine_fingerprint,
      holder: (data) => data.t0ken[session.baseUrl],
    };
  }
  const session = await openIdentitySession(ctx, fingerprint);
  let named: { server_fingerprint: string; user_id: string } | undefined;
  const name = async () => (named ??= await serverFingerprint(ctx, session));
  return {
    store: session.store,
    api: session.api,
    current: session.recorded ?? {},
    label: `the MemoryX account in ${session.identity.path} (user ${sanitizeLine(session.identity.user_id ?? 'unknown')}, key ${session.identity.api_key_masked})`,
    flag: ` --fingerprint ${fingerprint}`,
    serviceFingerprint: async () => (await name()).server_fingerprint,
    holder: (data) => {
      let holder: ClaimHolder | undefined;
      recordIdentityClaim(session, (claim) => (holder = claim), named ?? { server_fingerprint: '', user_id: session.identity.user_id ?? '' })(data);
      return holder;
    },
  };
}

/**
 * One claim request (`claim`'s init, `verify`'s code) for the target. The fingerprint is named first:
 * a MemoryX file whose key is another account's is a conflict of its own (exit 6), not the service's
 * "already claimed". Only the request's own 409 is the service saying "already claimed", and that is
 * recorded, so whoami agrees with it.
 */
export async function requestClaim<T>(target: ClaimTarget, now: number, send: (machineFingerprint: string) => Promise<T>): Promise<T> {
  const machineFingerprint = await target.serviceFingerprint();
  return send(machineFingerprint).catch(async (error: unknown) => {
    if (isCliError(error) && error.status === 409) throw await recordServiceClaim(target, now, error);
    throw error;
  });
}

/**
 * The service answered 410 to verify (too many wrong codes, or the code expired there): the stored
 * claim can never be verified, so it goes, and `whoami` no longer sends the user to `verify`.
 */
export async function forgetDeadClaim(target: ClaimTarget): Promise<void> {
  await target.store
    .update((data) => {
      const holder = target.holder(data);
      if (holder?.pending_claim) delete holder.pending_claim;
    })
    .catch(() => undefined);
}

/**
 * The service answered 409 "already claimed": record it (source 'service'), so `whoami` says claimed
 * as the service does. What we cannot know (who, when) stays empty. A failed write changes nothing
 * of the answer the user gets. Returns the error to throw: its hint says what was recorded (the
 * generic 409 hint says nothing was changed, and here something was).
 */
export async function recordServiceClaim(target: ClaimTarget, now: number, error: CliError): Promise<CliError> {
  let recorded = false;
  await target.store
    .update((data) => {
      const holder = target.holder(data);
      if (!holder || holder.claim) return;
      holder.claim = { merged_to_user_id: '', claimed_at: new Date(now).toISOString(), email: holder.pending_claim?.email ?? '', source: 'service' };
      delete holder.pending_claim;
      recorded = true;
    })
    .catch(() => undefined);
  if (!recorded) return error;
  return new CliError(error.code, error.message, {
    exitCode: error.exitCode,
    status: error.status,
    requestId: error.requestId,
    body: error.body,
    cause: error,
    hint: `The service counts it as claimed already: t0ken now records it so in ${target.store.path} (\`t0ken whoami\` shows it), and drops any pending code.`,
  });
}
