import { stateError } from '../core/errors.js';
import { readStdinSync, stdinIsTerminal } from './stdin.js';
import { stdio, type StdioWriter } from './stdio.js';

/**
 * Everything a run takes from the outside world, handed in by the caller (as gh's IOStreams and
 * Factory): bin/t0ken.js passes the process's own (processIO), tests pass buffers. Nothing below
 * the CLI reads process.env, process.stdout/stdin, process.cwd() or Date.now() itself.
 */
export interface CliIO {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  now(): number;
  readonly stdout: StdioWriter;
  readonly stderr: StdioWriter;
  readonly stdin: StdinReader;
  /** Streams for what draws on the terminal (prompts, the spinner); asked only when one is shown. */
  terminal(): TerminalStreams;
}

export interface StdinReader {
  /** Asked only when a prompt is considered (on a process, fstat of fd 0). */
  isTTY(): boolean;
  /** All of stdin up to EOF; throws StdinTooLarge past `limitBytes`. */
  read(limitBytes: number): Buffer;
}

export interface TerminalStreams {
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream & { readonly columns?: number; readonly isTTY?: boolean };
}

let streamsUsed = false;

/** process.cwd(), or exit 7 saying the directory is gone (Node's own error read "could not uv_cwd a file"). */
function currentDirectory(): string {
  try {
    return process.cwd();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw stateError('the current directory no longer exists (it was removed after this shell entered it)', 'cd to a directory that exists, then run the command again.', error);
  }
}

/** The process's own io. */
export function processIO(): CliIO {
  return {
    env: process.env,
    get cwd() {
      return currentDirectory(); // asked when used: a run in a removed directory fails only where it needs one
    },
    now: Date.now,
    ...stdio(),
    stdin: { isTTY: stdinIsTerminal, read: readStdinSync },
    terminal: () => {
      streamsUsed = true;
      return { input: process.stdin, output: process.stderr };
    },
  };
}

/** Whether Node's own stdio streams were handed out (then they are flushed before exit). */
export const processStreamsUsed = (): boolean => streamsUsed;
