import { constants, lstatSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { CliError, stateError } from '../../core/errors.js';
import { shQuoteIfNeeded } from '../../core/quote.js';
import { fileSystemError } from './errno.js';

// ssh-style checks on a file t0ken trusts (config, lock): a regular file of this user's, never a symlink.

export const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0; // undefined on Windows, where there is no such attack

export const myUid = (): number | undefined => process.getuid?.();

/** Refuses a lock that is a symlink or another user's; undefined when there is none (any more). */
export function inspectLockFile(path: string): Stats | undefined {
  let stats: Stats;
  try {
    stats = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fileSystemError(error, 'check the lock file', path, dirname(path));
  }
  if (stats.isSymbolicLink()) throw symlinkRefused(path, 'lock file');
  checkOwnFile(path, stats, 'lock file');
  return stats;
}


export function checkOwnFile(path: string, stats: Stats, what: string): void {
  const q = shQuoteIfNeeded(path);
  if (!stats.isFile()) {
    throw stateError(`the ${what} path ${path} is not a regular file; it was left untouched`, `Move it aside (mv ${q} ${shQuoteIfNeeded(`${path}.bak`)}), then run the command again.`);
  }
  const uid = myUid();
  if (uid !== undefined && stats.uid !== uid) {
    throw stateError(
      `the ${what} ${path} is owned by another user (uid ${stats.uid}); it was left untouched and nothing was read or sent`,
      `Move it aside (mv ${q} ${shQuoteIfNeeded(`${path}.suspect`)}) or fix its owner (sudo chown $(id -u) ${q}), then run the command again.`,
    );
  }
}

export function symlinkRefused(path: string, what: string): CliError {
  return stateError(
    `the ${what} ${path} is a symbolic link; t0ken neither follows nor replaces it, and nothing was read or sent`,
    `Someone may have planted it: look where it points (ls -l ${shQuoteIfNeeded(path)}), move it aside (mv ${shQuoteIfNeeded(path)} ${shQuoteIfNeeded(`${path}.suspect`)}), then run the command again.`,
  );
}
