import { notRegisteredError } from '../core/errors.js';
import type { ConfigData, T0kenAccount } from './schema.js';
import { ConfigStore } from './store.js';

export interface StoreContext {
  configDir: string;
  env: NodeJS.ProcessEnv;
  warn: (message: string) => void;
}

export function openStore(ctx: StoreContext): ConfigStore {
  return new ConfigStore({ dir: ctx.configDir, ownsDir: !ctx.env.T0KEN_CONFIG_DIR, onWarning: ctx.warn, env: ctx.env });
}

/** The account stored for this API base URL, or exit 3 with the next step. */
export function requireAccount(data: ConfigData, baseUrl: string, env: NodeJS.ProcessEnv = {}): T0kenAccount {
  const account = data.t0ken[baseUrl];
  if (!account) {
    if (env.T0KEN_API_KEY) {
      throw notRegisteredError(
        `no machine account is stored for ${baseUrl}: T0KEN_API_KEY is set, but this command also needs what \`t0ken register\` stores (the service's fingerprint for this machine, the claim)`,
        'Run `t0ken register` on this machine (it stores the account; T0KEN_API_KEY still wins for the key). `whoami`, `stats` and `token` work with T0KEN_API_KEY alone.',
      );
    }
    throw notRegisteredError(`no machine account is stored for ${baseUrl}`, 'Run `t0ken register` first.');
  }
  return account;
}
