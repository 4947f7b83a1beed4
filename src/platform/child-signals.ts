import type { ChildProcess } from 'node:child_process';

/** The signals a wrapper passes on to its child (as aws-vault exec, op run and doppler run do). */
export const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

/**
 * Also passed on where there are process groups: the rest of the signals whose default ends a
 * process. Not caught, SIGUSR2 and SIGALRM ended t0ken and left the child running, and SIGUSR1
 * opened Node's inspector (on 127.0.0.1:9229) in the process that holds the key.
 */
const ALSO_FORWARDED: readonly NodeJS.Signals[] = ['SIGUSR1', 'SIGUSR2', 'SIGALRM', 'SIGVTALRM', 'SIGWINCH'];

/**
 * Passes the signals t0ken gets on to `child`, each exactly once; returns what stops it.
 *
 * Node cannot tell who sent a signal, and a signal may be sent to t0ken's whole process group (a
 * terminal's Ctrl-C, `timeout`, `kill -- -<pgid>`): a child in t0ken's group would get it twice if
 * t0ken passed it on too (two Ctrl-Cs make many agents quit), and a `kill -INT <t0ken>` from a
 * supervisor not at all if t0ken did not. So the child runs in a session of its own (`isolated`,
 * as dumb-init runs its child): every signal reaches t0ken alone, and t0ken passes on every one
 * that would end it, SIGWINCH too (a window resize). A supervisor's SIGKILL to the group then ends
 * t0ken only, as a SIGKILL to t0ken's pid always did; where process.execve exists there is no child.
 *
 * An isolated child has no controlling terminal: a program that opens /dev/tty (a password prompt,
 * a full-screen program) cannot, where t0ken runs a child (Node < 22.15); where process.execve
 * exists, exec becomes the program and this does not arise.
 *
 * SIGTSTP (Ctrl-Z, or `kill -TSTP`) stops the child with SIGSTOP (a process in a session of its own
 * is in an orphaned group, which the kernel does not stop for SIGTSTP) and then t0ken itself, so
 * the shell sees its job stopped; SIGCONT (fg, bg, `kill -CONT`) resumes the child with t0ken.
 * `isolated` is false only on Windows, which has neither sessions nor these signals.
 */
export function forwardSignals(child: ChildProcess, isolated: boolean): () => void {
  const listeners = new Map<NodeJS.Signals, () => void>();
  const alive = () => child.exitCode === null && child.signalCode === null;
  const send = (signal: NodeJS.Signals) => {
    if (!alive()) return;
    try {
      // An isolated child leads a process group of its own: the signal goes to that whole group, as a
      // terminal sends Ctrl-C to its whole foreground job (to the child alone, `sh -c 'sleep 30'`
      // ignored Ctrl-C until sleep ended).
      if (isolated && child.pid !== undefined) process.kill(-child.pid, signal);
      else child.kill(signal);
    } catch {
      // gone in between
    }
  };
  for (const signal of [...FORWARDED_SIGNALS, ...(isolated ? ALSO_FORWARDED : [])]) {
    listeners.set(signal, () => send(signal));
  }
  if (process.platform !== 'win32') {
    listeners.set('SIGTSTP', () => {
      send('SIGSTOP');
      process.kill(process.pid, 'SIGSTOP');
    });
    listeners.set('SIGCONT', () => send('SIGCONT'));
  }
  for (const [signal, listener] of listeners) {
    // Our own handlers (the CLI's Ctrl-C exit) would end t0ken before the child: the child decides.
    process.removeAllListeners(signal);
    process.on(signal, listener);
  }
  return () => {
    for (const [signal, listener] of listeners) process.removeListener(signal, listener);
  };
}
