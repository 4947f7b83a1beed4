import { writeSync } from 'node:fs';
import { CliError } from '../core/errors.js';
import { stdoutFailed } from '../core/stdout-failed.js';
import { isTerminal } from './terminal.js';

/**
 * stdout and stderr written straight to their file descriptors. `process.stdout` builds a stream on
 * first use (node:stream, and node:net with it for a pipe): 2 to 10 ms of a command that prints one
 * line. Writes here are synchronous, as Node's own are on Linux for files, pipes and terminals, so
 * nothing is pending at exit. A reader of stdout that went away (EPIPE) ends the process with 141, as
 * SIGPIPE would (see src/cli.ts); one of stderr costs only the messages. Windows keeps Node's
 * streams: its console wants UTF-16, not bytes.
 */

export const CLOSED_PIPE_EXIT = 141;

export interface StdioWriter {
  write(chunk: string): boolean;
  readonly isTTY: boolean;
  /** The terminal's width; undefined when this is not a terminal. */
  readonly columns?: number;
}

class FdWriter implements StdioWriter {
  private tty: boolean | undefined;

  constructor(private readonly fd: 1 | 2) {}

  write(chunk: string): boolean {
    const bytes = Buffer.from(chunk, 'utf8');
    let offset = 0;
    while (offset < bytes.length) {
      try {
        offset += writeSync(this.fd, bytes, offset);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1); // a full non-blocking pipe: let its reader catch up
          continue;
        }
        // stderr that takes nothing more (/dev/full, a reader gone): warnings and errors are lost, not
        // the command nor its exit status. A reader of stdout gone: 141, as SIGPIPE would. stdout's
        // other failures are the command's (exit 7, said on stderr if it can).
        if (this.fd === 2) return false;
        if (code === 'EPIPE') process.exit(CLOSED_PIPE_EXIT);
        const { message, hint } = stdoutFailed(code);
        throw new CliError('local_state', message, { cause: error, hint });
      }
    }
    return true;
  }

  get isTTY(): boolean {
    this.tty ??= isTerminal(this.fd);
    return this.tty;
  }

  /** Asked only at a terminal, and only for help and tables (Node builds its tty stream for it). */
  get columns(): number | undefined {
    if (!this.isTTY) return undefined;
    return (this.fd === 1 ? process.stdout : process.stderr).columns;
  }
}

let writers: { stdout: StdioWriter; stderr: StdioWriter } | undefined;

/** The process's stdout and stderr writers (Node's streams on Windows). */
export function stdio(): { stdout: StdioWriter; stderr: StdioWriter } {
  writers ??= process.platform === 'win32'
    ? { stdout: process.stdout, stderr: process.stderr }
    : { stdout: new FdWriter(1), stderr: new FdWriter(2) };
  return writers;
}
