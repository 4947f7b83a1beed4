/**
 * Decides whether a stream gets colour. chalk alone ignores NO_COLOR and TERM=dumb, so the decision
 * is ours: --no-color wins, then FORCE_COLOR, then NO_COLOR / TERM=dumb, then "is it a terminal".
 * Returns a chalk level (0 = no colour).
 */
export type ColorLevel = 0 | 1 | 2 | 3;

export interface ColorInputs {
  flagEnabled: boolean; // false when --no-color or --json was given
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
}

export function colorLevel({ flagEnabled, env, isTTY }: ColorInputs): ColorLevel {
  if (!flagEnabled) return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force.toLowerCase() === 'false') return 0;
    if (force === '2') return 2;
    if (force === '3') return 3;
    return 1;
  }
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  if (env.TERM === 'dumb') return 0;
  if (!isTTY) return 0;
  if (env.COLORTERM === 'truecolor' || env.COLORTERM === '24bit') return 3;
  if (env.TERM?.includes('256')) return 2;
  return 1;
}
