import { readFileSync, writeSync } from 'node:fs';
import { isTerminal } from '../platform/terminal.js';
import { stdoutFailed } from '../core/stdout-failed.js';
import { mayNameStaticText, staticTextKey } from '../core/argv.js';
import { HELP_WIDTH, outputWidth } from '../core/wrap.js';
import type { Manifest } from '../core/command-spec.js';

/** Inlined by the build (scripts/build.mjs), as in the CLI. */
declare const __T0KEN_ARGV__: string;

/**
 * Entry of dist/static.cjs, used by bin/t0ken.js: prints the build-time text for this argv and
 * returns true, or returns false (no such text, or no text file) so the CLI runs as usual.
 */
export function printStaticText(args: readonly string[], textFile: string): boolean {
  if (!mayNameStaticText(args)) return false; // before the specs are parsed: most runs print no text
  if (narrowerThanHelp()) return false; // the CLI renders it at that width
  const key = staticTextKey(JSON.parse(__T0KEN_ARGV__) as Manifest, args);
  if (key === undefined) return false;
  let texts: Record<string, string>;
  try {
    texts = JSON.parse(readFileSync(textFile, 'utf8')) as Record<string, string>;
  } catch {
    return false;
  }
  const text = texts[key];
  if (typeof text !== 'string') return false;
  const bytes = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(1, bytes, offset);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') continue; // a non-blocking pipe that is full: its reader is catching up
      // The reader went away (`t0ken --help | head -1`): end as SIGPIPE would, quietly (see src/cli.ts).
      if (code === 'EPIPE') process.exit(141);
      outputFailed(code);
    }
  }
  return true;
}

/**
 * The build-time help is 80 columns: right for any stdout at least that wide. A narrower terminal
 * (stdout's columns, else COLUMNS) gets the CLI's, made at its width. Only at a terminal does this
 * cost anything (Node's tty stream, for the width): not a pipe, a file or /dev/null.
 */
function narrowerThanHelp(): boolean {
  return outputWidth(isTerminal(1) ? process.stdout.columns : undefined, process.env) < HELP_WIDTH;
}

/**
 * stdout cannot take the text (/dev/full, an I/O error): a one-line error and exit 7, as for any
 * file-system error, never a stack trace. Shared with bin/t0ken.js's --version.
 */
export function outputFailed(code: string | undefined): never {
  const { message, hint } = stdoutFailed(code);
  try {
    writeSync(2, `t0ken: ${message}\n${hint}\n`);
  } catch {
    // stderr is gone too: the exit status says it
  }
  process.exit(7);
}
