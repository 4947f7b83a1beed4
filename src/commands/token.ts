import type { Context } from '../context.js';
import { requireAccount } from '../store/open.js';
import { storeFor } from './shared/store.js';

/** Prints the API key alone: T0KEN_API_KEY wins over the stored key. */
export async function run(ctx: Context): Promise<void> {
  const fromEnv = ctx.env.T0KEN_API_KEY;
  const apiKey = fromEnv || requireAccount(storeFor(ctx).read(), ctx.t0kenBaseUrl()).api_key;
  ctx.out.result({ api_key: apiKey }, () => apiKey);
}
