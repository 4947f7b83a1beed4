import { basename, dirname } from 'node:path';
import { CliError, isCliError } from '../../core/errors.js';
import { shQuoteIfNeeded } from '../../core/quote.js';

// Any file-system errno becomes exit 7 with a hint that fits it (a full disk is not a permissions problem).

const FS_CODES: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ELOOP: 'too many symbolic links',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'it is a directory',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EIO: 'input/output error',
  EFBIG: 'file too large',
  ENAMETOOLONG: 'file name too long',
  EBUSY: 'resource busy',
  EEXIST: 'file exists',
  ENOENT: 'no such file or directory',
  EXDEV: 'cross-device link',
  EMLINK: 'too many links',
  ETXTBSY: 'text file busy',
  ESTALE: 'stale file handle',
  EAGAIN: 'resource temporarily unavailable',
};

/** The way out that is not fixing the directory, for t0ken's own files. Other programs' files name their own. */
export const OWN_DIRECTORY_INSTEAD = 'set T0KEN_CONFIG_DIR to a directory of your own';

/** A hint that fits the errno: what to run for this failure, on this path (`instead`: the other way out). */
export function hintFor(code: string | undefined, path: string, dir: string, instead = OWN_DIRECTORY_INSTEAD): string {
  const qd = shQuoteIfNeeded(dir);
  switch (code) {
    case 'ENOSPC':
      return `The file system holding ${dir} is full: free some space (df -h ${qd} shows how much is left), then run the command again.`;
    case 'EDQUOT':
      return `Your disk quota on the file system holding ${dir} is used up: free some space (quota -s), then run the command again.`;
    case 'EROFS':
      return `${dir} is on a read-only file system: remount it read-write, or ${instead}.`;
    case 'EACCES':
    case 'EPERM':
      return basename(path) === 'config.json'
        ? `Run chmod 600 ${shQuoteIfNeeded(path)} && chmod u+rwx ${qd} (or ${instead}).`
        : `You may not create files in ${dir}: run chmod u+rwx ${qd} (or ${instead}).`;
    case 'ELOOP':
      return `A symbolic link is in the way: move it aside (mv ${shQuoteIfNeeded(path)} ${shQuoteIfNeeded(`${path}.suspect`)}).`;
    case 'ENOTDIR':
    case 'EISDIR':
    case 'EEXIST':
      return `Something else is in the way at ${path}: move it aside, or ${instead}.`;
    case 'EMFILE':
    case 'ENFILE':
      return 'Too many files are open: close some programs (or raise ulimit -n), then run the command again.';
    case 'EIO':
      return `The disk holding ${dir} reported an I/O error: it may be failing (see dmesg); copy your config elsewhere.`;
    default:
      return `Check ${dir}: its permissions, free space and file system (or ${instead}).`;
  }
}

/** An errno in words, then its code: `permission denied (EACCES)`. */
export function describeErrno(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const what = (code && FS_CODES[code]) || (error as Error).message;
  return `${what}${code ? ` (${code})` : ''}`;
}

/** Any errno from the file system as exit 7: `could not <action> <path>: <what> (<CODE>)`, with its hint. */
export function fileSystemError(error: unknown, action: string, path: string, dir: string, instead?: string): CliError {
  if (isCliError(error)) return error;
  const code = (error as NodeJS.ErrnoException).code;
  return new CliError('local_state', `could not ${action} ${path}: ${describeErrno(error)}`, { hint: hintFor(code, path, dir, instead), cause: error });
}

/** Whether `error` is an errno from the file system (not a bug in our code, not a network error). */
export function isFileSystemErrno(error: unknown): error is NodeJS.ErrnoException {
  const { code, syscall } = (error ?? {}) as NodeJS.ErrnoException;
  // ENOENT/EACCES from spawning a program (a keychain helper, say) is not about a file we write.
  return error instanceof Error && typeof code === 'string' && code in FS_CODES && !syscall?.startsWith('spawn');
}

/** Where a `mkdir -p` failed: the parent of the directory it could not create (HOME for a missing ~/.config), else `dir`'s parent. */
export function failedParent(error: unknown, dir: string): string {
  const failed = (error as NodeJS.ErrnoException).path;
  return dirname(typeof failed === 'string' ? failed : dir);
}

/** For the top level: a file-system error that escaped a command is exit 7, never "a bug" (exit 1). */
export function asFileSystemError(error: unknown): CliError | undefined {
  if (!isFileSystemErrno(error)) return undefined;
  const { path, syscall } = error;
  if (path === undefined && syscall === undefined) return undefined;
  const where = typeof path === 'string' ? path : 'a file';
  return fileSystemError(error, syscall ? `${syscall}` : 'use', where, typeof path === 'string' ? dirname(path) : '.');
}
