import { closeSync, constants, fchmodSync, fsyncSync, lstatSync, openSync, readdirSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { cleanupOnExit } from './exit-cleanup.js';
import { O_NOFOLLOW } from './own-file.js';

/**
 * Atomic replacement of a small file: a temp file (0600, exclusive, never through a symlink) in the
 * same directory, written, fsynced, renamed over the target, and the directory fsynced. The temp
 * file never outlives the call: it is removed on every error and if the process is interrupted;
 * one left by a SIGKILLed process is swept by `sweepTempFiles` (the store calls it under its lock).
 */

const tempPrefix = (target: string): string => `${basename(target)}.tmp-`;

function createTemp(target: string, mode: number): { path: string; fd: number } {
  for (let attempt = 0; ; attempt++) {
    const path = join(dirname(target), `${tempPrefix(target)}${process.pid}-${Math.random().toString(16).slice(2, 10)}`);
    try {
      return { path, fd: openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | O_NOFOLLOW, mode) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 5) throw error;
    }
  }
}

function writeAll(fd: number, bytes: Buffer): void {
  let offset = 0;
  while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
}

const unlinkQuietly = (path: string): void => {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
};

/** Writes `bytes` to a fresh temp file next to `target` and hands it to `commit`; the temp is gone afterwards either way. */
function withTempFile(target: string, bytes: Buffer, mode: number, commit: (tempPath: string) => void): void {
  const temp = createTemp(target, mode);
  const forget = cleanupOnExit(() => unlinkQuietly(temp.path));
  let fdOpen = true;
  try {
    fchmodSync(temp.fd, mode); // the umask may have narrowed it; it never widens it
    writeAll(temp.fd, bytes);
    fsyncSync(temp.fd);
    closeSync(temp.fd);
    fdOpen = false;
    commit(temp.path);
  } catch (error) {
    if (fdOpen) {
      try {
        closeSync(temp.fd);
      } catch {
        // closing is best effort on the way out
      }
    }
    unlinkQuietly(temp.path);
    throw error;
  } finally {
    forget();
  }
}

export function writeFileAtomic(target: string, text: string, mode = 0o600): void {
  withTempFile(target, Buffer.from(text, 'utf8'), mode, (tempPath) => {
    renameSync(tempPath, target);
    fsyncDirectory(dirname(target));
  });
}

/**
 * Proves that `bytes` can be written next to `target` (permissions, read-only mounts, a full disk
 * or quota) without touching it: the same temp file as a real write, then removed.
 */
export function proveWritable(target: string, bytes: number): void {
  withTempFile(target, Buffer.alloc(bytes, 0x20), 0o600, (tempPath) => unlinkSync(tempPath));
}

/** Removes temp files of `target` left by a killed writer. Call it only while holding the lock. */
export function sweepTempFiles(target: string): number {
  const dir = dirname(target);
  const prefix = tempPrefix(target);
  let removed = 0;
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(prefix)) continue;
    const path = join(dir, name);
    try {
      const stats = lstatSync(path);
      if (!stats.isFile() && !stats.isSymbolicLink()) continue;
      unlinkSync(path); // unlinking a symlink removes the link, never its target
      removed++;
    } catch {
      // gone meanwhile
    }
  }
  return removed;
}

function fsyncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, constants.O_RDONLY);
    fsyncSync(fd);
  } catch {
    // not supported everywhere (Windows); the rename itself is what makes the write atomic
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
