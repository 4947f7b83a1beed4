import { accessSync, constants as fsConstants, existsSync, statSync } from 'node:fs';
import { shebangInterpreter } from '../core/shebang.js';
import { forwardSignals, isolateChild } from './child-signals.js';
import { lazyRequire } from './lazy-require.js';
import { elfLoader, executableFile, fileHead, pathCandidates, unrunnableElf } from './program-path.js';
import { resolveWindowsCommand, windowsEnv, windowsLaunch } from '../core/windows-command.js';

export const EXIT_NOT_EXECUTABLE = 126;
export const EXIT_NOT_FOUND = 127;

export type ChildOutcome =
  | { kind: 'exited'; status: number }
  | { kind: 'signalled'; signal: NodeJS.Signals; status: number }
  | { kind: 'not-found' | 'not-executable'; status: number; message: string; hint?: string };

/**
 * Runs `file` with `args` (no shell; PATH lookup in `env`'s PATH), stdio inherited, and waits.
 * SIGINT, SIGTERM, SIGHUP and SIGQUIT sent to t0ken are sent on to the child exactly once, which
 * decides what to do with them; SIGTSTP and SIGCONT stop and resume it with t0ken (see
 * forwardSignals); t0ken stays until the child is gone. The status follows the shells' rules: the
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
    let stopForwarding = () => {};
    let child: import('node:child_process').ChildProcess;
    // Found as a shell finds it: an entry execvp would stop at (a symlink loop, a name too long) is passed over.
    const found = process.platform === 'win32' ? undefined : pathCandidates(file, env).find(executableFile);
    if (found !== undefined && process.platform === 'linux' && unrunnableElf(found)) {
      // As a shell says it, rather than /bin/sh running the binary as a script (execvp's ENOEXEC fallback).
      resolve({ kind: 'not-executable', status: EXIT_NOT_EXECUTABLE, message: `${file}: cannot execute binary file: Exec format error`, hint: 'It is built for another architecture, or cut short: install a build for this machine.' });
      return;
    }
    try {
      const launch = process.platform === 'win32' ? onWindows(file, args, env) : { file: found ?? file, args: [...args], verbatim: false };
      // detached: a session of its own, so that a signal for t0ken's whole group (the terminal's Ctrl-C,
      // `timeout`, `kill -- -pgid`) reaches t0ken alone, which passes it on once (see forwardSignals).
      const isolated = process.platform !== 'win32' && isolateChild();
      // Loaded here: where t0ken becomes the program (src/platform/run-program.ts) it needs neither
      // node:child_process nor node:net, which that loads.
      const { spawn } = lazyRequire('node:child_process') as typeof import('node:child_process');
      child = spawn(launch.file, launch.args, { env, stdio: 'inherit', shell: false, detached: isolated, windowsHide: false, windowsVerbatimArguments: launch.verbatim, ...(found ? { argv0: file } : {}) });
      stopForwarding = forwardSignals(child, isolated);
    } catch (error) {
      resolve(failure(file, error, env));
      return;
    }
    child.once('error', (error) => {
      stopForwarding();
      resolve(failure(file, error, env));
    });
    child.once('exit', (code, signal) => {
      stopForwarding();
      if (signal !== null) resolve({ kind: 'signalled', signal, status: 128 + ((lazyRequire('node:os') as typeof import('node:os')).constants.signals[signal] ?? 0) });
      else resolve({ kind: 'exited', status: code ?? 0 });
    });
  });
}

export function failure(file: string, error: unknown, env: Record<string, string>): ChildOutcome {
  const code = errnoCode(error as NodeJS.ErrnoException);
  if (code === 'ENOENT') {
    // ENOENT too for an ELF program whose loader is missing (built against another C library).
    const loader = missingLoader(file, env);
    if (loader !== undefined) {
      return {
        kind: 'not-executable',
        status: EXIT_NOT_EXECUTABLE,
        message: `${file}: cannot execute: required file not found (its loader ${JSON.stringify(loader)})`,
        hint: 'It was built for another system (such as a musl binary from Alpine on a glibc system): install a build for this one.',
      };
    }
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
  if (code === 'E2BIG') {
    // The program is fine: its arguments and environment (t0ken's variables added) pass the system's limit.
    return {
      kind: 'not-executable',
      status: EXIT_NOT_EXECUTABLE,
      message: `${file}: cannot execute: its arguments and environment are too long for the system (E2BIG)`,
      hint: 'Pass fewer or shorter arguments (a file the program reads, or xargs), or unset large environment variables.',
    };
  }
  if (code === 'EACCES' || code === 'EISDIR' || code === 'ENOEXEC' || code === 'EPERM') {
    return { kind: 'not-executable', status: EXIT_NOT_EXECUTABLE, message: `${file}: cannot execute (${code})` };
  }
  return { kind: 'not-executable', status: EXIT_NOT_EXECUTABLE, message: `${file}: cannot execute (${code || (error as Error).message || 'no reason given'})` };
}

/** The error's code, from its errno when Node left the code empty (Node 26's execve for E2BIG). */
function errnoCode(error: NodeJS.ErrnoException): string | undefined {
  if (error?.code) return error.code;
  if (typeof error?.errno !== 'number' || error.errno === 0) return undefined;
  try {
    return (lazyRequire('node:util') as typeof import('node:util')).getSystemErrorName(-Math.abs(error.errno));
  } catch {
    return undefined;
  }
}

/** The dynamic loader an ELF program `file` names (itself, or found on PATH), when it is not there. */
function missingLoader(file: string, env: Record<string, string>): string | undefined {
  if (process.platform !== 'linux') return undefined;
  const path = pathCandidates(file, env).find(executableFile);
  const loader = path === undefined ? undefined : elfLoader(path)?.interpreter;
  return loader && !existsSync(loader) ? loader.toString('utf8') : undefined;
}

/** The #! interpreter of the script `file` names (itself, or found on PATH), when the script exists. */
function missingInterpreter(file: string, env: Record<string, string>): string | undefined {
  if (process.platform === 'win32') return undefined;
  for (const path of pathCandidates(file, env)) {
    try {
      if (!statSync(path).isFile()) continue;
      accessSync(path, fsConstants.X_OK); // the one the system tried: an executable file
    } catch {
      continue; // not there, or not executable: the next candidate
    }
    const head = fileHead(path);
    if (head !== undefined) return shebangInterpreter(head.toString('utf8'));
  }
  return undefined;
}

/** Windows: PATH × PATHEXT lookup, and batch shims (npx.cmd) through cmd.exe with every argument escaped. */
function onWindows(file: string, args: readonly string[], env: Record<string, string>) {
  const isFile = (path: string) => existsSync(path) && statSync(path).isFile();
  const resolved = resolveWindowsCommand(file, env, isFile);
  return resolved === undefined ? { file, args: [...args], verbatim: false } : windowsLaunch(resolved, args, windowsEnv(env, 'ComSpec') ?? 'cmd.exe');
}
