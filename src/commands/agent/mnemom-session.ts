import type { Context } from '../../context.js';
import { MnemomApi } from '../../api/mnemom.js';
import { resolveMnemomCredential } from '../../identity/mnemom-auth.js';

/** A Mnemom client for the current MNEMOM_API_URL and credential (exit 3 when there is none). */
export async function openMnemom(ctx: Context, extraSecrets: readonly string[] = []): Promise<MnemomApi> {
  const baseUrl = ctx.mnemomBaseUrl();
  const credential = await resolveMnemomCredential(ctx, baseUrl);
  return new MnemomApi({ baseUrl, timeoutMs: ctx.timeoutMs, env: ctx.env, credential, extraSecrets, trace: ctx.trace });
}
