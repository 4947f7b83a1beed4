import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * `mkdir -p`: creates `dir` and its missing parents, one mkdir each, and returns the first directory
 * it created (undefined when `dir` was there), as `mkdirSync(dir, { recursive: true })` does. Not
 * that call: where mkdir answers ENOENT for a parent that exists (anything under /proc), Node's loop
 * tries again forever at full CPU; here the ENOENT is the error, and the command exits 7.
 */
export function makeDirectories(dir: string, mode?: number): string | undefined {
  const missing: string[] = [];
  for (let at = dir; ; at = dirname(at)) {
    try {
      if (statSync(at).isDirectory()) break;
      throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${dir}'`), { code: 'ENOTDIR', errno: -20, syscall: 'mkdir', path: at });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    missing.push(at);
    if (dirname(at) === at) break; // the root itself is missing: mkdir says why
  }
  missing.reverse();
  for (const each of missing) {
    try {
      mkdirSync(each, { mode });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error; // made by a parallel run since
    }
  }
  return missing[0];
}
