import type { Context } from '../context.js';
import { PYTHON_SDK_FINGERPRINT } from '../core/python-sdk-fingerprint.js';
import { isCliError, notRegisteredError } from '../core/errors.js';
import { MEMORYX_CLIENTS } from '../core/memoryx-clients.js';
import type { ClaimHolder } from '../identity/claim-target.js';
import { clientIdentities, t0kenAsFound, t0kenIdentity, type FoundIdentity } from '../identity/memoryx-identities.js';
import { storeFor } from '../identity/store.js';
import { formatLocalTime } from '../core/format.js';
import { keyValueTable } from '../ui/table.js';

/**
 * `whoami --all`: every MemoryX identity on this machine (t0ken's account, each client's own file,
 * the backups `link` kept), whether each is this machine's t0ken account (keys compared, never
 * printed) and its claim, so that one email can gather every pool (`claim --fingerprint`).
 */
export async function showAllIdentities(ctx: Context): Promise<void> {
  const baseUrl = ctx.t0kenBaseUrl();
  const store = storeFor(ctx);
  const data = store.read();
  const t0ken = await t0kenIdentity(ctx);
  // A client file t0ken may not read (a planted symlink, a relative HOME) is said, and t0ken's own account still listed.
  let clients: FoundIdentity[] = [];
  try {
    clients = clientIdentities(ctx, t0ken);
  } catch (error) {
    if (!t0ken || !isCliError(error)) throw error;
    ctx.out.warn(`${error.message}${error.hint ? ` (${error.hint})` : ''}`);
  }
  const found = [...(t0ken ? [t0kenAsFound(t0ken, store.path)] : []), ...clients];
  if (found.length === 0) {
    throw notRegisteredError(`no MemoryX identity on this machine: nothing stored for ${baseUrl}, no T0KEN_API_KEY, no MemoryX client file`, 'Run `t0ken register`, then `t0ken link memoryx-python` for the Python SDK.');
  }
  const claims = data.identity_claims?.[baseUrl] ?? {};
  const claimOf = (identity: FoundIdentity): ClaimHolder | undefined =>
    identity.same_account ? t0ken?.account : identity.machine_fingerprint ? claims[identity.machine_fingerprint] : undefined;
  const pools = new Set(found.map((identity) => identity.apiKey).filter(Boolean)).size;
  const identities = found.map(({ apiKey: _secret, ...shown }) => ({ ...shown, claim: claimSummary(claimOf(shown as FoundIdentity), ctx.now()) }));

  ctx.out.result({ api_url: baseUrl, pools, identities }, () => {
    const blocks = found.map((identity, i) => {
      const claim = identities[i]!.claim;
      const rows: Array<[string, string]> = [
        ['account', describeAccount(identity)],
        ['user', identity.user_id ?? 'unknown'],
        ['key', identity.api_key_masked ?? 'none'],
        ['fingerprint', describeFingerprint(identity)],
        ['claim', describeClaim(claim, identity)],
      ];
      return `${ctx.out.style.bold(title(identity))}\n${indent(keyValueTable(rows, ctx.out.style.dim, ctx.out.width - 2))}`;
    });
    const summary = !t0ken
      ? `No t0ken account for ${baseUrl} to compare with: \`t0ken register\`, then \`t0ken link memoryx-python\`.`
      : pools <= 1
      ? 'One memory pool: every identity found uses the same account.'
      : `${pools} memory pools on this machine. \`t0ken link memoryx-python\` points the SDK at t0ken's account; \`t0ken claim --email you@example.com --fingerprint <fp>\` merges another account into yours.`;
    return [...blocks, summary].join('\n\n');
  }, { quiet: () => String(pools) });
}

const indent = (text: string): string => text.split('\n').map((line) => `  ${line}`).join('\n');

function title(identity: FoundIdentity): string {
  if (identity.kind === 't0ken') return `t0ken (${identity.path ?? 'T0KEN_API_KEY'})`;
  const client = MEMORYX_CLIENTS.find((c) => c.id === identity.kind)?.title ?? identity.kind;
  return `${identity.path} (${identity.backup ? `a backup \`t0ken link\` kept of the ${client} file` : client})`;
}

function describeAccount(identity: FoundIdentity): string {
  if (identity.kind === 't0ken') return 'this machine\'s t0ken account';
  if (!identity.api_key_masked) return 'none (no key in the file)';
  if (identity.same_account === null) return 'unknown: no t0ken account to compare with';
  return identity.same_account ? 'the same as t0ken\'s' : 'another account: a separate memory pool';
}

function describeFingerprint(identity: FoundIdentity): string {
  const fp = identity.machine_fingerprint ?? 'none';
  if (identity.kind === 't0ken') return `${fp} (the service's name for this machine)`;
  if (identity.backup) return `${fp} (kept aside: no client reads it)`;
  return identity.in_use ? `${fp} (the SDK's own on this machine: it uses this file)` : `${fp} (not what the SDK derives here: it ignores this file and registers anew)`;
}

type ClaimSummary =
  | { state: 'claimed'; email: string; merged_to_user_id: string; claimed_at: string }
  | { state: 'pending'; email: string; expires_at: string; expired: boolean }
  | { state: 'unclaimed' };

function claimSummary(holder: ClaimHolder | undefined, now: number): ClaimSummary {
  if (holder?.claim) return { state: 'claimed', email: holder.claim.email, merged_to_user_id: holder.claim.merged_to_user_id, claimed_at: holder.claim.claimed_at };
  const pending = holder?.pending_claim;
  if (pending) return { state: 'pending', email: pending.email, expires_at: pending.expires_at, expired: Date.parse(pending.expires_at) <= now };
  return { state: 'unclaimed' };
}

function describeClaim(claim: ClaimSummary, identity: FoundIdentity): string {
  const own = identity.kind === 't0ken' || identity.same_account;
  const fingerprint = identity.machine_fingerprint;
  // A file's fingerprint claim --fingerprint refuses (a hand edit, control characters) gets no command that would fail.
  if (!own && fingerprint !== undefined && fingerprint !== null && !PYTHON_SDK_FINGERPRINT.test(fingerprint)) return 'cannot be claimed: its machine_fingerprint is not 32 lowercase hex characters';
  const flag = own ? '' : ` --fingerprint ${fingerprint ?? '<fp>'}`;
  switch (claim.state) {
    case 'claimed':
      return `claimed by ${claim.email || 'its owner'}${claim.merged_to_user_id ? ` (user ${claim.merged_to_user_id})` : ''} on ${formatLocalTime(claim.claimed_at)}`;
    case 'pending':
      return claim.expired ? `code for ${claim.email} expired; run \`t0ken claim --email ${claim.email}${flag}\` again` : `pending for ${claim.email}; run \`t0ken verify${flag}\``;
    default:
      if (!identity.api_key_masked) return 'nothing to claim';
      return `not claimed; \`t0ken claim --email you@example.com${flag}\``;
  }
}
