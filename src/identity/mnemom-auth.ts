import type { Context } from '../context.js';
import { notRegisteredError, usageError } from '../core/errors.js';
import type { MnemomCredential } from '../api/mnemom.js';
import { storeFor } from './store.js';
import { readSecretForRequests } from './credentials.js';

/** mnm_ and 16 to 508 more (512 in all, as t0ken keys): longer, no request would carry it past a server's header limit. */
export const MNEMOM_KEY_PATTERN = /^mnm_[A-Za-z0-9_-]{16,508}$/;
/** MNEMOM_KEY_PATTERN in words, for the messages that refuse a key. */
export const MNEMOM_KEY_RULE = 'mnm_ followed by 16 to 508 letters, digits, _ or -';

/**
 * MNEMOM_API_KEY, trimmed, or undefined when unset. Checked with the rule `agent login` uses: what one
 * refuses, the other does not accept either. `hint` is the next step that fits the caller.
 */
export function mnemomKeyFromEnv(env: NodeJS.ProcessEnv, hint: string): string | undefined {
  const key = env.MNEMOM_API_KEY?.trim();
  if (key && !MNEMOM_KEY_PATTERN.test(key)) {
    throw usageError(`MNEMOM_API_KEY does not look like a Mnemom API key (expected ${MNEMOM_KEY_RULE})`, hint);
  }
  return key || undefined;
}

/** A bearer token a header can carry: printable ASCII without spaces (a JWT, RFC 6750's b64token), up to 16 KiB. */
export const BEARER_TOKEN_PATTERN = /^[\x21-\x7e]{1,16384}$/;

/**
 * MNEMOM_TOKEN, trimmed, or undefined when unset. A value no request can carry (a line break or
 * control character inside it, a space, non-ASCII) is a usage error here; sent, it failed as a
 * network error, retried three times, pointing at the proxy.
 */
export function mnemomTokenFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const token = env.MNEMOM_TOKEN?.trim();
  if (token && !BEARER_TOKEN_PATTERN.test(token)) {
    throw usageError(
      'MNEMOM_TOKEN is not a bearer token: it holds spaces, control or non-ASCII characters, or is longer than 16384 characters',
      'Set it to the JWT your Mnemom login gave you, or unset it to use MNEMOM_API_KEY or the stored key.',
    );
  }
  return token || undefined;
}

/** MNEMOM_TOKEN (Bearer) wins, then MNEMOM_API_KEY, then the key stored for this Mnemom API. */
export async function resolveMnemomCredential(ctx: Context, baseUrl: string): Promise<MnemomCredential> {
  const token = mnemomTokenFromEnv(ctx.env);
  if (token) return { kind: 'bearer', token, source: 'MNEMOM_TOKEN' };
  const key = mnemomKeyFromEnv(ctx.env, 'Set it to your mnm_… key, or use MNEMOM_TOKEN for a JWT.');
  if (key) return { kind: 'api-key', key, source: 'MNEMOM_API_KEY' };
  const stored = storeFor(ctx).read().mnemom[baseUrl];
  if (stored) {
    const { secret, storage } = await readSecretForRequests(ctx, stored, { kind: 'mnemom', baseUrl });
    return { kind: 'api-key', key: secret, source: storage === 'keyring' ? 'the keychain' : 'the config file' };
  }
  throw notRegisteredError(
    `no Mnemom credential for ${baseUrl}`,
    'Set MNEMOM_TOKEN or MNEMOM_API_KEY, or store a key with `printf %s "$KEY" | t0ken agent login --with-token`.',
  );
}

/** Names the environment variable that overrides the stored key, if any. */
export function mnemomVariableInCharge(env: NodeJS.ProcessEnv): string | undefined {
  if (env.MNEMOM_TOKEN?.trim()) return 'MNEMOM_TOKEN';
  if (env.MNEMOM_API_KEY?.trim()) return 'MNEMOM_API_KEY';
  return undefined;
}
