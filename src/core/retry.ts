/** Retry rules of the contract, as pure decisions the HTTP layer asks about. */

export const MAX_ATTEMPTS = 3;
export const MAX_RETRY_AFTER_MS = 30_000;
export const RETRYABLE_GET_STATUSES: readonly number[] = [408, 429, 500, 502, 503, 504];

/**
 * `tls` (a certificate or handshake problem), `proxy` (the proxy refused us) and `malformed` (an
 * answer that is not HTTP, or past a limit such as 1 MiB, which the same server sends again) never change on a retry.
 */
export type FailureKind = 'refused' | 'network' | 'timeout' | 'http' | 'tls' | 'proxy' | 'malformed';

export interface Failure {
  method: string;
  kind: FailureKind;
  status?: number;
  retryAfterMs?: number; // parsed Retry-After, when the answer had one
}

export type RetryDecision =
  | { retry: false }
  | { retry: false; tooLongMs: number } // the server asked for a wait longer than we accept
  | { retry: true; delayMs?: number };  // delayMs undefined: use exponential backoff with jitter

export function decideRetry(failure: Failure): RetryDecision {
  if (failure.retryAfterMs !== undefined && failure.retryAfterMs > MAX_RETRY_AFTER_MS) {
    return { retry: false, tooLongMs: failure.retryAfterMs };
  }
  const isGet = failure.method.toUpperCase() === 'GET';
  if (failure.kind === 'tls' || failure.kind === 'proxy' || failure.kind === 'malformed') return { retry: false };
  if (failure.kind !== 'http') {
    // A refused connection never reached the server, so even a POST is safe to repeat.
    return isGet || failure.kind === 'refused' ? { retry: true } : { retry: false };
  }
  const status = failure.status ?? 0;
  if (isGet) {
    if (!RETRYABLE_GET_STATUSES.includes(status)) return { retry: false };
    return { retry: true, delayMs: failure.retryAfterMs };
  }
  if ((status === 429 || status === 503) && failure.retryAfterMs !== undefined) {
    return { retry: true, delayMs: failure.retryAfterMs };
  }
  return { retry: false };
}

/** Parses a Retry-After header (delta seconds or HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(header: string | null | undefined, now: number): number | undefined {
  if (header === null || header === undefined) return undefined;
  const value = header.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  // An HTTP date names its month; anything else Date.parse takes ("-5", "2") is no Retry-After.
  if (!/\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b/i.test(value)) return undefined;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Exponential backoff with full jitter: attempt 1 -> up to 500 ms, 2 -> up to 1 s, capped at 4 s. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(4000, 500 * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling * (0.5 + random() / 2));
}
