import type { Context } from '../context.js';
import { requireAccount } from '../store/open.js';
import { storeFor } from './shared/store.js';
import { readSecret } from './shared/credentials.js';

/** Prints the API key alone: T0KEN_API_KEY wins over the stored key (the keychain is then not asked). */
export async function run(ctx: Context): Promise<void> {
  const fromEnv = ctx.env.T0KEN_API_KEY;
  let apiKey = fromEnv;
  if (!apiKey) {
    const baseUrl = ctx.t0kenBaseUrl();
    const account = requireAccount(storeFor(ctx).read(), baseUrl);
    apiKey = (await readSecret(ctx, account, { kind: 't0ken', baseUrl })).secret;
  }
  const key = apiKey;
  ctx.out.result({ api_key: key }, () => key);
}
