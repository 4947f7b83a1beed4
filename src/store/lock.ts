import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';

// Not node:timers/promises: `token` and `whoami` load this file and need not load that module.
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface LockOptions {
  waitMs?: number;   // give up after this long
  staleMs?: number;  // a lock older than this is abandoned, even if its pid looks alive (pid reuse)
}

export class LockTimeoutError extends Error {
  constructor(readonly lockPath: string, readonly holder: string) {
    super(`timed out waiting for ${lockPath} (held by ${holder})`);
  }
}

/**
 * Serialises writers across processes with an exclusive-create lock file holding `pid timestamp`.
 * A lock whose process is gone, or that is older than `staleMs`, is taken over.
 */
export async function withFileLock<T>(lockPath: string, task: () => Promise<T> | T, options: LockOptions = {}): Promise<T> {
  const waitMs = options.waitMs ?? 10_000;
  const staleMs = options.staleMs ?? 30_000;
  const token = `${process.pid} ${Date.now()} ${Math.random().toString(36).slice(2)}`;
  const deadline = Date.now() + waitMs;
  let delay = 5;
  for (;;) {
    if (tryCreate(lockPath, token)) break;
    const holder = readHolder(lockPath);
    if (holder !== undefined && isStale(lockPath, holder, staleMs)) {
      removeIfUnchanged(lockPath, holder);
      continue;
    }
    if (Date.now() > deadline) throw new LockTimeoutError(lockPath, holder?.trim() || 'unknown');
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 100);
  }
  try {
    return await task();
  } finally {
    removeIfUnchanged(lockPath, token);
  }
}

function tryCreate(lockPath: string, token: string): boolean {
  let fd: number;
  try {
    fd = openSync(lockPath, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, token);
  } finally {
    closeSync(fd);
  }
  return true;
}

function readHolder(lockPath: string): string | undefined {
  try {
    return readFileSync(lockPath, 'utf8');
  } catch {
    return undefined; // vanished between our attempts: just retry
  }
}

function isStale(lockPath: string, holder: string, staleMs: number): boolean {
  const [pidText, createdText] = holder.trim().split(' ');
  const pid = Number(pidText);
  const created = Number(createdText);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isFinite(created)) {
    // Created but not yet written, or garbage: judge by the file's age.
    try {
      return Date.now() - statSync(lockPath).mtimeMs > 2_000;
    } catch {
      return false;
    }
  }
  if (Date.now() - created > staleMs) return true;
  return !processAlive(pid);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the lock only if it still holds `expected`, so we never delete another process's fresh lock. */
function removeIfUnchanged(lockPath: string, expected: string): void {
  if (readHolder(lockPath) !== expected) return;
  try {
    unlinkSync(lockPath);
  } catch {
    // already gone
  }
}
