/** mulberry32: a small seeded PRNG giving numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A test's randomness (vectors, kill delays), seeded from `variable` when set, else from the clock,
 * and the seed printed, so a failure can be replayed: `variable=<seed> npx vitest run <file>`.
 */
export function seededRandom(label: string, variable = 'TEST_SEED'): () => number {
  const seed = Number(process.env[variable] ?? Date.now() % 1_000_000);
  console.log(`${label}: seed ${seed} (replay with ${variable}=${seed})`);
  return mulberry32(seed);
}
