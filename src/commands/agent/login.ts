import type { CommandSpec } from '../../core/command-spec.js';
import { MNEMOM_ENV } from '../../core/environment.js';
import type { Context } from '../../context.js';
import { usageError } from '../../core/errors.js';
import { maskSecret } from '../../core/mask.js';
import { storeFor } from '../../identity/store.js';
import { dropStaleKeychainCopy, placeNewSecret } from '../../identity/credentials.js';
import type { Storage } from '../../store/secrets/types.js';
import type { SecretHolder } from '../../store/schema.js';
import { MNEMOM_KEY_PATTERN, MNEMOM_KEY_RULE, mnemomVariableInCharge } from '../../identity/mnemom-auth.js';
import { readSecretFromStdin } from '../../identity/provider-key.js';

export const spec: CommandSpec = {
  path: ['agent', 'login'],
  summary: 'store a Mnemom API key read from stdin',
  description: 'Store a Mnemom API key (mnm_…) read from stdin, in the OS keychain when one answers, else in the config file (mode 600). MNEMOM_TOKEN and MNEMOM_API_KEY still win.',
  options: [{ flags: '--with-token', description: 'read the key from stdin' }],
  examples: ['t0ken agent login --with-token < mnemom-key.txt'],
  environment: [...MNEMOM_ENV],
};

/** Stores a Mnemom API key read from stdin, under the current MNEMOM_API_URL. */
export async function run(ctx: Context, options: { withToken?: boolean }): Promise<void> {
  if (!options.withToken) {
    throw usageError('agent login reads the key from stdin and needs --with-token', 'Run: printf %s "$MNEMOM_API_KEY" | t0ken agent login --with-token');
  }
  const baseUrl = ctx.mnemomBaseUrl();
  const key = await readSecretFromStdin(ctx, { what: 'Mnemom API key', message: 'Mnemom API key (mnm_…):', pipe: 'printf %s "$KEY" | t0ken agent login --with-token' });
  if (!MNEMOM_KEY_PATTERN.test(key)) {
    throw usageError(`that is not a Mnemom API key (expected ${MNEMOM_KEY_RULE})`, 'Copy the mnm_… key from your Mnemom settings.');
  }
  const store = storeFor(ctx);
  const label = { kind: 'mnemom', baseUrl } as const;
  const placed = await placeNewSecret(ctx, label, key, store.path);
  const storage: Storage = placed.storage;
  let previous: SecretHolder | undefined;
  await store.update((data) => {
    previous = data.mnemom[baseUrl];
    data.mnemom[baseUrl] = { ...placed.placement, saved_at: new Date(ctx.now()).toISOString() };
  });
  await dropStaleKeychainCopy(ctx, previous, placed, label);
  ctx.out.result({ logged_in: true, api_url: baseUrl, api_key_masked: maskSecret(key), storage, config_path: store.path }, () =>
    `Stored Mnemom key ${maskSecret(key)} for ${baseUrl} in ${storage === 'keyring' ? 'the OS keychain' : store.path}.`,
    { quiet: () => '' },
  );
  const variable = mnemomVariableInCharge(ctx.env);
  if (variable) ctx.out.warn(`${variable} is set and is used instead of the stored key until you unset it`);
}
