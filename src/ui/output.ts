import type { CliError } from '../core/errors.js';
import { escapeUnsafeInJson, sanitizeLine } from '../core/sanitize.js';
import { PLAIN_STYLE, type Style } from './style.js';

export interface WritableLike {
  write(chunk: string): unknown;
  isTTY?: boolean;
  /** The terminal's width, when it is one. */
  readonly columns?: number;
}

export interface OutputOptions {
  /** The line width tables wrap to (the terminal's; see core/wrap.ts tableWidth). */
  width?: number;
  json: boolean;
  quiet: boolean;
  stdout: WritableLike;
  stderr: WritableLike;
  style?: Style;    // for stdout
  errStyle?: Style; // for stderr
}

export interface ResultOptions {
  /**
   * What `-q` prints: the result alone (one value a line, no table, no prose). Without it, `-q`
   * prints the human rendering. Return '' to print nothing.
   */
  quiet?: () => string;
}

/**
 * The only place that writes to the terminal. Results go to stdout (human text or exactly one JSON
 * document); progress, warnings and errors go to stderr. With --json, every stderr line is a JSON
 * object too: `{"notice"}`, `{"warning"}`, `{"error"}`, `{"debug"}`. Every human line passes the
 * sanitiser on its way out (server text can be anywhere in it: a table cell, an error message, the
 * --debug trace), and t0ken's own colour is applied after that (see safe-text.ts). JSON keeps its
 * exact value, with the characters a terminal would act on \u-escaped.
 */
export class Output {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly width: number;
  readonly style: Style;
  readonly errStyle: Style;
  private readonly stdout: WritableLike;
  private readonly stderr: WritableLike;

  constructor(options: OutputOptions) {
    this.json = options.json;
    this.quiet = options.quiet;
    this.width = options.width ?? Infinity;
    this.stdout = options.stdout;
    this.stderr = options.stderr;
    this.style = options.json ? PLAIN_STYLE : (options.style ?? PLAIN_STYLE);
    this.errStyle = options.json ? PLAIN_STYLE : (options.errStyle ?? PLAIN_STYLE);
  }

  get stderrIsTTY(): boolean {
    return this.stderr.isTTY === true;
  }

  /** The command's result: `json` with --json, `options.quiet()` with -q, otherwise the human rendering. */
  result(json: unknown, human: () => string, options: ResultOptions = {}): void {
    if (this.json) {
      this.stdout.write(`${jsonText(json, 2)}\n`);
      return;
    }
    const text = this.style.render(this.quiet && options.quiet ? options.quiet() : human());
    if (text !== '') this.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /**
   * Many results, one a line (`hash-proof --names-from`): JSON Lines with --json, else the human
   * lines. Written at once; nothing when both are empty.
   */
  resultLines(json: readonly unknown[], human: readonly string[]): void {
    const text = this.json ? json.map((value) => jsonText(value)).join('\n') : this.style.render(human.join('\n'));
    if (text !== '') this.stdout.write(`${text}\n`);
  }

  /** A fixed text (a command's help), written as it is, with --json too. */
  text(text: string): void {
    this.stdout.write(text);
  }

  /** Progress, prose and next steps for people: `{"notice"}` with --json, nothing with -q. */
  info(message: string): void {
    if (this.quiet) return;
    if (this.json) this.stderr.write(`${jsonText({ notice: message })}\n`);
    else this.toStderr(message);
  }

  /** Warnings are shown even with -q (the contract: errors and warnings still go to stderr). */
  warn(message: string): void {
    if (this.json) {
      this.stderr.write(`${jsonText({ warning: message })}\n`);
      return;
    }
    this.toStderr(`${this.errStyle.yellow('warning:')} ${message}`);
  }

  error(error: CliError): void {
    if (this.json) {
      const body: Record<string, unknown> = { code: error.code, message: error.message };
      if (error.status !== undefined) body.status = error.status;
      if (error.hint !== undefined) body.hint = error.hint;
      if (error.requestId !== undefined) body.request_id = error.requestId;
      if (error.fields !== undefined) Object.assign(body, error.fields);
      this.stderr.write(`${jsonText({ error: body })}\n`);
      return;
    }
    // One line whatever the message holds: a server's value in it cannot start a line of its own.
    const requestId = error.requestId === undefined ? '' : ` (request id: ${sanitizeLine(error.requestId)})`;
    this.toStderr(`${this.errStyle.red('t0ken:')} ${sanitizeLine(error.message)}${requestId}`);
    if (error.hint) this.toStderr(error.hint);
  }

  /** --debug lines (HTTP traces, stacks): `{"debug"}` with --json. Callers decide whether debug is on. */
  debug(message: string): void {
    if (this.json) this.stderr.write(`${jsonText({ debug: message })}\n`);
    else this.toStderr(message);
  }

  private toStderr(message: string): void {
    this.stderr.write(`${this.errStyle.render(message)}\n`);
  }
}

function jsonText(value: unknown, indent?: number): string {
  return escapeUnsafeInJson(JSON.stringify(value, null, indent));
}
