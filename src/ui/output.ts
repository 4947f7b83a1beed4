import type { CliError } from '../core/errors.js';
import { PLAIN_STYLE, type Style } from './style.js';

export interface WritableLike {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface OutputOptions {
  json: boolean;
  quiet: boolean;
  stdout: WritableLike;
  stderr: WritableLike;
  style?: Style;    // for stdout
  errStyle?: Style; // for stderr
}

/**
 * The only place that writes to the terminal. Results go to stdout (human text or exactly one JSON
 * document); progress, warnings and errors go to stderr.
 */
export class Output {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly style: Style;
  readonly errStyle: Style;
  private readonly stdout: WritableLike;
  private readonly stderr: WritableLike;

  constructor(options: OutputOptions) {
    this.json = options.json;
    this.quiet = options.quiet;
    this.stdout = options.stdout;
    this.stderr = options.stderr;
    this.style = options.json ? PLAIN_STYLE : (options.style ?? PLAIN_STYLE);
    this.errStyle = options.json ? PLAIN_STYLE : (options.errStyle ?? PLAIN_STYLE);
  }

  get stderrIsTTY(): boolean {
    return this.stderr.isTTY === true;
  }

  /** The command's result: `json` with --json, otherwise the human rendering. */
  result(json: unknown, human: () => string): void {
    if (this.json) {
      this.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
      return;
    }
    const text = human();
    if (text !== '') this.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Progress and notes for people; silent with --quiet. */
  info(message: string): void {
    if (!this.quiet) this.stderr.write(`${message}\n`);
  }

  warn(message: string): void {
    if (this.json) {
      this.stderr.write(`${JSON.stringify({ warning: message })}\n`);
      return;
    }
    this.stderr.write(`${this.errStyle.yellow('warning:')} ${message}\n`);
  }

  error(error: CliError): void {
    if (this.json) {
      const body: Record<string, unknown> = { code: error.code, message: error.message };
      if (error.status !== undefined) body.status = error.status;
      if (error.hint !== undefined) body.hint = error.hint;
      this.stderr.write(`${JSON.stringify({ error: body })}\n`);
      return;
    }
    this.stderr.write(`${this.errStyle.red('t0ken:')} ${error.message}\n`);
    if (error.hint) this.stderr.write(`${error.hint}\n`);
  }

  /** Raw stderr line (debug traces, prompts' companions). */
  raw(message: string): void {
    this.stderr.write(`${message}\n`);
  }
}
