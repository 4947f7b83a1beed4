// "Did you mean …?": the closest of a few known words to a mistyped one. Pure.

/** Edit distance (insert, delete, substitute, swap two neighbours), stopping past `limit`. */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * The candidate closest to `word`: one a known word starts with (`claude` → `claude-code`), else
 * one within a third of its length in edits (`regster` → `register`, `craete` → `create`).
 * Undefined when nothing is close enough to be worth suggesting.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  if (lower.length >= 3) {
    const prefixed = candidates.filter((c) => c.startsWith(lower));
    if (prefixed.length === 1) return prefixed[0];
  }
  const limit = Math.max(1, Math.floor(lower.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    const d = distance(lower, candidate, limit);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** Every candidate that starts with `word` (`claude` → claude-code, claude-desktop), else the closest, else none. */
export function nearest(word: string, candidates: readonly string[]): string[] {
  const lower = word.toLowerCase();
  const prefixed = lower.length >= 3 ? candidates.filter((c) => c.startsWith(lower)) : [];
  if (prefixed.length > 0) return prefixed;
  const one = closest(word, candidates);
  return one === undefined ? [] : [one];
}
