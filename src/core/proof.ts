import { sha256, toHex } from './sha256.js';

export interface HashProof {
  hash_proof: string;  // 64 lowercase hex
  agent_hash: string;  // its first 16 characters
  name: string | null;
}

/** The lowercase hex SHA-256 of a string's UTF-8 bytes. */
export type Sha256Hex = (input: string) => string;

/** SHA-256 in plain TypeScript: no node:crypto to load for one proof. */
export const plainSha256Hex: Sha256Hex = (input) => toHex(sha256(Buffer.from(input, 'utf8')));

/**
 * SHA256(providerKey + "|" + name), or SHA256(providerKey) for an unnamed agent; UTF-8 throughout.
 * `digest` may be node:crypto's for thousands of proofs, where loading it pays off.
 */
export function hashProof(providerKey: string, name?: string, digest: Sha256Hex = plainSha256Hex): HashProof {
  const hex = digest(name === undefined ? providerKey : `${providerKey}|${name}`);
  return { hash_proof: hex, agent_hash: hex.slice(0, 16), name: name ?? null };
}
