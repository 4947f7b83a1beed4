import { EXIT_FOR_CODE, Exit, type ExitCode } from './exit-codes.js';
import { sanitizeLine } from './sanitize.js';
import { isRecord } from './is-record.js';

export interface ParsedErrorBody {
  code: string | undefined;
  message: string | undefined;
  details?: unknown;
}


const asText = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

/**
 * Reads every error body shape the two services use:
 * `{"success": false, "error": {"code", "message"}}`, `{"error": "text"}`,
 * `{"error": {"code", "message", "details"}}`, `{"detail": "text"}`, `{"detail": [{"loc", "msg"}]}`.
 * Anything else (HTML, empty, invalid JSON) yields no code and no message.
 */
export function parseErrorBody(text: string): ParsedErrorBody {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { code: undefined, message: undefined };
  }
  if (!isRecord(body)) return { code: undefined, message: undefined };

  const error = body.error;
  if (typeof error === 'string') return { code: undefined, message: asText(error) };
  if (isRecord(error)) {
    return { code: asText(error.code), message: asText(error.message), details: error.details };
  }

  const detail = body.detail;
  if (typeof detail === 'string') return { code: undefined, message: asText(detail) };
  if (Array.isArray(detail)) {
    const parts = detail.filter(isRecord).map((item) => {
      const loc = Array.isArray(item.loc) ? item.loc.filter((p) => p !== 'body').join('.') : '';
      const msg = asText(item.msg) ?? 'invalid';
      return loc ? `${loc}: ${msg}` : msg;
    });
    return { code: 'validation_error', message: parts.length > 0 ? parts.join('; ') : undefined, details: detail };
  }
  return { code: asText(body.code), message: asText(body.message) };
}

/** The contract's exit code for an HTTP error status. */
export function exitCodeForStatus(status: number): ExitCode {
  if (status === 401 || status === 403) return Exit.auth;
  if (status === 409) return Exit.conflict;
  if (status === 408 || status === 429 || status >= 500) return Exit.network; // 408: the service timed out waiting for us, retried like 429
  return Exit.rejected;
}

/** A stable snake_case code for a status when the body gives none. */
export function defaultCodeForStatus(status: number): string {
  switch (status) {
    case 400: return 'bad_request';
    case 401: return 'unauthorized';
    case 403: return 'forbidden';
    case 404: return 'not_found';
    case 409: return 'conflict';
    case 410: return 'gone';
    case 422: return 'invalid_request';
    case 408: return 'request_timeout';
    case 429: return 'rate_limited';
    default: return status >= 500 ? 'service_unavailable' : 'http_error';
  }
}

/**
 * Keeps a server-provided code only when it is a plain snake_case token, and not one of t0ken's own
 * codes with another meaning than this status's (a 429 saying `not_registered`, a 400 saying
 * `internal`): scripts branch on the code, and t0ken's codes mean what its exit-code table says.
 */
export function sanitizeCode(code: string | undefined, status: number): string {
  if (!code || !/^[a-z][a-z0-9_]{0,63}$/.test(code)) return defaultCodeForStatus(status);
  if (!Object.hasOwn(EXIT_FOR_CODE, code)) return code;
  return (EXIT_FOR_CODE as Record<string, ExitCode>)[code] === exitCodeForStatus(status) ? code : defaultCodeForStatus(status);
}

/** Server text is shown to people: strip control characters and keep it to one short line. */
export function sanitizeMessage(message: string): string {
  const oneLine = sanitizeLine(message);
  return oneLine.length > 300 ? `${oneLine.slice(0, 300)}…` : oneLine;
}
