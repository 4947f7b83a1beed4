import { closeSync, constants, fstatSync, lstatSync, openSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, isAbsolute } from 'node:path';
import { CliError, isCliError, stateError } from '../core/errors.js';
import { Exit } from '../core/exit-codes.js';
import { homeForExamples } from '../platform/home.js';

/**
 * The checks ssh makes before it trusts its files, made before t0ken reads or sends anything: a
 * config directory that is absolute, the user's own and writable by no one else; a config file and
 * lock that are regular files of the user's, not symlinks, and a config of sane size. Every refusal
 * is exit 7 with the command that fixes it. Also: any file-system errno becomes exit 7 with a hint
 * that fits it (a full disk is not a permissions problem).
 */

export const MAX_CONFIG_BYTES = 1024 * 1024;

export const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0; // undefined on Windows, where there is no such attack
const O_NONBLOCK = constants.O_NONBLOCK ?? 0; // a planted FIFO must not hang the open

/** Quotes a path for a shell command in a hint, only when it needs it. */
export const shellQuote = (path: string): string => (/^[\w@%+=:,./~-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`);

const myUid = (): number | undefined => process.getuid?.();

/** The per-user config directory must be absolute: an empty HOME must not put keys under the current directory. */
export function requireAbsoluteConfigDir(dir: string, env: NodeJS.ProcessEnv): void {
  if (isAbsolute(dir)) return;
  const why = env.T0KEN_CONFIG_DIR
    ? 'T0KEN_CONFIG_DIR is a relative path'
    : env.XDG_CONFIG_HOME
      ? 'XDG_CONFIG_HOME is a relative path'
      : 'HOME is empty or relative';
  throw stateError(
    `the config directory ${JSON.stringify(dir)} is not an absolute path (${why}); t0ken writes nothing under the current directory`,
    `Set T0KEN_CONFIG_DIR (or XDG_CONFIG_HOME) to an absolute path, e.g. export T0KEN_CONFIG_DIR=${shellQuote(`${homeForExamples()}/.config/t0ken`)}`,
  );
}


/**
 * The config directory's stats, or undefined when it does not exist yet. Refuses a directory that
 * is not a directory, belongs to another user (root's is allowed, as ssh allows it), or is writable
 * by group or others: anyone who can write there can plant a symlink where config.json goes.
 */
export function checkConfigDir(dir: string): Stats | undefined {
  let stats: Stats;
  try {
    stats = statSync(dir); // the directory itself may be a symlink the user made (dotfiles): follow it
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'EACCES' || code === 'EPERM') {
      // Not the directory itself: one above it that this user may not enter (sudo -E, a HOME of another user).
      throw stateError(
        `cannot reach the config directory ${dir}: permission denied (${code})`,
        `A directory on its path is closed to this user (uid ${myUid() ?? '?'}); is HOME right? Or set T0KEN_CONFIG_DIR to a directory of your own.`,
        error,
      );
    }
    throw fileSystemError(error, 'use the config directory', dir, dir);
  }
  const q = shellQuote(dir);
  if (!stats.isDirectory()) {
    throw stateError(`the config directory ${dir} is not a directory`, `Move it aside (mv ${q} ${shellQuote(`${dir}.bak`)}) or set T0KEN_CONFIG_DIR to a directory of your own.`);
  }
  const uid = myUid();
  if (uid !== undefined && stats.uid !== uid && stats.uid !== 0) {
    throw stateError(
      `the config directory ${dir} belongs to another user (uid ${stats.uid}); nothing was read or sent`,
      `Use a directory of your own: export T0KEN_CONFIG_DIR=${shellQuote(`${homeForExamples()}/.config/t0ken`)}`,
    );
  }
  if (uid !== undefined && (stats.mode & 0o022) !== 0) {
    const who = (stats.mode & 0o002) !== 0 ? 'everyone' : 'its group';
    throw stateError(
      `the config directory ${dir} is writable by ${who} (mode ${(stats.mode & 0o7777).toString(8)}), so another user could plant files in it; nothing was read or sent`,
      `Make it yours alone: chmod 700 ${q}  (or set T0KEN_CONFIG_DIR to a directory of your own)`,
    );
  }
  return stats;
}

/** Opens config.json for reading without following a symlink; undefined when it does not exist. */
export function openConfigFile(path: string): { fd: number; stats: Stats } | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw symlinkRefused(path, 'config file');
    throw fileSystemError(error, 'read the config file', path, dirname(path));
  }
  try {
    const stats = fstatSync(fd);
    checkOwnFile(path, stats, 'config file');
    if (stats.size > MAX_CONFIG_BYTES) {
      throw stateError(
        `the config file ${path} is ${(stats.size / 1024 / 1024).toFixed(1)} MiB, over the 1 MiB a t0ken config can be; it was left untouched and not read`,
        `It is not a t0ken config: move it aside (mv ${shellQuote(path)} ${shellQuote(`${path}.bak`)}), then run the command again.`,
      );
    }
    return { fd, stats };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

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

function checkOwnFile(path: string, stats: Stats, what: string): void {
  const q = shellQuote(path);
  if (!stats.isFile()) {
    throw stateError(`the ${what} path ${path} is not a regular file; it was left untouched`, `Move it aside (mv ${q} ${shellQuote(`${path}.bak`)}), then run the command again.`);
  }
  const uid = myUid();
  if (uid !== undefined && stats.uid !== uid) {
    throw stateError(
      `the ${what} ${path} is owned by another user (uid ${stats.uid}); it was left untouched and nothing was read or sent`,
      `Move it aside (mv ${q} ${shellQuote(`${path}.suspect`)}) or fix its owner (sudo chown $(id -u) ${q}), then run the command again.`,
    );
  }
}

function symlinkRefused(path: string, what: string): CliError {
  return stateError(
    `the ${what} ${path} is a symbolic link; t0ken neither follows nor replaces it, and nothing was read or sent`,
    `Someone may have planted it: look where it points (ls -l ${shellQuote(path)}), move it aside (mv ${shellQuote(path)} ${shellQuote(`${path}.suspect`)}), then run the command again.`,
  );
}

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

/** A hint that fits the errno: what to run for this failure, on this path. */
export function hintFor(code: string | undefined, path: string, dir: string): string {
  const qd = shellQuote(dir);
  switch (code) {
    case 'ENOSPC':
      return `The file system holding ${dir} is full: free some space (df -h ${qd} shows how much is left), then run the command again.`;
    case 'EDQUOT':
      return `Your disk quota on the file system holding ${dir} is used up: free some space (quota -s), then run the command again.`;
    case 'EROFS':
      return `${dir} is on a read-only file system: set T0KEN_CONFIG_DIR to a directory on a writable one (or remount it read-write).`;
    case 'EACCES':
    case 'EPERM':
      return basename(path) === 'config.json'
        ? `Run chmod 600 ${shellQuote(path)} && chmod u+rwx ${qd} (or set T0KEN_CONFIG_DIR to a directory of your own).`
        : `You may not create files in ${dir}: run chmod u+rwx ${qd} (or set T0KEN_CONFIG_DIR to a directory of your own).`;
    case 'ELOOP':
      return `A symbolic link is in the way: move it aside (mv ${shellQuote(path)} ${shellQuote(`${path}.suspect`)}).`;
    case 'ENOTDIR':
    case 'EISDIR':
    case 'EEXIST':
      return `Something else is in the way at ${path}: move it aside, or set T0KEN_CONFIG_DIR to a directory of your own.`;
    case 'EMFILE':
    case 'ENFILE':
      return 'Too many files are open: close some programs (or raise ulimit -n), then run the command again.';
    case 'EIO':
      return `The disk holding ${dir} reported an I/O error: it may be failing (see dmesg); copy your config elsewhere.`;
    default:
      return `Check ${dir}: its permissions, free space and file system (or set T0KEN_CONFIG_DIR to a directory of your own).`;
  }
}

/** Any errno from the file system as exit 7: `could not <action> <path>: <what> (<CODE>)`, with its hint. */
export function fileSystemError(error: unknown, action: string, path: string, dir: string): CliError {
  if (isCliError(error)) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const what = (code && FS_CODES[code]) || (error as Error).message;
  return new CliError('local_state', `could not ${action} ${path}: ${what}${code ? ` (${code})` : ''}`, Exit.state, { hint: hintFor(code, path, dir), cause: error });
}

/** Whether `error` is an errno from the file system (not a bug in our code, not a network error). */
export function isFileSystemErrno(error: unknown): error is NodeJS.ErrnoException {
  const { code, syscall } = (error ?? {}) as NodeJS.ErrnoException;
  // ENOENT/EACCES from spawning a program (a keychain helper, say) is not about a file we write.
  return error instanceof Error && typeof code === 'string' && code in FS_CODES && !syscall?.startsWith('spawn');
}

/** For the top level: a file-system error that escaped a command is exit 7, never "a bug" (exit 1). */
export function asFileSystemError(error: unknown): CliError | undefined {
  if (!isFileSystemErrno(error)) return undefined;
  const { path, syscall } = error;
  if (path === undefined && syscall === undefined) return undefined;
  const where = typeof path === 'string' ? path : 'a file';
  return fileSystemError(error, syscall ? `${syscall}` : 'use', where, typeof path === 'string' ? dirname(path) : '.');
}
