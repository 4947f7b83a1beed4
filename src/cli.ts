import { createContext, type Context, type GlobalOptions } from './context.js';
import { CliError, isCliError } from './core/errors.js';
import { Exit, type ExitCode } from './core/exit-codes.js';
import { parseExecArgv } from './core/exec-argv.js';
import { parseArgv } from './core/argv.js';
import { loadCommand } from './commands/index.js';
import { argvManifest, manifest } from './commands/manifest.js';
import { Output } from './ui/output.js';
import { processIO, processStreamsUsed, type CliIO } from './platform/io.js';
import { CLOSED_PIPE_EXIT } from './platform/stdio.js';
import { asFileSystemError } from './platform/fs/errno.js';
import { DOCS_URL } from './version.js';
import { HELP_WIDTH, outputWidth } from './core/wrap.js';

/** Help's width: the terminal's, up to 80 columns (the build-time help's). */
const helpWidth = (io: CliIO): number => Math.min(HELP_WIDTH, outputWidth(io.stdout.columns, io.env));
import { outputFailed } from './static-text/print.js';

export async function main(argv: string[]): Promise<void> {
  if (process.platform === 'win32') endQuietlyOnClosedPipe(); // elsewhere our own writes end on EPIPE (src/platform/stdio.ts)
  process.on('SIGINT', () => {
    // Ctrl-C during a spinner or a request: say so, as a prompt's Ctrl-C does.
    process.stderr.write(argv.includes('--json') ? `${JSON.stringify({ error: { code: 'interrupted', message: 'interrupted' } })}\n` : '\nt0ken: interrupted\n');
    process.exit(Exit.interrupted);
  });
  const code = await runCli(argv, processIO());
  // Exit now rather than when idle keep-alive sockets time out (~100 ms after the last request),
  // once whatever we wrote has been handed to the OS.
  // Our own writes are synchronous (src/platform/stdio.ts); Node's streams are used off Windows only
  // by the prompts and the spinner, and flushed only then.
  if (streamsInUse || processStreamsUsed()) await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}

/**
 * `t0ken --help | head -1`: the reader went away. End as a SIGPIPE would have ended us (Node ignores
 * the signal and reports EPIPE instead): no stack trace, exit 141 (128 + 13), like git or cat.
 */
export { CLOSED_PIPE_EXIT };
let streamsInUse = false;
function endQuietlyOnClosedPipe(): void {
  if (streamsInUse) return;
  streamsInUse = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      // stderr that takes nothing more (a reader gone too): its messages are lost, the command and its status are not
      if (stream !== process.stdout) return;
      if (error.code === 'EPIPE') process.exit(CLOSED_PIPE_EXIT);
      outputFailed(error.code); // /dev/full and the like: one line, exit 7, no stack trace
    });
  }
}

function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return stream.writableLength === 0 ? Promise.resolve() : new Promise((resolve) => stream.once('drain', () => resolve()));
}

/**
 * Runs the CLI with `io` (the process's own from main(), a test's buffers) and returns the exit
 * code; the one place errors become messages. What only a process does (signals, exit, flushing
 * Node's streams) stays in main().
 */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const ownArgs = argv.indexOf('--') === -1 ? argv : argv.slice(0, argv.indexOf('--')); // a program's own --json is not ours
  const wantsJson = ownArgs.slice(2).includes('--json');
  let out: Output | undefined;
  const execute = async (name: string, options: Record<string, unknown>, globals: GlobalOptions, args: string[]) => {
    const ctx = await createContext(globals, io);
    out = ctx.out;
    const module = await loadCommand(name);
    const status = await module.run!(ctx, options, args, manifest); // the parsers hand over only commands that run
    if (typeof status === 'number') code = status;
  };
  let code: number = Exit.ok;

  try {
    // Argv the specs fully account for skips commander (core/argv.ts); help and usage errors go
    // through it. `exec` has its own parser: whatever follows its program belongs to the program.
    const specs = await argvManifest();
    const exec = parseExecArgv(specs, argv.slice(2));
    const fast = exec === 'not-exec' ? parseArgv(specs, argv.slice(2)) : undefined;
    if (exec !== 'not-exec') await execute(exec.name, exec.options, exec.globals, exec.command);
    else if (fast?.kind === 'run') await execute(fast.command, fast.options, { ...fast.globals, ...fast.options }, fast.args);
    else {
      const { parseWithCommander } = await import('./parse-with-commander.js');
      await parseWithCommander(await manifest(), argv, io.stdout, helpWidth(io), (name, options, args, command) => execute(name, options, command.optsWithGlobals<GlobalOptions>(), args));
    }
    return code;
  } catch (error) {
    const output = out ?? new Output({ json: wantsJson, quiet: false, stdout: io.stdout, stderr: io.stderr });
    return report(output, error, argv.includes('--debug') || io.env.T0KEN_DEBUG === '1');
  }
}

function report(out: Output, error: unknown, debug: boolean): ExitCode {
  if (isCliError(error)) {
    out.error(error);
    if (debug && error.cause instanceof Error && error.exitCode === Exit.internal) out.debug(error.cause.stack ?? '');
    return error.exitCode;
  }
  const fileSystem = asFileSystemError(error); // EACCES, ENOSPC… that escaped a command: exit 7, not a bug
  if (fileSystem) {
    out.error(fileSystem);
    return fileSystem.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  out.error(
    new CliError('internal', `unexpected error: ${message}`, {
      hint: `This is a bug in t0ken. Please report it with the output of --debug: ${DOCS_URL.replace('#readme', '/issues')}`,
    }),
  );
  if (debug && error instanceof Error && error.stack) out.debug(error.stack);
  return Exit.internal;
}
