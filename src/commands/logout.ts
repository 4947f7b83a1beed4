import type { CommandSpec } from '../core/command-spec.js';
import { sanitizeLine } from '../core/sanitize.js';
import { T0KEN_ENV } from '../core/environment.js';
import type { Context } from '../context.js';
import { maskSecret } from '../core/mask.js';
import { storeFor } from '../identity/store.js';
import { deleteKeychainEntry, KEYCHAIN_OUTCOME } from '../identity/credentials.js';
import { confirm } from '../ui/prompt.js';
import { filesHoldingAccount } from '../identity/memoryx-identities.js';

export const spec: CommandSpec = {
  path: ['logout'],
  group: 'Machine account:',
  summary: 'forget the stored account for this API',
  description: 'Forget the account stored for the current T0KEN_API_URL and delete its key from the keychain. Asks first on a terminal; --yes otherwise. Nothing stored: nothing to forget, exit 0.',
  options: [{ flags: '-y, --yes', description: 'do not ask for confirmation' }],
  examples: ['t0ken logout', 't0ken logout --yes'],
  environment: [...T0KEN_ENV],
};

/**
 * Forgets the account stored for the current API, its keychain entry included; confirms on a
 * terminal, --yes otherwise. Nothing stored is not an error: there is nothing to forget (exit 0).
 */
export async function run(ctx: Context, options: { yes?: boolean }): Promise<void> {
  const baseUrl = ctx.t0kenBaseUrl();
  const store = storeFor(ctx);
  const account = store.read().t0ken[baseUrl];
  if (!account) {
    ctx.out.result({ logged_out: false, api_url: baseUrl, user_id: null }, () => `Nothing to forget: no machine account is stored for ${baseUrl}.`, { quiet: () => '' });
    warnIfEnv(ctx);
    return;
  }
  if (!options.yes) {
    const key = account.api_key === undefined ? 'key in the keychain' : maskSecret(account.api_key);
    const ok = await confirm(ctx.prompt, `Forget the machine account ${account.user_id} (${key}) for ${baseUrl}?`, '--yes');
    if (!ok) {
      ctx.out.info('Nothing changed.');
      return;
    }
  }
  // The keychain entry first, with no lock held (a locked keyring stops the logout with nothing
  // changed); then the record, under the lock.
  const keychain = await deleteKeychainEntry(ctx, account, { kind: 't0ken', baseUrl });
  let forgotten: typeof account | undefined;
  await store.update((data) => {
    forgotten = data.t0ken[baseUrl];
    delete data.t0ken[baseUrl];
  });
  if (!forgotten) {
    ctx.out.result({ logged_out: false, api_url: baseUrl, user_id: null }, () => `Nothing to forget: no machine account is stored for ${baseUrl}.`, { quiet: () => '' });
  } else {
    const gone = forgotten;
    const linked = filesHoldingAccount(ctx, gone);
    ctx.out.result({ logged_out: true, api_url: baseUrl, user_id: gone.user_id, linked_files: linked }, () =>
      `Forgot the machine account ${sanitizeLine(gone.user_id)} for ${baseUrl}${KEYCHAIN_OUTCOME[keychain]('its key')}.`,
      { quiet: () => '' },
    );
    for (const path of linked) ctx.out.warn(`${path} still holds this account's key (\`t0ken link\` wrote it there); t0ken left it as it is: delete it, or run \`t0ken register\` and \`t0ken link memoryx-python\` again`);
  }
  warnIfEnv(ctx);
}

function warnIfEnv(ctx: Context): void {
  if (ctx.env.T0KEN_API_KEY) ctx.out.warn('T0KEN_API_KEY is still set and is used by every command until you unset it');
}
