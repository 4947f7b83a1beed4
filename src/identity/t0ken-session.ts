import { t0kenKeyForRequests } from '../core/validate.js';
import type { Context } from '../context.js';
import { T0kenApi } from '../api/t0ken.js';
import { requireAccount } from '../store/open.js';
import { storeFor } from './store.js';
import { readSecretForRequests } from './credentials.js';
import type { ConfigData, T0kenAccount } from '../store/schema.js';
import type { ConfigStore } from '../store/store.js';

/** The store, the stored account for this API and a client authenticated as it. */
export interface T0kenSession {
  baseUrl: string;
  store: ConfigStore;
  data: ConfigData;
  account: T0kenAccount;
  api: T0kenApi;
}

/** Opens the account for the current T0KEN_API_URL (exit 3 when none); T0KEN_API_KEY overrides its key. */
export async function openT0kenSession(ctx: Context): Promise<T0kenSession> {
  const baseUrl = ctx.t0kenBaseUrl();
  const store = storeFor(ctx);
  const data = store.read();
  const account = requireAccount(data, baseUrl, ctx.env);
  const fromEnv = t0kenKeyForRequests(ctx.env);
  const apiKey = fromEnv ?? (await readSecretForRequests(ctx, account, { kind: 't0ken', baseUrl })).secret;
  const api = new T0kenApi({ baseUrl, timeoutMs: ctx.timeoutMs, env: ctx.env, apiKey, keyFromEnv: fromEnv !== undefined, trace: ctx.trace });
  return { baseUrl, store, data, account, api };
}
