import type { Sha256Hex } from '../core/proof.js';
import { lazyRequire } from './lazy-require.js';

/** node:crypto's SHA-256, for many digests in one run (see hash-proof's NATIVE_DIGEST_FROM). */
export function nativeSha256Hex(): Sha256Hex {
  const { createHash } = lazyRequire('node:crypto') as typeof import('node:crypto');
  return (input) => createHash('sha256').update(input, 'utf8').digest('hex');
}
