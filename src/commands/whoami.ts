import type { CommandSpec } from '../core/command-spec.js';
import { sanitizeLine } from '../core/sanitize.js';
import { T0KEN_ENV } from '../core/environment.js';
import type { Context } from '../context.js';
import { maskSecret } from '../core/mask.js';
import { isLoopbackHost } from '../core/url.js';
import { requireAccount } from '../store/open.js';
import { storeFor } from '../identity/store.js';
import type { T0kenAccount } from '../store/schema.js';
import type { Storage } from '../store/secrets/types.js';
import { keyValueTable } from '../ui/table.js';
import { currentFingerprint } from '../identity/machine.js';
import { secretHomes, storageOf } from '../identity/credentials.js';
import { formatLocalTime, minutesLeft } from '../core/format.js';

export const spec: CommandSpec = {
  path: ['whoami'],
  aliases: ['status'],
  group: 'Machine account:',
  summary: 'show the stored account',
  description: 'Show the stored machine account: masked key, fingerprint match, claim state, config path. Exits 3 when none is stored. --all lists every MemoryX identity on this machine (t0ken\'s, each MemoryX client\'s own file and the backups `link` kept) and whether each is this machine\'s account.',
  options: [{ flags: '--all', description: 'every MemoryX identity on this machine, and whether each is this machine\'s account' }],
  examples: ['t0ken whoami', 't0ken status --json', 't0ken whoami --all'],
  environment: [...T0KEN_ENV, 'T0KEN_FINGERPRINT'],
};

/** Shows the stored account: masked key and where it lives, fingerprint match, claim state, config path. */
export async function run(ctx: Context, options: { all?: boolean } = {}): Promise<void> {
  if (options.all) return (await import('./whoami-all.js')).showAllIdentities(ctx);
  const baseUrl = ctx.t0kenBaseUrl();
  const store = storeFor(ctx);
  const data = store.read();
  const envKey = ctx.env.T0KEN_API_KEY;
  if (envKey && !data.t0ken[baseUrl]) return showEnvOnly(ctx, baseUrl, envKey, store.path);

  const account = requireAccount(data, baseUrl);
  const current = await currentFingerprint(ctx, false).catch(() => undefined);
  const matches = current ? current.fingerprint === account.local_fingerprint : undefined;
  const storage = storageOf(account);
  // whoami never asks the keychain: everything it shows but the key is in config.json, so it is as
  // fast as before and still shows the account when the keyring is locked. `t0ken credentials`
  // reads each secret back; a key in the file is masked here as always.
  const key = envKey || account.api_key;
  const masked = key !== undefined ? maskSecret(key) : account.api_key_masked;
  const keyText = masked ?? 'in the keychain (`t0ken credentials` reads it)';
  const claim = claimState(account, ctx.now());
  const homes = secretHomes(data);

  ctx.out.result(
    {
      api_url: baseUrl,
      user_id: account.user_id,
      project_id: account.project_id,
      machine_fingerprint: account.machine_fingerprint,
      local_fingerprint: account.local_fingerprint,
      current_fingerprint: current?.fingerprint ?? null,
      fingerprint_matches: matches ?? null,
      api_key_masked: masked ?? null,
      api_key_source: envKey ? 'T0KEN_API_KEY' : 'config',
      storage,
      keychain_account: account.api_key_ref?.account ?? null,
      secrets: homes,
      claim,
      registered_at: account.registered_at,
      config_path: store.path,
    },
    () =>
      keyValueTable(
        [
          ['api', `${baseUrl}${isLoopbackHost(new URL(baseUrl).hostname) ? ctx.out.style.dim(' (on this machine: what follows is what t0ken stored; a sandbox restarted without --state has forgotten it)') : ''}`],
          ['user', account.user_id],
          ['project', account.project_id],
          // The service may name the machine differently from what it was sent; this machine's own
          // fingerprint is shown only when it no longer matches the one it registered with.
          ['fingerprint', `${account.machine_fingerprint}${matches === false ? ctx.out.style.yellow(' (this machine no longer matches)') : ''}`],
          ...(matches === false ? [['local fingerprint', `${current!.fingerprint} ${ctx.out.style.dim('(what `t0ken fingerprint` prints now)')}`] as [string, string]] : []),
          ['api key', `${keyText}${envKey ? ' (from T0KEN_API_KEY)' : ''}`],
          ['key stored in', describeStorage(storage, store.path, account.api_key_ref?.account)],
          ...homes.filter((h) => h.kind === 'mnemom').map((h): [string, string] => [`mnemom key`, `${h.api_url}, in ${describeStorage(h.storage, store.path, h.keychain_account ?? undefined)}`]),
          ['claim', describeClaim(claim, ctx.now())],
          ['registered', formatLocalTime(account.registered_at)],
          ['config', store.path],
        ],
        ctx.out.style.dim,
        ctx.out.width,
      ),
    { quiet: () => sanitizeLine(account.user_id) },
  );
  const container = current?.facts?.container;
  if (container?.inContainer && current!.warnings.length > 0) {
    // A note, not a warning: it is true on every run, and register said it when it mattered (-q hides it).
    ctx.out.info(`in ${container.kind ? `a ${container.kind}` : 'a'} container: its fingerprint may be shared with other containers; see \`t0ken fingerprint --explain\``);
  }
  if (matches === false) {
    ctx.out.warn('this machine\'s fingerprint differs from the one it registered with (the machine id changed, or the config was copied here); run `t0ken register` to register this machine');
  }
}

export function describeStorage(storage: Storage, configPath: string, keychainAccount?: string): string {
  return storage === 'keyring' ? `the OS keychain (service t0ken, account ${keychainAccount ?? '?'})` : `${configPath} (mode 600)`;
}

/** T0KEN_API_KEY with nothing stored: what can be known without the service. */
async function showEnvOnly(ctx: Context, baseUrl: string, envKey: string, configPath: string): Promise<void> {
  const current = await currentFingerprint(ctx, false).catch(() => undefined);
  const fingerprint = current?.fingerprint ?? null;
  const source = ctx.env.T0KEN_FINGERPRINT ? 'T0KEN_FINGERPRINT' : current ? 'this machine' : null;
  ctx.out.result(
    {
      api_url: baseUrl,
      stored: false,
      user_id: null,
      project_id: null,
      machine_fingerprint: fingerprint,
      fingerprint_source: source,
      api_key_masked: maskSecret(envKey),
      api_key_source: 'T0KEN_API_KEY',
      storage: null,
      config_path: configPath,
    },
    () =>
      keyValueTable(
        [
          ['api', baseUrl],
          ['api key', `${maskSecret(envKey)} (from T0KEN_API_KEY; nothing is stored)`],
          ['fingerprint', fingerprint ? `${fingerprint} (${source})` : 'unknown: set T0KEN_FINGERPRINT'],
          ['user', 'unknown: not stored (run `t0ken register` to store the account)'],
          ['config', configPath],
        ],
        ctx.out.style.dim,
        ctx.out.width,
      ),
  );
}

type ClaimState =
  | { state: 'claimed'; email: string; merged_to_user_id: string; claimed_at: string; source?: 'verify' | 'service' }
  | { state: 'pending'; email: string; expires_at: string; expired: boolean }
  | { state: 'unclaimed' };

function claimState(account: T0kenAccount, now: number): ClaimState {
  if (account.claim) return { state: 'claimed', ...account.claim };
  const pending = account.pending_claim;
  if (pending) return { state: 'pending', email: pending.email, expires_at: pending.expires_at, expired: Date.parse(pending.expires_at) <= now };
  return { state: 'unclaimed' };
}

function describeClaim(claim: ClaimState, now: number): string {
  switch (claim.state) {
    case 'claimed':
      if (claim.source === 'service') return `claimed (the t0ken service answered "already claimed" on ${formatLocalTime(claim.claimed_at)}; by whom is not known here)`;
      return `claimed by ${claim.email || claim.merged_to_user_id} (user ${claim.merged_to_user_id}) on ${formatLocalTime(claim.claimed_at)}`;
    case 'pending': {
      if (claim.expired) return `code for ${claim.email} expired at ${formatLocalTime(claim.expires_at)}; run \`t0ken claim\` again`;
      const left = minutesLeft(claim.expires_at, now);
      if (!Number.isFinite(left)) return `pending for ${claim.email} (the code's expiry in the config, ${JSON.stringify(claim.expires_at.slice(0, 40))}, is not a date); run \`t0ken verify\``;
      return `pending for ${claim.email}, code expires in ${left} min; run \`t0ken verify\``;
    }
    default:
      return 'not claimed; run `t0ken claim --email you@example.com`';
  }
}
