import { chmodSync, closeSync, constants, copyFileSync, linkSync, readdirSync, readFileSync } from 'node:fs';
import { makeDirectories } from '../platform/fs/make-directories.js';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { isCliError, stateError } from '../core/errors.js';
import { isBackupOf, parseSdkFile, SdkFileFormatError, type FileClient, type SdkFileView } from '../core/memoryx-clients.js';
import { shQuoteIfNeeded } from '../core/quote.js';
import { HOME_UNSET, homeDir } from '../platform/home.js';
import { sweepTempFiles, writeFileAtomic } from '../platform/fs/atomic-write.js';
import { failedParent, fileSystemError, isFileSystemErrno } from '../platform/fs/errno.js';
import { LockTimeoutError, withFileLock } from '../platform/fs/lock.js';
import { checkConfigDir, openConfigFile, type DirLabel } from './safety.js';

/**
 * A MemoryX client's own credentials file (~/.memoryx/config.json), held to the rules of t0ken's
 * own: an absolute HOME, a directory of the user's that no one else can write, a regular file of
 * the user's (never a symlink), at most 1 MiB, written atomically with mode 0600 under a lock.
 * A file it replaces that held something of value is first kept beside it as a backup.
 */

const MEMORYX_DIR: DirLabel = { what: 'MemoryX directory', instead: 'check that HOME is your own home directory' };
const WHAT = 'MemoryX config file';

export interface ClientFileRead {
  path: string;
  view: SdkFileView;
}

/** The client's file under HOME; a relative or empty HOME is refused (nothing is written under the current directory). */
export function clientFilePath(env: NodeJS.ProcessEnv, client: FileClient): string {
  const home = homeDir(env);
  if (!home || !isAbsolute(home)) {
    throw stateError(
      `${env.HOME === undefined ? HOME_UNSET : `HOME is empty or relative (${JSON.stringify(home)})`}, so ~/${client.file.join('/')} has no place; t0ken writes nothing under the current directory`,
      'Set HOME to your home directory (an absolute path), then run the command again.',
    );
  }
  return join(home, ...client.file);
}

/** The file as the client would read it, or undefined when there is none; exit 7 for one t0ken may not trust or cannot parse. */
export function readClientFile(path: string): ClientFileRead | undefined {
  if (!checkConfigDir(dirname(path), MEMORYX_DIR)) return undefined;
  return readChecked(path);
}

function readChecked(path: string): ClientFileRead | undefined {
  const opened = openConfigFile(path, WHAT, MEMORYX_DIR.instead);
  if (!opened) return undefined;
  let text: string;
  try {
    text = readFileSync(opened.fd, 'utf8');
  } catch (error) {
    throw fileSystemError(error, `read the ${WHAT}`, path, dirname(path), MEMORYX_DIR.instead);
  } finally {
    closeSync(opened.fd);
  }
  try {
    return { path, view: parseSdkFile(text) };
  } catch (error) {
    if (!(error instanceof SdkFileFormatError)) throw error;
    throw stateError(
      `the ${WHAT} ${path} is not one t0ken understands: ${error.message}; it was left untouched`,
      `Fix it or move it aside (mv ${shQuoteIfNeeded(path)} ${shQuoteIfNeeded(`${path}.bak`)}), then run the command again.`,
      error,
    );
  }
}

/** The backups `link` kept beside the file (oldest first), each read as the client would read it; unreadable ones are skipped. */
export function readBackups(path: string): ClientFileRead[] {
  const dir = dirname(path);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const found: ClientFileRead[] = [];
  for (const name of names.filter((n) => isBackupOf(basename(path), n)).sort()) {
    try {
      const read = readChecked(join(dir, name));
      if (read) found.push(read);
    } catch {
      // a backup that is not the user's or not JSON any more is not an identity t0ken can use
    }
  }
  return found;
}

export interface ClientFileWrite {
  /** The new text, or undefined to leave the file as it is. */
  text: string | undefined;
  /** Keep the current file under this name (beside it) before replacing it. */
  backupName?: string;
}

/**
 * Reads the file afresh under a lock beside it (`.<name>.t0ken-lock`), lets `decide` choose, keeps the
 * backup (a hard link: the very bytes, no window where the old key exists nowhere), then replaces
 * the file atomically with mode 0600. Returns what `decide` saw and the backup's path.
 */
export async function updateClientFile<T>(
  path: string,
  decide: (current: ClientFileRead | undefined) => ClientFileWrite & { result: T },
): Promise<{ result: T; backup: string | undefined; written: boolean }> {
  const dir = dirname(path);
  ensureDir(dir);
  const lockPath = join(dir, `.${basename(path)}.t0ken-lock`);
  try {
    return await withFileLock(lockPath, () => {
      sweepTempFiles(path);
      const current = readChecked(path);
      const choice = decide(current);
      if (choice.text === undefined) return { result: choice.result, backup: undefined, written: false };
      const backup = current && choice.backupName ? keepBackup(path, join(dir, choice.backupName)) : undefined;
      writeFileAtomic(path, choice.text, 0o600);
      return { result: choice.result, backup, written: true };
    });
  } catch (error) {
    if (error instanceof LockTimeoutError) {
      throw stateError(`${path} is being written by another t0ken process (${error.holder})`, `Wait for it to finish; if no t0ken is running, delete ${shQuoteIfNeeded(lockPath)}.`, error);
    }
    if (isCliError(error) || !isFileSystemErrno(error)) throw error;
    const failed = (error as NodeJS.ErrnoException).path ?? path;
    throw fileSystemError(error, `write ${failed === path ? `the ${WHAT}` : 'in the MemoryX directory:'}`, failed, dir, MEMORYX_DIR.instead);
  }
}

/** Creates ~/.memoryx (0700) when missing; an existing one must pass the directory checks. */
function ensureDir(dir: string): void {
  if (checkConfigDir(dir, MEMORYX_DIR)) return;
  try {
    makeDirectories(dir, 0o700);
    chmodSync(dir, 0o700);
  } catch (error) {
    throw fileSystemError(error, `create the ${MEMORYX_DIR.what}`, dir, failedParent(error, dir), MEMORYX_DIR.instead);
  }
  checkConfigDir(dir, MEMORYX_DIR);
}

/**
 * Keeps the file beside itself: an existing backup with the very same bytes (a run that failed after
 * keeping it) is reused; a new name is never an old backup's (`name`, else -2, -3… before .bak).
 * Mode 0600: it holds a key.
 */
function keepBackup(path: string, wanted: string): string {
  const same = sameBytesBackup(path);
  if (same) return same;
  for (let n = 1; ; n++) {
    const target = n === 1 ? wanted : wanted.replace(/\.bak$/, `-${n}.bak`);
    try {
      linkSync(path, target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && n < 100) continue;
      if (code !== 'EPERM' && code !== 'EXDEV' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error;
      copyFileSync(path, target, constants.COPYFILE_EXCL); // a file system without hard links
    }
    chmodSync(target, 0o600);
    return target;
  }
}

function sameBytesBackup(path: string): string | undefined {
  const bytes = readFileSync(path);
  const dir = dirname(path);
  for (const name of readdirSync(dir).filter((n) => isBackupOf(basename(path), n))) {
    try {
      if (readFileSync(join(dir, name)).equals(bytes)) return join(dir, name);
    } catch {
      // unreadable: not the one
    }
  }
  return undefined;
}
