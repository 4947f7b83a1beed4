/**
 * Files that must not outlive this process (a temp file holding keys, our lock): removed when the
 * process exits normally, through process.exit (Ctrl-C in cli.ts), or on SIGTERM/SIGHUP/SIGINT.
 * Signal listeners are installed when the first cleanup is registered and stay: a signal caught while
 * a write was pending is dispatched on the next turn of the event loop, after the write, and Node drops
 * a signal whose listener is gone by then (the process would go on as if never asked to stop). They
 * re-raise the signal when no one else listens for it, so the process still dies as it would have.
 */
const pending = new Map<number, () => void>();
/** For a cleanup that ends a child process: resolves once that child is gone (reaped). */
const reaps = new Map<number, () => Promise<void>>();
let nextId = 0;
let installed = false;
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function runAll(): void {
  for (const cleanup of [...pending.values()]) {
    try {
      cleanup();
    } catch {
      // best effort: we are exiting
    }
  }
  pending.clear();
}

const onSignal = (signal: NodeJS.Signals): void => {
  runAll();
  uninstall();
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
};

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runAll);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function uninstall(): void {
  installed = false;
  process.off('exit', runAll);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

/**
 * Runs every pending cleanup now, and waits until the children they ended are gone: the process is
 * about to be replaced. execve runs no exit handlers, and a child killed but not yet reaped would be
 * the program's, a zombie it never started.
 */
export async function runExitCleanupsBeforeReplace(): Promise<void> {
  const gone = [...reaps.values()].map((reap) => reap());
  reaps.clear();
  runAll();
  await Promise.all(gone);
}

/**
 * Runs `cleanup` if the process ends before the returned function is called. `reap`, for a cleanup
 * that ends a child process: a promise that it is gone.
 */
export function cleanupOnExit(cleanup: () => void, reap?: () => Promise<void>): () => void {
  install();
  const id = nextId++;
  pending.set(id, cleanup);
  if (reap) reaps.set(id, reap);
  return () => {
    pending.delete(id);
    reaps.delete(id);
  };
}
