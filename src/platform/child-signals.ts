import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { inTerminalForeground, parseProcStat } from '../core/proc-stat.js';
import { isTerminal } from './terminal.js';

/** The signals a wrapper passes on to its child (as aws-vault exec, op run and doppler run do). */
export const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

/** The signals a terminal sends its foreground process group (Ctrl-C, Ctrl-\\). */
const TERMINAL_SIGNALS: ReadonlySet<NodeJS.Signals> = new Set(['SIGINT', 'SIGQUIT']);

/**
 * Whether the terminal's own Ctrl-C reaches t0ken: whether t0ken is in the foreground group of its
 * controlling terminal, whatever stdin is. On Linux from /proc/self/stat; elsewhere, whether stdin
 * is a terminal (what a foreground job usually has).
 */
export function inForegroundOfTerminal(): boolean {
  if (process.platform === 'linux') {
    try {
      const groups = parseProcStat(readFileSync('/proc/self/stat', 'utf8'));
      if (groups) return inTerminalForeground(groups);
    } catch {
      // no /proc: ask stdin
    }
  }
  return isTerminal(0);
}

/**
 * Passes the signals t0ken gets on to `child`, each exactly once; returns what stops it.
 *
 * Node cannot tell who sent a signal, and a terminal sends Ctrl-C to its whole foreground group:
 * a child in t0ken's group would get it twice if t0ken passed it on too (two Ctrl-Cs make many
 * agents quit), and a `kill -INT <t0ken>` from a supervisor not at all if t0ken did not. So a child
 * started while t0ken is in its terminal's foreground runs in a session of its own (`isolated`):
 * the terminal's signals reach t0ken alone, and t0ken passes on every one, SIGWINCH included (a
 * window resize). A child that shares t0ken's group (started in the background, or with no
 * terminal) gets every signal passed on unless t0ken has since become the foreground, when the
 * terminal gave it Ctrl-C and Ctrl-\\ already.
 *
 * An isolated child has no controlling terminal: a program that opens /dev/tty (a password prompt,
 * a full-screen program) cannot, where t0ken runs a child (Node < 22.15 at a terminal); where
 * process.execve exists, exec becomes the program and this does not arise.
 *
 * SIGTSTP (Ctrl-Z, or `kill -TSTP`) stops the child with SIGSTOP (a process in a session of its own
 * is in an orphaned group, which the kernel does not stop for SIGTSTP) and then t0ken itself, so
 * the shell sees its job stopped; SIGCONT (fg, bg, `kill -CONT`) resumes the child with t0ken.
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
  for (const signal of [...FORWARDED_SIGNALS, ...(isolated ? (['SIGWINCH'] as const) : [])]) {
    listeners.set(signal, () => {
      if (!isolated && TERMINAL_SIGNALS.has(signal) && inForegroundOfTerminal()) return; // the child got it from the terminal already
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
