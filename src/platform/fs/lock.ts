import { closeSync, constants, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { cleanupOnExit } from './exit-cleanup.js';
import { hasProcFs, pidAlive, processStartTime } from './process-identity.js';
import { inspectLockFile, O_NOFOLLOW } from './own-file.js';
import { sleep } from '../sleep.js';


/** How long a lock that cannot be tied to a live process is respected, unless the caller says otherwise. */
const UNVERIFIABLE_MS = 2_000;

export interface LockOptions {
  waitMs?: number;   // give up after this long
  staleMs?: number;  // a lock older than this is abandoned even if its holder is alive (a hung process)
  /** How long a lock that cannot be tied to a live process (garbage, a foreign format, a future time) is respected. */
  unverifiableMs?: number;
}

export class LockTimeoutError extends Error {
  constructor(readonly lockPath: string, readonly holder: string) {
    super(`timed out waiting for ${lockPath} (held by ${holder})`);
  }
}

/**
 * Who holds the lock: `pid start created nonce`. `start` is the process's start time from /proc
 * ("-" where there is none), so a pid reused by another program (PID 1 in a container) does not
 * pass for the holder.
 */
interface Holder {
  pid: number;
  start: string | undefined;
  created: number;
}

function parseHolder(text: string): Holder | undefined {
  const fields = text.trim().split(' ');
  // An older t0ken wrote `pid time nonce`: its pid can still be found dead.
  const [pidText, start, createdText] = fields.length === 3 ? [fields[0], undefined, fields[1]] : fields.length === 4 ? fields : [];
  const pid = Number(pidText);
  const created = Number(createdText);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isFinite(created)) return undefined; // garbage or half-written
  return { pid, start: start !== undefined && /^\d+$/.test(start) ? start : undefined, created };
}

/**
 * Serialises writers across processes with an exclusive-create lock file. Hold it only for a
 * read-modify-write: a waiter gives up when one holder has kept it for `waitMs`. A lock whose holder is gone, whose pid now
 * belongs to another process, or whose time is in the future is taken over within seconds.
 */
export async function withFileLock<T>(lockPath: string, task: () => Promise<T> | T, options: LockOptions = {}): Promise<T> {
  const waitMs = options.waitMs ?? 10_000;
  const staleMs = options.staleMs ?? 30_000;
  const unverifiableMs = options.unverifiableMs ?? UNVERIFIABLE_MS;
  const own = holderLine();
  // The wait is per holder: while the lock passes from one process to the next, work is being done
  // (60 writers on 2 busy cores can queue longer than waitMs); one holder keeping it waitMs is not.
  let deadline = Date.now() + waitMs;
  let lastHolder: string | undefined;
  let delay = 2;
  for (;;) {
    if (tryCreate(lockPath, own)) break;
    const stats = inspectLockFile(lockPath); // a symlink or another user's lock: exit 7 now, not after waitMs
    if (stats) {
      const text = readHolder(lockPath);
      if (text !== undefined && isStale(text, stats.mtimeMs, staleMs, unverifiableMs)) {
        removeIfUnchanged(lockPath, text);
        continue;
      }
      if (text !== lastHolder) {
        lastHolder = text;
        deadline = Date.now() + waitMs;
      } else if (Date.now() > deadline) {
        throw new LockTimeoutError(lockPath, text?.trim() || 'unknown');
      }
    }
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 50);
  }
  const forget = cleanupOnExit(() => removeIfUnchanged(lockPath, own));
  try {
    return await task();
  } finally {
    forget();
    removeIfUnchanged(lockPath, own);
  }
}

/**
 * Takes the lock for as long as a process needs it (a sandbox keeping its state file), without
 * waiting: the function that lets it go (also called at exit), or the holder when a live process has
 * it. One whose holder is gone, or whose pid now belongs to another process, is taken over.
 */
export function holdFileLock(lockPath: string): { release: () => void } | { holder: string } {
  const own = holderLine();
  for (let attempt = 0; ; attempt++) {
    if (tryCreate(lockPath, own)) {
      const forget = cleanupOnExit(() => removeIfUnchanged(lockPath, own));
      return {
        release: () => {
          forget();
          removeIfUnchanged(lockPath, own);
        },
      };
    }
    const stats = inspectLockFile(lockPath);
    const text = stats ? readHolder(lockPath) : undefined;
    if (stats && text !== undefined && isStale(text, stats.mtimeMs, Number.POSITIVE_INFINITY, UNVERIFIABLE_MS) && attempt < 3) {
      removeIfUnchanged(lockPath, text);
      continue;
    }
    if (!stats && attempt < 3) continue; // gone between our attempts
    return { holder: text?.trim() || 'unknown' };
  }
}

/** What a lock holds: `pid start created nonce` (see Holder). */
const holderLine = (): string => `${process.pid} ${processStartTime(process.pid) ?? '-'} ${Date.now()} ${Math.random().toString(36).slice(2, 10)}`;

/** Creates the lock holding `content`; false when it exists. A failed write leaves no empty lock behind. */
function tryCreate(lockPath: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(lockPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | O_NOFOLLOW, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    const bytes = Buffer.from(content);
    if (writeSync(fd, bytes) !== bytes.length) throw Object.assign(new Error('short write to the lock file'), { code: 'ENOSPC', path: lockPath, syscall: 'write' });
  } catch (error) {
    closeSync(fd);
    unlinkQuietly(lockPath);
    throw error;
  }
  closeSync(fd);
  return true;
}

function readHolder(lockPath: string): string | undefined {
  try {
    const fd = openSync(lockPath, constants.O_RDONLY | O_NOFOLLOW);
    try {
      return readFileSync(fd, 'utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined; // vanished between our attempts (or was swapped for a link): just retry
  }
}

function isStale(text: string, mtimeMs: number, staleMs: number, unverifiableMs: number): boolean {
  const now = Date.now();
  const holder = parseHolder(text);
  // Created but not yet written (microseconds), garbage, or another format: judge by the file's age.
  if (!holder) return now - mtimeMs > unverifiableMs;
  if (holder.created > now + unverifiableMs) return true; // from the future: a clock that jumped, or a forgery
  if (!pidAlive(holder.pid)) return true;
  if (hasProcFs()) {
    // The pid is alive, but is it still the process that took the lock?
    if (holder.start !== undefined) {
      if (processStartTime(holder.pid) !== holder.start) return true;
    } else if (now - Math.min(holder.created, mtimeMs) > unverifiableMs) {
      return true; // written where there is no /proc: the pid alone proves nothing here
    }
  }
  return now - holder.created > staleMs;
}

const unlinkQuietly = (path: string): void => {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
};

/** Removes the lock only if it still holds `expected`, so we never delete another process's fresh lock. */
function removeIfUnchanged(lockPath: string, expected: string): void {
  if (readHolder(lockPath) !== expected) return;
  unlinkQuietly(lockPath);
}
