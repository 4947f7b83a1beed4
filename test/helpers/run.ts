import { PassThrough, Writable } from 'node:stream';
import { runCli } from '../../src/cli.js';
import type { CliIO } from '../../src/platform/io.js';
import { StdinTooLarge } from '../../src/platform/stdin.js';
import { cleanEnv } from './cli.js';
import { useConfigDir, useSandbox, type SandboxHandle } from './sandbox.js';

/**
 * The CLI run in this process (src/cli.ts runCli with buffers instead of the process's stdio): the
 * way to test behaviour. Spawn bin/t0ken.js (helpers/cli.ts) only where a process is the point:
 * signals, EPIPE, start-up and lazy loading, exec, terminals, real parts behind a process boundary.
 */

export interface InProcessOptions {
  /** Added to the clean environment of helpers/cli.ts cleanEnv (undefined removes a variable). */
  env?: Record<string, string | undefined>;
  /** stdin's whole content (empty when absent). */
  input?: string;
  /** The working directory relative paths are read from (default: the test process's). */
  cwd?: string;
  /** Which streams are terminals: true for all three, or each alone (default: none). */
  isTTY?: boolean | { stdin?: boolean; stdout?: boolean; stderr?: boolean };
  /** The terminal's width: stdout's when it is a terminal (help, tables), and the spinner's and prompts'. */
  columns?: number;
  /** The clock, in milliseconds since the epoch (default: Date.now). */
  now?: () => number;
  /** A run still going after this long fails the test (default 20 s): it cannot be killed as a process can. */
  timeoutMs?: number;
}

export interface InProcessResult {
  code: number;
  stdout: string;
  stderr: string;
  /** How long the run took. */
  ms: number;
}

/** Runs `t0ken <args>` in this process; resolves when the command has ended. */
export async function run(args: readonly string[], options: InProcessOptions = {}): Promise<InProcessResult> {
  const tty = typeof options.isTTY === 'object' ? options.isTTY : { stdin: options.isTTY, stdout: options.isTTY, stderr: options.isTTY };
  const buffers = { stdout: '', stderr: '' };
  const input = Buffer.from(options.input ?? '', 'utf8');
  const io: CliIO = {
    env: cleanEnv(options.env),
    cwd: options.cwd ?? process.cwd(),
    now: options.now ?? Date.now,
    stdout: { write: (chunk) => ((buffers.stdout += chunk), true), isTTY: tty.stdout === true, ...(tty.stdout === true && options.columns !== undefined ? { columns: options.columns } : {}) },
    stderr: { write: (chunk) => ((buffers.stderr += chunk), true), isTTY: tty.stderr === true },
    stdin: {
      isTTY: () => tty.stdin === true,
      read: (limitBytes) => {
        if (input.length > limitBytes) throw new StdinTooLarge(`stdin is larger than ${limitBytes} bytes`);
        return input;
      },
    },
    terminal: () => terminalStreams(input, options.columns, (chunk) => (buffers.stderr += chunk)),
  };
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const timeoutMs = options.timeoutMs ?? 20_000;
  const overdue = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`t0ken ${args.join(' ')} did not end within ${timeoutMs} ms; stderr so far: ${buffers.stderr}`)), timeoutMs);
  });
  try {
    const code = await Promise.race([runCli(['node', 't0ken', ...args], io), overdue]);
    return { code, ...buffers, ms: Date.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

/** A prompt's or spinner's streams: stdin's content as typed input, drawing appended to stderr. */
function terminalStreams(input: Buffer, columns: number | undefined, draw: (chunk: string) => void): ReturnType<CliIO['terminal']> {
  const keys = new PassThrough();
  keys.end(input);
  const output = Object.assign(
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        draw(chunk.toString('utf8'));
        done();
      },
    }),
    { columns, isTTY: true },
  );
  return { input: keys, output };
}

/**
 * The usual test file's set-up: a sandbox for the file, a fresh config dir per test (or one for the
 * file with 'shared'), and `t0ken(args, options)` running against both with `env()` added. Every
 * run's result is kept in `outputs` (for checks over all of them, as "no secret was ever printed").
 */
export function useCli(options: { config?: 'each' | 'shared'; prefix?: string; env?: () => Record<string, string | undefined> } = {}): {
  readonly sandbox: SandboxHandle;
  readonly config: { readonly dir: string };
  readonly outputs: InProcessResult[];
  t0ken(args: readonly string[], options?: InProcessOptions): Promise<InProcessResult>;
} {
  const sandbox = useSandbox();
  const config = useConfigDir(options.config ?? 'each', options.prefix);
  const outputs: InProcessResult[] = [];
  return {
    sandbox,
    config,
    outputs,
    t0ken: async (args, runOptions = {}) => {
      const result = await run(args, { ...runOptions, env: { ...sandbox.env(config.dir), ...options.env?.(), ...runOptions.env } });
      outputs.push(result);
      return result;
    },
  };
}
