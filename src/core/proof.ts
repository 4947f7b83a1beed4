import { sha256, toHex } from './sha256.js';

export interface HashProof {
  hash_proof: string;  // 64 lowercase hex
  agent_hash: string;  // its first 16 characters
  name: string | null;
}

/** SHA256(providerKey + "|" + name), or SHA256(providerKey) for an unnamed agent; UTF-8 throughout. */
export function hashProof(providerKey: string, name?: string): HashProof {
  const input = name === undefined ? providerKey : `${providerKey}|${name}`;
  const digest = toHex(sha256(Buffer.from(input, 'utf8')));
  return { hash_proof: digest, agent_hash: digest.slice(0, 16), name: name ?? null };
}
