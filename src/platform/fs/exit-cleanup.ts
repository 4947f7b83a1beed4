/**
 * Files that must not outlive this process (a temp file holding keys, our lock): removed when the
 * process exits normally, through process.exit (Ctrl-C in cli.ts), or on SIGTERM/SIGHUP/SIGINT.
 * Signal listeners are installed when the first cleanup is registered and stay: a signal caught while
 * a write was pending is dispatched on the next turn of the event loop, after the write, and Node drops
 * a signal whose listener is gone by then (the process would go on as if never asked to stop). They
 * re-raise the signal when no one else listens for it, so the process still dies as it would have.
 */
const pending = new Map<number, () => void>();
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

/** Runs every pending cleanup now: the process is about to be replaced (execve runs no exit handlers). */
export function runExitCleanups(): void {
  runAll();
}

/** Runs `cleanup` if the process ends before the returned function is called. */
export function cleanupOnExit(cleanup: () => void): () => void {
  install();
  const id = nextId++;
  pending.set(id, cleanup);
  return () => {
    pending.delete(id);
  };
}
