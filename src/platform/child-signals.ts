import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { lazyRequire } from './lazy-require.js';
import { inTerminalBackground, inTerminalForeground, parseProcStat, type TerminalGroups } from '../core/proc-stat.js';

/** The signals a wrapper passes on to its child (as aws-vault exec, op run and doppler run do). */
export const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

/**
 * Also passed on where there are process groups: the rest of the signals a process can catch whose
 * default ends it (and SIGPIPE and SIGXFSZ, which Node ignores). Not caught, SIGUSR2, SIGALRM or
 * SIGPROF ended t0ken and left the child running, SIGUSR1 opened Node's inspector (on
 * 127.0.0.1:9229) in the process that holds the key, and SIGPIPE never reached the child. Those a
 * platform does not have are left out (os.constants.signals).
 */
const ALSO_FORWARDED: readonly NodeJS.Signals[] = [
  'SIGUSR1', 'SIGUSR2', 'SIGALRM', 'SIGVTALRM', 'SIGPROF', 'SIGIO', 'SIGXCPU', 'SIGXFSZ', 'SIGPIPE', 'SIGTRAP', 'SIGSYS', 'SIGPWR', 'SIGSTKFLT', 'SIGWINCH',
];

/** The signals a terminal sends its foreground process group (Ctrl-C, Ctrl-\\). */
const TERMINAL_SIGNALS: ReadonlySet<NodeJS.Signals> = new Set(['SIGINT', 'SIGQUIT']);

/** t0ken's place among its terminal's process groups (Linux, from /proc/self/stat); undefined elsewhere. */
function terminalGroups(): TerminalGroups | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    return parseProcStat(readFileSync('/proc/self/stat', 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Whether the child should run in a session of its own: everywhere but where t0ken is a background
 * job of its terminal (`t0ken exec -- prog &`). There the child must stay in t0ken's job, so that
 * job control still stops it when it reads the terminal (a child with no terminal of its own read
 * the keys typed at the shell).
 */
export function isolateChild(): boolean {
  const groups = terminalGroups();
  return groups === undefined || !inTerminalBackground(groups);
}

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
 * A background job of a terminal keeps its child in its own group (isolateChild): a signal sent to
 * that whole group reaches the child twice; once the job is brought back to the foreground, the
 * terminal's Ctrl-C reaches the child itself and t0ken passes no SIGINT or SIGQUIT on, so one sent
 * to t0ken's pid alone then is lost (Node cannot tell the two apart; a rare case, where doubling
 * every Ctrl-C would be a common one).
 *
 * An isolated child has no controlling terminal: a program that opens /dev/tty (a password prompt,
 * a full-screen program) cannot, where t0ken runs a child (Node < 22.15); where process.execve
 * exists, exec becomes the program and this does not arise.
 *
 * SIGTSTP (Ctrl-Z, or `kill -TSTP`) stops the child with SIGSTOP (a process in a session of its own
 * is in an orphaned group, which the kernel does not stop for SIGTSTP) and then t0ken itself, so
 * the shell sees its job stopped; SIGCONT (fg, bg, `kill -CONT`) resumes the child with t0ken.
 * `isolated` is false on Windows (no sessions there) and for a terminal's background job.
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
  const known = (lazyRequire('node:os') as typeof import('node:os')).constants.signals as Record<string, number | undefined>;
  // The terminal sends SIGWINCH to its foreground: to a child in t0ken's job, itself.
  const also = process.platform === 'win32' ? [] : ALSO_FORWARDED.filter((each) => known[each] !== undefined && (isolated || each !== 'SIGWINCH'));
  for (const signal of [...FORWARDED_SIGNALS, ...also]) {
    listeners.set(signal, () => {
      // A child in t0ken's job, brought to the foreground since: the terminal gave it Ctrl-C itself.
      if (!isolated && TERMINAL_SIGNALS.has(signal) && inForeground()) return;
      send(signal);
    });
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

const inForeground = (): boolean => {
  const groups = terminalGroups();
  return groups !== undefined && inTerminalForeground(groups);
};
