import { openFlags } from './fd-flags.js';
import { runExitCleanupsBeforeReplace } from './fs/exit-cleanup.js';

type Execve = (file: string, args: string[], env: Record<string, string>) => never;

/**
 * Whether a failed process.execve throws (Node 26: nodejs/node#62878) rather than aborting the
 * process with a native stack trace (22 and 24).
 */
export const execveFailureThrows = (version: string = process.versions.node): boolean => Number(version.split('.')[0]) >= 26;

/** process.execve where Node has it (>= 22.15 / 23.11; never on Windows). */
export function execveAvailable(): Execve | undefined {
  const execve = (process as { execve?: Execve }).execve;
  return process.platform !== 'win32' && typeof execve === 'function' ? execve : undefined;
}

/**
 * Node ignores SIGPIPE and SIGXFSZ, and an ignored signal stays ignored across execve: `yes | head`
 * would then see EPIPE instead of dying quietly. A caught signal is reset to its default by execve,
 * so catching them (briefly) gives the program the default a shell would.
 */
const IGNORED_BY_NODE: readonly NodeJS.Signals[] = ['SIGPIPE', 'SIGXFSZ'];

/**
 * Becomes the program at `path` (argv `args`, argv[0] included, environment `env`): the pid stays,
 * so every signal, the terminal's job control and the exit status are the program's own. Before
 * that: files that must not outlive t0ken are removed (execve runs no exit handlers), what t0ken
 * wrote is out (its own writes are synchronous: src/platform/stdio.ts) and stdin, stdout and stderr
 * are blocking again, as a spawned child gets them. Returns only by throwing, when execve failed.
 */
export async function replaceProcess(execve: Execve, path: string, args: string[], env: Record<string, string>): Promise<never> {
  await runExitCleanupsBeforeReplace();
  // The start-up shim writes V8's code cache at exit (bin/code-cache.cjs), which execve skips.
  (globalThis as Record<symbol, (() => void) | undefined>)[Symbol.for('t0ken.persistCodeCache')]?.();
  await makeStdioBlocking();
  for (const signal of IGNORED_BY_NODE) process.on(signal, () => {});
  // "process.execve is an experimental feature": emitted on the next tick, so never seen when the
  // call succeeds; a failure is reported as t0ken's own error, without it.
  const emitWarning = process.emitWarning;
  process.emitWarning = () => {};
  try {
    return execve(path, args, env);
  } finally {
    process.emitWarning = emitWarning;
    for (const signal of IGNORED_BY_NODE) process.removeAllListeners(signal);
  }
}

const O_NONBLOCK = 0o4000;

/**
 * A Node stream on a pipe or socket sets O_NONBLOCK on the file description it shares with the
 * program (a program that does not expect it then fails with EAGAIN), and may still hold data it
 * could not write yet. On Linux the flags are read from /proc, so only such a stream is touched;
 * elsewhere stdout and stderr are.
 */
async function makeStdioBlocking(): Promise<void> {
  const streams = [() => process.stdin, () => process.stdout, () => process.stderr];
  for (const [fd, stream] of streams.entries()) {
    const flags = openFlags(fd);
    if (!(flags === undefined ? fd > 0 : (flags & O_NONBLOCK) !== 0)) continue;
    const handle = (stream() as unknown as { _handle?: { setBlocking?: (blocking: boolean) => void } })._handle;
    handle?.setBlocking?.(true);
    if (fd > 0) await new Promise<void>((done) => (stream() as NodeJS.WriteStream).write('', () => done()));
  }
}
