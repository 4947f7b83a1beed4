import { EXIT_FOR_CODE, type ErrorCode, type ExitCode } from './exit-codes.js';

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

/** An error whose code is not in EXIT_FOR_CODE says its exit code itself. */
export type CliErrorOptionsWithExit = CliErrorOptions & { exitCode: ExitCode };

/**
 * The one error type every layer throws. `code` is a stable snake_case string for scripts,
 * `exitCode` the contract's number (from EXIT_FOR_CODE for t0ken's own codes), `hint` the next
 * step for a person.
 */
export class CliError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;
  readonly status: number | undefined;
  readonly requestId: string | undefined;
  readonly fields: Record<string, unknown> | undefined;
  readonly body: unknown;

  constructor(code: ErrorCode, message: string, options?: CliErrorOptions);
  constructor(code: string, message: string, options: CliErrorOptionsWithExit);
  constructor(code: string, message: string, options: CliErrorOptions & { exitCode?: ExitCode } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.code = code;
    this.exitCode = options.exitCode ?? EXIT_FOR_CODE[code as ErrorCode];
    this.hint = options.hint;
    this.status = options.status;
    this.requestId = options.requestId;
    this.fields = options.fields;
    this.body = options.body;
  }
}

export const usageError = (message: string, hint?: string): CliError =>
  new CliError('invalid_input', message, { hint });

export const notRegisteredError = (message: string, hint: string): CliError =>
  new CliError('not_registered', message, { hint });

export const stateError = (message: string, hint: string, cause?: unknown): CliError =>
  new CliError('local_state', message, { hint, cause });

export const malformedAnswerError = (what: string, problem: string): CliError =>
  new CliError('malformed_response', `the service sent an unexpected answer to ${what}: ${problem}`, {
    hint: 'Nothing was stored. Try again later; if it persists, check T0KEN_API_URL / MNEMOM_API_URL.',
  });

export const isCliError = (value: unknown): value is CliError => value instanceof CliError;
