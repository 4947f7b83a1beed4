import type { Command } from 'commander';
import { createContext, type Context, type GlobalOptions } from './context.js';
import { CliError, isCliError } from './core/errors.js';
import { Exit, type ExitCode } from './core/exit-codes.js';
import { parseExecArgv } from './core/exec-argv.js';
import { parseFastArgv } from './core/fast-argv.js';
import type { CommandName } from './core/command-name.js';
import { Output } from './ui/output.js';
import { processIO, processStreamsUsed, type CliIO } from './platform/io.js';
import { CLOSED_PIPE_EXIT } from './platform/stdio.js';
import { asFileSystemError } from './platform/fs/errno.js';
import { DOCS_URL } from './version.js';
import { outputFailed } from './static-text/print.js';

/** `command` is there when commander parsed argv (help and completion walk the tree from it). */
/** A command may return an exit status (`exec` passes its program's on). */
export type CommandModule = { run(ctx: Context, options: Record<string, unknown>, args: string[], command?: Command): Promise<void | number> };

// One lazy import per command: a command's module, and what it imports (store, HTTP, prompts…),
// is evaluated only when that command runs.
const loaders: Record<CommandName, () => Promise<CommandModule>> = {
  fingerprint: () => import('./commands/fingerprint.js'),
  register: () => import('./commands/register.js'),
  whoami: () => import('./commands/whoami.js'),
  token: () => import('./commands/token.js'),
  logout: () => import('./commands/logout.js'),
  claim: () => import('./commands/claim.js'),
  verify: () => import('./commands/verify.js'),
  stats: () => import('./commands/stats.js'),
  'hash-proof': () => import('./commands/hash-proof.js'),
  'agent-create': () => import('./commands/agent/create.js'),
  'agent-list': () => import('./commands/agent/list.js'),
  'agent-login': () => import('./commands/agent/login.js'),
  'agent-logout': () => import('./commands/agent/logout.js'),
  'agent-show': () => import('./commands/agent/show.js'),
  'agent-claim': () => import('./commands/agent/claim.js'),
  'agent-rekey': () => import('./commands/agent/rekey.js'),
  completion: () => import('./commands/completion.js'),
  sandbox: () => import('./commands/sandbox.js'),
  help: () => import('./commands/help.js'),
  exec: () => import('./commands/exec.js'),
  env: () => import('./commands/env.js'),
  'mcp-config': () => import('./commands/mcp/config.js'),
  link: () => import('./commands/link.js'),
  'credentials-status': () => import('./commands/credentials/status.js'),
  'credentials-migrate': () => import('./commands/credentials/migrate.js'),
};

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
      if (error.code === 'EPIPE') process.exit(CLOSED_PIPE_EXIT);
      if (stream === process.stdout) outputFailed(error.code); // /dev/full and the like: one line, exit 7, no stack trace
      // stderr that takes nothing more: its messages are lost, the command and its status are not
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
  const execute = async (name: CommandName, options: Record<string, unknown>, globals: GlobalOptions, args: string[], command?: Command) => {
    const ctx = await createContext(globals, io);
    out = ctx.out;
    const module = await loaders[name]();
    const status = await module.run(ctx, options, args, command);
    if (typeof status === 'number') code = status;
  };
  let code: number = Exit.ok;

  try {
    // Plain argv skips commander entirely; anything else (help included) goes through it. `exec`
    // has its own parser: whatever follows its program belongs to the program.
    const exec = parseExecArgv(argv.slice(2));
    const fast = exec === 'not-exec' ? parseFastArgv(argv.slice(2)) : undefined;
    if (exec !== 'not-exec') await execute('exec', { only: exec.only }, exec.globals, exec.command);
    else if (fast) await execute(fast.name, fast.options, { ...fast.globals, ...fast.options }, fast.args);
    else {
      const { parseWithCommander } = await import('./parse-with-commander.js');
      await parseWithCommander(argv, io.stdout, (name, options, args, command) => execute(name, options, command.optsWithGlobals<GlobalOptions>(), args, command));
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
    new CliError('internal', `unexpected error: ${message}`, Exit.internal, {
      hint: `This is a bug in t0ken. Please report it with the output of --debug: ${DOCS_URL.replace('#readme', '/issues')}`,
    }),
  );
  if (debug && error instanceof Error && error.stack) out.debug(error.stack);
  return Exit.internal;
}
