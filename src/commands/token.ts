import type { CommandSpec } from '../core/command-spec.js';
import { T0KEN_ENV } from '../core/environment.js';
import type { Context } from '../context.js';
import { usageError } from '../core/errors.js';
import { changedBySanitizeBlock } from '../core/sanitize.js';
import { requireAccount } from '../store/open.js';
import { storeFor } from '../identity/store.js';
import { readSecret } from '../identity/credentials.js';

export const spec: CommandSpec = {
  path: ['token'],
  group: 'Machine account:',
  summary: 'print the API key alone on stdout',
  description: 'Print the t0ken API key alone on stdout, for scripts. T0KEN_API_KEY wins over the stored key.',
  examples: ['curl -H "X-API-Key: $(t0ken token)" …'],
  environment: [...T0KEN_ENV],
};

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
  // Plain output passes sanitizeBlock: a key holding an escape would print as another key.
  if (!ctx.json && changedBySanitizeBlock(key)) {
    throw usageError(`${fromEnv ? 'T0KEN_API_KEY' : 'the stored key'} contains control or invisible characters (an escape, a carriage return…); t0ken does not print it as text`, 'Use `t0ken token --json`, which escapes every character; or check the key, which looks damaged.');
  }
  ctx.out.result({ api_key: key }, () => key);
}
