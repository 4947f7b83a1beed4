/**
 * Files that must not outlive this process (a temp file holding keys, our lock): removed when the
 * process exits normally, through process.exit (Ctrl-C in cli.ts), or on SIGTERM/SIGHUP/SIGINT.
 * Signal listeners are installed only while something is pending, and re-raise the signal when no
 * one else listens for it, so the process still dies as it would have.
 */
const pending = new Map<number, () => void>();
let nextId = 0;
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
  process.on('exit', runAll);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function uninstall(): void {
  process.off('exit', runAll);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

/** Runs `cleanup` if the process ends before the returned function is called. */
export function cleanupOnExit(cleanup: () => void): () => void {
  if (pending.size === 0) install();
  const id = nextId++;
  pending.set(id, cleanup);
  return () => {
    if (!pending.delete(id)) return;
    if (pending.size === 0) uninstall();
  };
}
