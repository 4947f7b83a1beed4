import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { hashProof, plainSha256Hex } from '../../src/core/proof.js';
import { nativeSha256Hex } from '../../src/platform/native-sha256.js';
import { validateAgentName } from '../../src/core/validate.js';

// Each digest below was computed with coreutils, not with our code:
//   printf '%s|%s' KEY NAME | sha256sum      (named)
//   printf '%s' KEY | sha256sum              (unnamed)
const NAMED: Array<[key: string, name: string, digest: string]> = [
  ['sk-ant-api03-abc', 'my-agent', '97eebfe16d11e30587c2df5df59c2758eb2ecedd3a3550a111169055931f5f16'],
  ['sk-proj-XYZ123', 'a1', '3c0b1125544f17c8ec34cf90a6829b86d92a98f100dfe39ae7b71caed56c5d19'],
  ['AIzaSyD-example-key', 'gemini-bot-01', 'a69abfd9244ff0eaf94d30309fa6b2d0d2011ce2584f012609a4630bf516f4ae'],
  ['key with spaces', 'Agent-007', '21b5539899c291b3b7f7d44318ef4df9098d33d75643ba42f6c32bf3b76dcf18'],
  ['0000', 'zz', '2dfc3c37345d041fb45b553505c5a6d6d05a78fcb6d780a3502da058160dbd21'],
  // printf '%s|%s' 'клю́ч-🔑' 'unicode-key' | sha256sum   (a non-ASCII key is hashed as UTF-8)
  ['клю́ч-🔑', 'unicode-key', '32e687a1b0f98349d87c7065ecdbf9f67d19dbc2b7a6fd1439b23664334f7f72'],
];

describe('hash proof', () => {
  it.each(NAMED)('SHA256(%s|%s) matches sha256sum', (key, name, digest) => {
    const proof = hashProof(key, name);
    expect(proof.hash_proof).toBe(digest);
    expect(proof.agent_hash).toBe(digest.slice(0, 16));
    expect(proof.name).toBe(name);
  });

  it('hashes the key alone when no name is given', () => {
    // printf '%s' 'sk-ant-api03-abc' | sha256sum
    const proof = hashProof('sk-ant-api03-abc');
    expect(proof.hash_proof).toBe('5365cccba4ff0b57938e7a470bb5c298e483ef54a0e1ad2c20b3cfa4f6762932');
    expect(proof.name).toBeNull();
  });

  it('is 64 lowercase hex and the agent_hash is its 16-character prefix', () => {
    const proof = hashProof('any-key', 'any-name');
    expect(proof.hash_proof).toMatch(/^[0-9a-f]{64}$/);
    expect(proof.hash_proof.startsWith(proof.agent_hash)).toBe(true);
  });

  it('rejects non-ASCII and malformed agent names before hashing', () => {
    for (const bad of ['agént', 'агент', 'a', '-ab', 'ab-', 'a_b', 'a b', 'x'.repeat(33), '', '🔑🔑']) {
      expect(() => validateAgentName(bad), bad).toThrow(expect.objectContaining({ exitCode: 2 }));
    }
    for (const good of ['ab', 'my-agent', 'A1', 'x'.repeat(32), 'a--b']) expect(validateAgentName(good)).toBe(good);
  });
});

describe('the digest for many proofs (node:crypto) gives what the plain one gives', () => {
  const inputs = ['', 'a', ...NAMED.map(([key, name]) => `${key}|${name}`), 'clé|agent', '🔑|x', 'lone \ud800 surrogate', 'x'.repeat(100_000)];

  it.each([
    ['crypto.hash (Node >= 20.12)', false],
    ['createHash, where crypto.hash is missing', true],
  ])('%s', (_label, withoutHash) => {
    const crypto = createRequire(import.meta.url)('node:crypto') as { hash?: unknown };
    const hash = crypto.hash;
    if (withoutHash) delete crypto.hash;
    expect(typeof crypto.hash).toBe(withoutHash ? 'undefined' : 'function');
    try {
      const native = nativeSha256Hex();
      for (const input of inputs) expect(native(input), JSON.stringify(input.slice(0, 20))).toBe(plainSha256Hex(input));
      for (const [key, name, digest] of NAMED) expect(hashProof(key, name, native).hash_proof).toBe(digest);
    } finally {
      crypto.hash = hash;
    }
  });
});
