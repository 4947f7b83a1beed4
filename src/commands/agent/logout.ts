import type { CommandSpec } from '../../core/command-spec.js';
import { MNEMOM_ENV } from '../../core/environment.js';
import type { Context } from '../../context.js';
import { storeFor } from '../../identity/store.js';
import { deleteKeychainEntry, KEYCHAIN_OUTCOME } from '../../identity/credentials.js';
import { mnemomVariableInCharge } from '../../identity/mnemom-auth.js';

export const spec: CommandSpec = {
  path: ['agent', 'logout'],
  summary: 'forget the stored Mnemom API key',
  description: 'Forget the Mnemom API key stored for the current MNEMOM_API_URL, deleting it from the keychain too. Nothing stored: nothing to forget, exit 0.',
  examples: ['t0ken agent logout'],
  environment: [...MNEMOM_ENV],
};

/** Forgets the Mnemom key stored for the current MNEMOM_API_URL, its keychain entry included. */
export async function run(ctx: Context): Promise<void> {
  const baseUrl = ctx.mnemomBaseUrl();
  const store = storeFor(ctx);
  let removed = false;
  let keychain: Awaited<ReturnType<typeof deleteKeychainEntry>> = 'none';
  const stored = store.read().mnemom[baseUrl];
  if (stored) {
    // The keychain entry first, with no lock held; then the record, under the lock.
    keychain = await deleteKeychainEntry(ctx, stored, { kind: 'mnemom', baseUrl });
    await store.update((data) => {
      removed = data.mnemom[baseUrl] !== undefined;
      delete data.mnemom[baseUrl];
    });
  }
  ctx.out.result({ logged_out: removed, api_url: baseUrl }, () =>
    removed
      ? `Forgot the Mnemom key for ${baseUrl}${KEYCHAIN_OUTCOME[keychain]('it')}.`
      : `Nothing to forget: no Mnemom key is stored for ${baseUrl}.`,
    { quiet: () => '' },
  );
  const variable = mnemomVariableInCharge(ctx.env);
  if (variable) ctx.out.warn(`${variable} is still set and is used by every agent command until you unset it`);
}
