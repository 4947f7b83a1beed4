import { Exit, type ExitCode } from './exit-codes.js';

export interface CliErrorOptions {
  hint?: string;
  status?: number;
  cause?: unknown;
  /** The service's id for the failed request (Mnemom's X-Mnemom-Request-Id), shown so users can quote it. */
  requestId?: string;
  /** Extra machine-readable fields for the JSON error (`claimable_orgs`, `conflict_agent_id`…). */
  fields?: Record<string, unknown>;
  /** The parsed JSON error body the service sent, for commands that read its details. */
  body?: unknown;
}

/**
 * The one error type every layer throws. `code` is a stable snake_case string for scripts,
 * `exitCode` the contract's number, `hint` the next step for a person.
 */
export class CliError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;
  readonly status: number | undefined;
  readonly requestId: string | undefined;
  readonly fields: Record<string, unknown> | undefined;
  readonly body: unknown;

  constructor(code: string, message: string, exitCode: ExitCode, options: CliErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.code = code;
    this.exitCode = exitCode;
    this.hint = options.hint;
    this.status = options.status;
    this.requestId = options.requestId;
    this.fields = options.fields;
    this.body = options.body;
  }
}

export const usageError = (message: string, hint?: string): CliError =>
  new CliError('invalid_input', message, Exit.usage, { hint });

export const notRegisteredError = (message: string, hint: string): CliError =>
  new CliError('not_registered', message, Exit.auth, { hint });

export const stateError = (message: string, hint: string, cause?: unknown): CliError =>
  new CliError('local_state', message, Exit.state, { hint, cause });

export const malformedAnswerError = (what: string, problem: string): CliError =>
  new CliError('malformed_response', `the service sent an unexpected answer to ${what}: ${problem}`, Exit.network, {
    hint: 'Nothing was stored. Try again later; if it persists, check T0KEN_API_URL / MNEMOM_API_URL.',
  });

export const isCliError = (value: unknown): value is CliError => value instanceof CliError;

/** stdout that cannot take the output (/dev/full, an I/O error): the message and hint, wherever it is found. */
export const stdoutFailed = (code: string | undefined): { message: string; hint: string } => ({
  message: `could not write the output to stdout (${code ?? 'error'})`,
  hint: 'Check where stdout goes (a full disk, a broken device), then run the command again.',
});
