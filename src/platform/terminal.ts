import { fstatSync } from 'node:fs';
import { lazyRequire } from './lazy-require.js';

/**
 * A terminal? Files, pipes and /dev/null are told apart by fstat, without loading node:tty (and
 * node:net with it) or building `process.stdout` (node:stream, for a file or /dev/null).
 */
export function isTerminal(fd: number): boolean {
  try {
    const stats = fstatSync(fd);
    if (!stats.isCharacterDevice()) return false;
    if (process.platform === 'linux' && Math.floor(stats.rdev / 256) % 4096 === 1) return false; // /dev/null, /dev/zero…: memory devices
  } catch {
    return false;
  }
  return (lazyRequire('node:tty') as typeof import('node:tty')).isatty(fd);
}
