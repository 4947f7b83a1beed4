import type { Context } from '../context.js';
import { hashProof } from '../core/proof.js';
import { validateAgentName } from '../core/validate.js';
import { readProviderKey, type ProviderKeyOptions } from './shared/provider-key.js';

interface HashProofOptions extends ProviderKeyOptions {
  name?: string;
  short?: boolean;
}

/** Prints the hash proof of a provider key; the key itself never leaves this process. */
export async function run(ctx: Context, options: HashProofOptions): Promise<void> {
  const name = options.name === undefined ? undefined : validateAgentName(options.name);
  const proof = hashProof(await readProviderKey(ctx, options), name);
  ctx.out.result(proof, () => (options.short ? proof.agent_hash : proof.hash_proof));
}
