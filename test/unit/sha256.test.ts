import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hmacSha256, sha256, toHex } from '../../src/core/sha256.js';

// Our SHA-256 and HMAC must be node:crypto's, byte for byte: every proof and fingerprint rests on them.
describe('sha256 and hmacSha256 agree with node:crypto', () => {
  it('on the FIPS vectors', () => {
    expect(toHex(sha256(Buffer.from('')))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(toHex(sha256(Buffer.from('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(toHex(sha256(Buffer.from('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')))).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  it('on every length around the block and padding edges, and random keys of every size', () => {
    let seed = 7;
    const byte = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    for (let length = 0; length < 300; length++) {
      const data = Buffer.from(Array.from({ length }, byte));
      expect(toHex(sha256(data)), `length ${length}`).toBe(createHash('sha256').update(data).digest('hex'));
      const key = Buffer.from(Array.from({ length: length % 140 }, byte));
      expect(toHex(hmacSha256(key, data)), `key ${key.length}`).toBe(createHmac('sha256', key).update(data).digest('hex'));
    }
  });

  it('on a megabyte', () => {
    const data = Buffer.alloc(1024 * 1024, 'x');
    expect(toHex(sha256(data))).toBe(createHash('sha256').update(data).digest('hex'));
  });
});
