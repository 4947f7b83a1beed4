import type { Context } from '../context.js';
import { notRegisteredError, type CliError } from '../core/errors.js';
import type { IdentityScope } from '../core/identity-env.js';
import type { IdentityRecords } from '../core/identity-env.js';
import { mnemomKeyFromEnv } from './mnemom-auth.js';
import { storedMnemomKey, storedT0kenKey } from './credentials.js';

/** The one place `exec`, `env` and `mcp config` read a stored secret: from its home, the keychain included. */
async function storedKey(ctx: Context, service: IdentityScope, baseUrl: string): Promise<string | undefined> {
  return service === 't0ken' ? storedT0kenKey(ctx, baseUrl) : storedMnemomKey(ctx, baseUrl);
}

/**
 * This machine's identity as the contract's precedence has it: T0KEN_API_KEY (then the account
 * stored for T0KEN_API_URL) and MNEMOM_API_KEY (then the key stored for MNEMOM_API_URL). An
 * MNEMOM_TOKEN already in the environment is left to pass through and is not counted here.
 */
export async function resolveIdentity(ctx: Context, only: IdentityScope | undefined): Promise<IdentityRecords> {
  const records: IdentityRecords = {};
  if (only !== 'mnemom') {
    const baseUrl = ctx.t0kenBaseUrl();
    const apiKey = ctx.env.T0KEN_API_KEY || (await storedKey(ctx, 't0ken', baseUrl));
    if (apiKey) records.t0ken = { apiKey, baseUrl };
  }
  if (only !== 't0ken') {
    const fromEnv = mnemomKeyFromEnv(ctx.env, 'Set it to your mnm_… key, unset it to use the stored key, or pass --only t0ken.');
    if (fromEnv) {
      records.mnemom = { apiKey: fromEnv };
    } else {
      const stored = await storedKey(ctx, 'mnemom', ctx.mnemomBaseUrl());
      if (stored) records.mnemom = { apiKey: stored };
    }
  }
  return records;
}

/** exec and env with nothing to hand over (exit 3), saying what is missing for the identities asked for. */
export function nothingToHandOver(ctx: Context, only: IdentityScope | undefined): CliError {
  // --only mnemom never looks at T0KEN_API_URL (a bad one is no reason to fail here).
  const t0ken = () => `no t0ken account is stored for ${ctx.t0kenBaseUrl()} and T0KEN_API_KEY is not set`;
  // env prints only what t0ken adds: an MNEMOM_TOKEN is in the environment already (exec passes it through).
  const token = ctx.env.MNEMOM_TOKEN?.trim() ? ' (MNEMOM_TOKEN is set, but it is in the environment already: env prints only what t0ken adds)' : '';
  const mnemom = `no Mnemom key is stored for ${ctx.mnemomBaseUrl()} and MNEMOM_API_KEY is not set${token}`;
  const what = only === 't0ken' ? t0ken() : only === 'mnemom' ? mnemom : `${t0ken()}; ${mnemom}`;
  const hint = only === 'mnemom'
    ? 'Store a Mnemom key with `printf %s "$KEY" | t0ken agent login --with-token`.'
    : 'Run `t0ken register` first (or set T0KEN_API_KEY).';
  return notRegisteredError(`nothing to hand over: ${what}`, hint);
}
