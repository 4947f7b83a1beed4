import type { Context } from '../context.js';
import { openStore } from '../store/open.js';
import type { ConfigStore } from '../store/store.js';

/** The config store for this run, its warnings (a re-tightened mode) going to stderr. */
export function storeFor(ctx: Context): ConfigStore {
  return openStore({ configDir: ctx.configDir, env: ctx.env, warn: (message) => ctx.out.warn(message) });
}
