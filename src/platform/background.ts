import { spawn } from 'node:child_process';

/** The program ended (or was given up on) before it was ready; `status` is its exit status, if it exited. */
export class BackgroundStartError extends Error {
  /** What the program said after its first line (its own next step), if anything. */
  readonly hint?: string;

  constructor(message: string, readonly status?: number, hint?: string) {
    super(message);
    if (hint) this.hint = hint;
  }
}

export interface BackgroundStart {
  pid: number;
  /** What the program printed on stdout up to the moment `ready` said yes. */
  output: string;
}

/**
 * Starts this same program again with `args`, detached from the terminal and the caller's process
 * group (so it outlives the shell line that started it and Ctrl-C at that line does not reach it),
 * and waits until its stdout satisfies `ready`. Then its stdout is let go: the program must print
 * nothing more there. Rejects with what it printed on stderr when it exits first or takes longer
 * than `timeoutMs`.
 */
export function startInBackground(args: readonly string[], ready: (stdout: string) => boolean, timeoutMs: number): Promise<BackgroundStart> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, ...args], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const letGo = () => {
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.stdout.destroy();
      child.stderr.destroy();
      child.unref();
    };
    const timer = setTimeout(() => {
      letGo();
      try {
        process.kill(child.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
      reject(new BackgroundStartError(`it did not start within ${Math.round(timeoutMs / 1000)} s${stderr ? `: ${stderr.trim()}` : ''}`));
    }, timeoutMs);
    child.on('error', (error) => {
      letGo();
      reject(error);
    });
    child.on('exit', (code) => {
      letGo();
      const [first, ...rest] = stderr.trim().split('\n').filter((line) => line.trim() !== '');
      reject(new BackgroundStartError(first ?? `it exited with status ${code}`, code ?? undefined, rest.join('\n')));
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (!ready(stdout)) return;
      letGo();
      resolve({ pid: child.pid!, output: stdout });
    });
  });
}
