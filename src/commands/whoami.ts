import type { Context } from '../context.js';
import { maskSecret } from '../core/mask.js';
import { requireAccount } from '../store/open.js';
import { storeFor } from './shared/store.js';
import type { T0kenAccount } from '../store/schema.js';
import { keyValueTable } from '../ui/table.js';
import { currentFingerprint } from './shared/machine.js';
import { localTime, minutesLeft } from './shared/t0ken-session.js';

/** Shows the stored account: masked key, fingerprint match, claim state, config path. */
export async function run(ctx: Context): Promise<void> {
  const baseUrl = ctx.t0kenBaseUrl();
  const store = storeFor(ctx);
  const account = requireAccount(store.read(), baseUrl);
  const current = await currentFingerprint(ctx, false).catch(() => undefined);
  const matches = current ? current.fingerprint === account.local_fingerprint : undefined;
  const envKey = ctx.env.T0KEN_API_KEY;
  const claim = claimState(account);

  ctx.out.result(
    {
      api_url: baseUrl,
      user_id: account.user_id,
      project_id: account.project_id,
      machine_fingerprint: account.machine_fingerprint,
      local_fingerprint: account.local_fingerprint,
      current_fingerprint: current?.fingerprint ?? null,
      fingerprint_matches: matches ?? null,
      api_key_masked: maskSecret(envKey || account.api_key),
      api_key_source: envKey ? 'T0KEN_API_KEY' : 'config',
      claim,
      registered_at: account.registered_at,
      config_path: store.path,
    },
    () =>
      keyValueTable(
        [
          ['api', baseUrl],
          ['user', account.user_id],
          ['project', account.project_id],
          ['fingerprint', `${account.machine_fingerprint}${matches === false ? ctx.out.style.yellow(' (this machine no longer matches)') : ''}`],
          // The service may name the machine differently from what it was sent: show both then.
          ...(current && current.fingerprint !== account.machine_fingerprint ? [['local fingerprint', `${current.fingerprint} ${ctx.out.style.dim('(what `t0ken fingerprint` prints; the service named this machine itself, above, and t0ken uses its name for every call)')}`] as [string, string]] : []),
          ['api key', `${maskSecret(envKey || account.api_key)}${envKey ? ' (from T0KEN_API_KEY)' : ''}`],
          ['claim', describeClaim(claim)],
          ['registered', localTime(account.registered_at)],
          ['config', store.path],
        ],
        ctx.out.style.dim,
      ),
    { quiet: () => account.user_id },
  );
  const container = current?.facts?.container;
  if (container?.inContainer && current!.warnings.length > 0) {
    ctx.out.warn(`in ${container.kind ? `a ${container.kind}` : 'a'} container: its fingerprint may be shared with other containers; see \`t0ken fingerprint --explain\``);
  }
  if (matches === false) {
    ctx.out.warn('this machine\'s fingerprint differs from the one it registered with (the machine id changed, or the config was copied here); run `t0ken register --force` to register this machine');
  }
}

type ClaimState =
  | { state: 'claimed'; email: string; merged_to_user_id: string; claimed_at: string; source?: 'verify' | 'service' }
  | { state: 'pending'; email: string; expires_at: string; expired: boolean }
  | { state: 'unclaimed' };

function claimState(account: T0kenAccount): ClaimState {
  if (account.claim) return { state: 'claimed', ...account.claim };
  const pending = account.pending_claim;
  if (pending) return { state: 'pending', email: pending.email, expires_at: pending.expires_at, expired: Date.parse(pending.expires_at) <= Date.now() };
  return { state: 'unclaimed' };
}

function describeClaim(claim: ClaimState): string {
  switch (claim.state) {
    case 'claimed':
      if (claim.source === 'service') return `claimed (the t0ken service answered "already claimed" on ${localTime(claim.claimed_at)}; by whom is not known here)`;
      return `claimed by ${claim.email || claim.merged_to_user_id} (user ${claim.merged_to_user_id}) on ${localTime(claim.claimed_at)}`;
    case 'pending':
      return claim.expired
        ? `code for ${claim.email} expired at ${localTime(claim.expires_at)}; run \`t0ken claim\` again`
        : `pending for ${claim.email}, code expires in ${minutesLeft(claim.expires_at)} min; run \`t0ken verify\``;
    default:
      return 'not claimed; run `t0ken claim --email you@example.com`';
  }
}
