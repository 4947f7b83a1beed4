import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants as fsConstants, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { constants } from 'node:os';
import { isatty } from 'node:tty';
import { inTerminalForeground, parseProcStat } from '../core/proc-stat.js';
import { shebangInterpreter } from '../core/shebang.js';
import { resolveWindowsCommand, windowsEnv, windowsLaunch } from '../core/windows-command.js';

/** The signals a wrapper passes on to its child (as aws-vault exec, op run and doppler run do). */
export const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

/**
 * The signals a terminal sends itself (Ctrl-C, Ctrl-\\) to the whole foreground process group, the
 * child included. Passing them on as well would deliver each twice, and two Ctrl-Cs make many agents
 * (Claude Code, a node REPL) quit. So while t0ken is in its terminal's foreground group it leaves
 * these to the terminal and only stays alive for them. Anywhere else (a background job, a service,
 * a script's `kill -INT <t0ken>`) they are passed on as usual.
 */
const TERMINAL_SIGNALS: ReadonlySet<NodeJS.Signals> = new Set(['SIGINT', 'SIGQUIT']);

/**
 * Whether the terminal's own Ctrl-C reaches t0ken, and so the child (same process group): whether
 * t0ken is in the foreground group of its controlling terminal, whatever stdin is. Asked when the
 * signal comes, as a job moves between foreground and background. On Linux from /proc/self/stat;
 * elsewhere, whether stdin is a terminal (what a foreground job usually has).
 */
function inForegroundOfTerminal(): boolean {
  if (process.platform === 'linux') {
    try {
      const groups = parseProcStat(readFileSync('/proc/self/stat', 'utf8'));
      if (groups) return inTerminalForeground(groups);
    } catch {
      // no /proc: ask stdin
    }
  }
  return isatty(0);
}

export const EXIT_NOT_EXECUTABLE = 126;
export const EXIT_NOT_FOUND = 127;

export type ChildOutcome =
  | { kind: 'exited'; status: number }
  | { kind: 'signalled'; signal: NodeJS.Signals; status: number }
  | { kind: 'not-found' | 'not-executable'; status: number; message: string; hint?: string };

/**
 * Runs `file` with `args` (no shell; PATH lookup in `env`'s PATH), stdio inherited, and waits.
 * SIGINT, SIGTERM, SIGHUP and SIGQUIT sent to t0ken are sent on to the child, which decides what to
 * do with them; t0ken stays until the child is gone. The status follows the shells' rules: the
 * child's own exit status, 128+n for a death by signal n, 127 when the program is not found, 126
 * when it cannot be executed. t0ken then exits with that status (it does not re-raise the signal on
 * itself, so a caller sees 128+n as `$?` always, whatever its own signal dispositions).
 */
export function runChild(file: string, args: readonly string[], env: Record<string, string>): Promise<ChildOutcome> {
  return new Promise((done) => {
    let settled = false;
    const resolve = (outcome: ChildOutcome) => {
      if (settled) return;
      settled = true;
      done(outcome);
    };
    const forwarders = new Map<NodeJS.Signals, () => void>();
    const stopForwarding = () => {
      for (const [signal, forward] of forwarders) process.removeListener(signal, forward);
    };
    let child: ReturnType<typeof spawn>;
    try {
      const launch = process.platform === 'win32' ? onWindows(file, args, env) : { file, args: [...args], verbatim: false };
      child = spawn(launch.file, launch.args, { env, stdio: 'inherit', shell: false, windowsHide: false, windowsVerbatimArguments: launch.verbatim });
    } catch (error) {
      resolve(failure(file, error, env));
      return;
    }
    for (const signal of FORWARDED_SIGNALS) {
      // Our own handlers (the CLI's Ctrl-C exit) would end t0ken before the child: the child decides.
      process.removeAllListeners(signal);
      const forward = () => {
        if (TERMINAL_SIGNALS.has(signal) && inForegroundOfTerminal()) return; // the child got it from the terminal already
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      };
      forwarders.set(signal, forward);
      process.on(signal, forward);
    }
    child.once('error', (error) => {
      stopForwarding();
      resolve(failure(file, error, env));
    });
    child.once('exit', (code, signal) => {
      stopForwarding();
      if (signal !== null) resolve({ kind: 'signalled', signal, status: 128 + (constants.signals[signal] ?? 0) });
      else resolve({ kind: 'exited', status: code ?? 0 });
    });
  });
}

function failure(file: string, error: unknown, env: Record<string, string>): ChildOutcome {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    // ENOENT also when the program is there but the interpreter its #! line names is not: say that (126, as a shell does).
    const interpreter = missingInterpreter(file, env);
    if (interpreter !== undefined) {
      return {
        kind: 'not-executable',
        status: EXIT_NOT_EXECUTABLE,
        message: `${file}: bad interpreter ${JSON.stringify(interpreter)}: not found`,
        hint: interpreter.endsWith('\r')
          ? 'Its first line ends with a Windows line ending (\\r): convert the script to Unix line endings (dos2unix, or your editor).'
          : `Install ${interpreter}, or change the script's first line to an interpreter this machine has (e.g. #!/usr/bin/env <name>).`,
      };
    }
    return { kind: 'not-found', status: EXIT_NOT_FOUND, message: `${file}: command not found` };
  }
  if (code === 'EACCES' || code === 'EISDIR' || code === 'ENOEXEC' || code === 'EPERM') {
    return { kind: 'not-executable', status: EXIT_NOT_EXECUTABLE, message: `${file}: cannot execute (${code})` };
  }
  return { kind: 'not-executable', status: EXIT_NOT_EXECUTABLE, message: `${file}: cannot execute (${code ?? (error as Error).message})` };
}

/** The #! interpreter of the script `file` names (itself, or found on PATH), when the script exists. */
function missingInterpreter(file: string, env: Record<string, string>): string | undefined {
  if (process.platform === 'win32') return undefined;
  const candidates = file.includes('/') ? [file] : (env.PATH ?? '').split(delimiter).filter((dir) => dir !== '').map((dir) => join(dir, file));
  for (const path of candidates) {
    let fd: number | undefined;
    try {
      if (!statSync(path).isFile()) continue;
      accessSync(path, fsConstants.X_OK); // the one the system tried: an executable file
      fd = openSync(path, 'r');
      const head = Buffer.alloc(256);
      return shebangInterpreter(head.toString('utf8', 0, readSync(fd, head, 0, head.length, 0)));
    } catch {
      // not there, or unreadable: the next candidate
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
  return undefined;
}

/** Windows: PATH × PATHEXT lookup, and batch shims (npx.cmd) through cmd.exe with every argument escaped. */
function onWindows(file: string, args: readonly string[], env: Record<string, string>) {
  const isFile = (path: string) => existsSync(path) && statSync(path).isFile();
  const resolved = resolveWindowsCommand(file, env, isFile);
  return resolved === undefined ? { file, args: [...args], verbatim: false } : windowsLaunch(resolved, args, windowsEnv(env, 'ComSpec') ?? 'cmd.exe');
}
