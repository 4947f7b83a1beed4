import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { openFlags } from './fd-flags.js';
import { CliError } from '../core/errors.js';
import { describeErrno } from './fs/errno.js';
import { lazyRequire } from './lazy-require.js';

/**
 * stdin read synchronously from fd 0. Touching `process.stdin` builds a stream (and loads node:net
 * for a pipe or a socket): a few milliseconds of every start-up that reads a key. A plain read of
 * the descriptor needs none of it.
 */

export class StdinTooLarge extends Error {}

/**
 * Whether stdin is a terminal to read from: a pipe or a file is told apart by fstat, without loading
 * node:tty (and node:net). A terminal opened for writing only (`0>/dev/tty`) is none: a prompt on it
 * failed with ENOTCONN out of readline, a stack trace and exit 1.
 */
export function stdinIsTerminal(): boolean {
  try {
    if (!fstatSync(0).isCharacterDevice()) return false;
  } catch {
    return false;
  }
  return (lazyRequire('node:tty') as typeof import('node:tty')).isatty(0) && ((openFlags(0) ?? 0) & 3) !== 1; // O_ACCMODE is not O_WRONLY
}

/** All of stdin up to EOF; throws StdinTooLarge past `limitBytes`. */
export function readStdinSync(limitBytes: number): Buffer {
  return readToEnd(0, limitBytes);
}

/**
 * A named pipe (a FIFO, or the /dev/fd/N of a shell's `<(command)`) read up to EOF; throws
 * StdinTooLarge past `limitBytes`. Its size is not known beforehand, so the limit is counted.
 */
export function readPipeSync(path: string, limitBytes: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    return readToEnd(fd, limitBytes);
  } finally {
    closeSync(fd);
  }
}

/** What was given as stdin is no input at all (`< /`: a directory): a usage mistake, exit 2. */
function stdinUnreadable(cause: unknown): CliError {
  return new CliError('invalid_input', `cannot read stdin: ${describeErrno(cause)}`, { hint: 'Pipe the input in (`printf %s "$VALUE" | t0ken …`) or redirect a file (`< file`).', cause });
}

/**
 * A read that blocks (a pipe whose writer is slow, a terminal) holds the event loop: a signal handler
 * of ours would run only once it returns, so Ctrl-C waited for the writer (`sleep 60 | t0ken …` ran
 * for a minute and exited 0). While it blocks, these signals do what they do to `cat`: end the
 * process (the shell says 130 for Ctrl-C). Nothing is written yet, so nothing is left to clean up.
 */
const ENDING_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function readToEnd(fd: number, limitBytes: number): Buffer {
  const handlers = ENDING_SIGNALS.map((signal) => [signal, process.listeners(signal)] as const);
  for (const [signal] of handlers) process.removeAllListeners(signal);
  try {
    return readAll(fd, limitBytes);
  } finally {
    for (const [signal, listeners] of handlers) for (const listener of listeners) process.on(signal, listener);
  }
}

function readAll(fd: number, limitBytes: number): Buffer {
  const chunks: Buffer[] = [];
  let size = 0;
  const buffer = Buffer.allocUnsafe(64 * 1024);
  for (;;) {
    let read: number;
    try {
      read = readSync(fd, buffer, 0, buffer.length, null);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        // A non-blocking descriptor with nothing yet: wait a moment for the writer.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
        continue;
      }
      if (code === 'EOF' || code === 'EBADF' || code === 'ENXIO') break; // no stdin at all (closed, or none on Windows)
      if (fd === 0) throw stdinUnreadable(error);
      throw error;
    }
    if (read === 0) break;
    size += read;
    if (size > limitBytes) throw new StdinTooLarge(`${fd === 0 ? 'stdin' : 'the pipe'} is larger than ${limitBytes} bytes`);
    chunks.push(Buffer.from(buffer.subarray(0, read)));
  }
  return Buffer.concat(chunks, size);
}
