import type { Context } from '../context.js';
import { maskSecret } from '../core/mask.js';
import { requireAccount } from '../store/open.js';
import { storeFor } from './shared/store.js';
import { confirm } from '../ui/prompt.js';

/** Forgets the account stored for the current API; confirms on a terminal, --yes otherwise. */
export async function run(ctx: Context, options: { yes?: boolean }): Promise<void> {
  const baseUrl = ctx.t0kenBaseUrl();
  const store = storeFor(ctx);
  const account = requireAccount(store.read(), baseUrl);
  if (!options.yes) {
    const ok = await confirm(ctx.prompt, `Forget the machine account ${account.user_id} (${maskSecret(account.api_key)}) for ${baseUrl}?`, '--yes');
    if (!ok) {
      ctx.out.info('Nothing changed.');
      return;
    }
  }
  await store.update((data) => {
    delete data.t0ken[baseUrl];
  });
  ctx.out.result({ logged_out: true, api_url: baseUrl, user_id: account.user_id }, () => `Forgot the machine account ${account.user_id} for ${baseUrl}.`, { quiet: () => '' });
  if (ctx.env.T0KEN_API_KEY) ctx.out.warn('T0KEN_API_KEY is still set and is used by every command until you unset it');
}
