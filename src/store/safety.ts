import { closeSync, constants, fstatSync, lstatSync, openSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, isAbsolute } from 'node:path';
import { stateError } from '../core/errors.js';
import { shQuoteIfNeeded } from '../core/quote.js';
import { HOME_UNSET, homeForExamples } from '../platform/home.js';
import { fileSystemError, OWN_DIRECTORY_INSTEAD } from '../platform/fs/errno.js';
import { checkOwnFile, myUid, O_NOFOLLOW, symlinkRefused } from '../platform/fs/own-file.js';

/**
 * The checks ssh makes before it trusts its files, made before t0ken reads or sends anything: a
 * config directory that is absolute, the user's own and writable by no one else; a config file and
 * lock that are regular files of the user's, not symlinks, and a config of sane size. Every refusal
 * is exit 7 with the command that fixes it (the file-level checks and errno hints are platform/fs/).
 */

export const MAX_CONFIG_BYTES = 1024 * 1024;

const O_NONBLOCK = constants.O_NONBLOCK ?? 0; // a planted FIFO must not hang the open

/** The per-user config directory must be absolute: an empty HOME must not put keys under the current directory. */
export function requireAbsoluteConfigDir(dir: string, env: NodeJS.ProcessEnv): void {
  if (isAbsolute(dir)) return;
  const why = env.T0KEN_CONFIG_DIR
    ? 'T0KEN_CONFIG_DIR is a relative path'
    : env.XDG_CONFIG_HOME
      ? 'XDG_CONFIG_HOME is a relative path'
      : env.HOME === undefined
        ? HOME_UNSET
        : 'HOME is empty or relative';
  // The example lives under HOME unless HOME is what went wrong (then the password database's home).
  const home = env.HOME && isAbsolute(env.HOME) ? env.HOME : homeForExamples();
  throw stateError(
    `the config directory ${JSON.stringify(dir)} is not an absolute path (${why}); t0ken writes nothing under the current directory`,
    `Set T0KEN_CONFIG_DIR (or XDG_CONFIG_HOME) to an absolute path, e.g. export T0KEN_CONFIG_DIR=${shQuoteIfNeeded(`${home}/.config/t0ken`)}`,
  );
}


/**
 * The config directory's stats, or undefined when it does not exist yet. Refuses a directory that
 * is not a directory, belongs to another user (root's is allowed, as ssh allows it), or is writable
 * by group or others: anyone who can write there can plant a symlink where config.json goes.
 */
export interface DirLabel {
  /** "config directory", or the other program's directory ("MemoryX directory"). */
  what: string;
  /** The way out that is not chmod, for a hint: "set T0KEN_CONFIG_DIR to a directory of your own". */
  instead: string;
  /** The variable that named this very path, if one did: the path is then the user's mistake to fix there, not a thing to move. */
  namedBy?: string;
}

const CONFIG_DIR: DirLabel = { what: 'config directory', instead: OWN_DIRECTORY_INSTEAD };
const NAMED_CONFIG_DIR: DirLabel = { ...CONFIG_DIR, namedBy: 'T0KEN_CONFIG_DIR' };

/** The config directory's label: whether T0KEN_CONFIG_DIR named it, or HOME or XDG_CONFIG_HOME led to it. */
export const configDirLabel = (namedByVariable: boolean): DirLabel => (namedByVariable ? NAMED_CONFIG_DIR : CONFIG_DIR);

export function checkConfigDir(dir: string, label: DirLabel = CONFIG_DIR): Stats | undefined {
  let stats: Stats;
  try {
    stats = statSync(dir); // the directory itself may be a symlink the user made (dotfiles): follow it
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'EACCES' || code === 'EPERM') {
      // Not the directory itself: one above it that this user may not enter (sudo -E, a HOME of another user).
      throw stateError(
        `cannot reach the ${label.what} ${dir}: permission denied (${code})`,
        `A directory on its path is closed to this user (uid ${myUid() ?? '?'}); is HOME right? Or ${label.instead}.`,
        error,
      );
    }
    throw fileSystemError(error, `use the ${label.what}`, dir, dir, label.instead);
  }
  const q = shQuoteIfNeeded(dir);
  if (!stats.isDirectory()) {
    // Moving it aside is a way out for a file where t0ken's directory goes, not for one a variable named
    // by mistake (/etc/passwd), nor for a device (/dev/null).
    if (label.namedBy !== undefined) {
      throw stateError(`the ${label.what} ${dir} (from ${label.namedBy}) is not a directory`, `Set ${label.namedBy} to a directory of your own, or unset it.`);
    }
    const instead = stats.isFile() ? `Move it aside (mv ${q} ${shQuoteIfNeeded(`${dir}.bak`)}) or ${label.instead}.` : `${label.instead.charAt(0).toUpperCase()}${label.instead.slice(1)}.`;
    throw stateError(`the ${label.what} ${dir} is not a directory`, instead);
  }
  const uid = myUid();
  if (uid !== undefined && stats.uid !== uid && stats.uid !== 0) {
    throw stateError(
      `the ${label.what} ${dir} belongs to another user (uid ${stats.uid}); nothing was read or sent`,
      label === CONFIG_DIR ? `Use a directory of your own: export T0KEN_CONFIG_DIR=${shQuoteIfNeeded(`${homeForExamples()}/.config/t0ken`)}` : `Check HOME, or fix its owner (sudo chown $(id -u) ${q}).`,
    );
  }
  if (uid !== undefined && (stats.mode & 0o022) !== 0) {
    const who = (stats.mode & 0o002) !== 0 ? 'everyone' : 'its group';
    throw stateError(
      `the ${label.what} ${dir} is writable by ${who} (mode ${(stats.mode & 0o7777).toString(8)}), so another user could plant files in it; nothing was read or sent`,
      `Make it yours alone: chmod 700 ${q}  (or ${label.instead})`,
    );
  }
  return stats;
}

/** Opens config.json for reading without following a symlink; undefined when it does not exist. */
export function openConfigFile(path: string, what = 'config file', instead?: string): { fd: number; stats: Stats } | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw symlinkRefused(path, what);
    if (code === 'EACCES') {
      // Another user's file that we may not even open: say whose it is (their mode 600 made it EACCES,
      // and `chmod` is no way out for us), as for one we can open.
      const stats = lstatOrUndefined(path);
      if (stats) checkOwnFile(path, stats, what);
    }
    throw fileSystemError(error, `read the ${what}`, path, dirname(path), instead);
  }
  try {
    const stats = fstatSync(fd);
    checkOwnFile(path, stats, what);
    if (stats.size > MAX_CONFIG_BYTES) {
      throw stateError(
        `the ${what} ${path} is ${(stats.size / 1024 / 1024).toFixed(1)} MiB, over the 1 MiB ${what === 'config file' ? 'a t0ken config can be' : 't0ken reads'}; it was left untouched and not read`,
        `It is not ${what === 'config file' ? 'a t0ken config' : `a ${what}`}: move it aside (mv ${shQuoteIfNeeded(path)} ${shQuoteIfNeeded(`${path}.bak`)}), then run the command again.`,
      );
    }
    return { fd, stats };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}
