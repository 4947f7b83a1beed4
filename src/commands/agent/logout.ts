import type { Context } from '../../context.js';
import { storeFor } from '../shared/store.js';
import { mnemomVariableInCharge } from '../shared/mnemom-auth.js';

/** Forgets the Mnemom key stored for the current MNEMOM_API_URL. */
export async function run(ctx: Context): Promise<void> {
  const baseUrl = ctx.mnemomBaseUrl();
  const store = storeFor(ctx);
  let removed = false;
  if (store.read().mnemom[baseUrl]) {
    await store.update((data) => {
      removed = data.mnemom[baseUrl] !== undefined;
      delete data.mnemom[baseUrl];
    });
  }
  ctx.out.result({ logged_out: removed, api_url: baseUrl }, () =>
    removed ? `Forgot the Mnemom key for ${baseUrl}.` : `No Mnemom key was stored for ${baseUrl}; nothing changed.`,
    { quiet: () => '' },
  );
  const variable = mnemomVariableInCharge(ctx.env);
  if (variable) ctx.out.warn(`${variable} is still set and is used by every agent command until you unset it`);
}
