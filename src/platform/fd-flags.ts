import { readFileSync } from 'node:fs';

/**
 * How a descriptor of this process was opened (its open(2) flags: O_ACCMODE, O_NONBLOCK…), as Linux
 * says in /proc/self/fdinfo; undefined elsewhere, or when it cannot be read.
 */
export function openFlags(fd: number): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const flags = /^flags:\s*([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'latin1'))?.[1];
    return flags === undefined ? undefined : Number.parseInt(flags, 8);
  } catch {
    return undefined;
  }
}
