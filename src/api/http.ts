import type { HTTPError as KyHTTPError } from 'ky';
import { CliError, malformedAnswerError } from '../core/errors.js';
import { Exit } from '../core/exit-codes.js';
import { exitCodeForStatus, parseErrorBody, sanitizeCode, sanitizeMessage } from '../core/error-body.js';
import { redactBody, redactHeaders, redactText } from '../core/redact.js';
import { backoffMs, decideRetry, MAX_ATTEMPTS, MAX_RETRY_AFTER_MS, parseRetryAfter, RETRYABLE_GET_STATUSES, type Failure, type FailureKind } from '../core/retry.js';
import { userAgent } from '../version.js';
import { installProxyIfConfigured } from './proxy.js';
import { SchemaError, type Check } from './schemas.js';

export interface HttpClientOptions {
  service: string;          // shown in messages: "t0ken", "Mnemom"
  baseUrl: string;          // already normalised and checked for http:// to remote hosts
  timeoutMs: number;
  env: NodeJS.ProcessEnv;
  headers?: Record<string, string>;
  authHint: string;         // what to do after a 401/403
  secrets?: readonly string[]; // values to scrub from traces, beyond the known key shapes
  trace?: ((line: string) => void) | undefined;
}

export interface RequestOptions<T> {
  what: string;             // names the call in messages: "auto-register"
  schema: Check<T>;
  json?: unknown;
  query?: Record<string, string>;
  headers?: Record<string, string>;
}

/**
 * The thin HTTP layer: one client per service, with the contract's timeout, retry policy, redacted
 * --debug trace, typed errors for every error body, and a schema check of every 2xx answer.
 */
export class HttpClient {
  constructor(private readonly options: HttpClientOptions) {}

  get<T>(path: string, request: RequestOptions<T>): Promise<T> {
    return this.send('GET', path, request);
  }

  post<T>(path: string, request: RequestOptions<T>): Promise<T> {
    return this.send('POST', path, request);
  }

  private async send<T>(method: 'GET' | 'POST', path: string, request: RequestOptions<T>): Promise<T> {
    const { options } = this;
    await installProxyIfConfigured(options.env);
    const { default: ky } = await import('ky');
    const url = new URL(`${options.baseUrl}${path}`);
    for (const [key, value] of Object.entries(request.query ?? {})) url.searchParams.set(key, value);
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': userAgent(),
      ...options.headers,
      ...request.headers,
    };
    const trace = options.trace;
    const scrub = (text: string): string => redactBody(text, options.secrets);
    let started = 0;

    let response: Response;
    try {
      response = await ky(url, {
        method,
        headers,
        json: request.json,
        timeout: options.timeoutMs,
        redirect: 'manual', // a redirect must never carry our keys to another origin
        throwHttpErrors: true,
        retry: {
          limit: MAX_ATTEMPTS - 1,
          methods: ['get', 'post'],
          statusCodes: [...RETRYABLE_GET_STATUSES],
          afterStatusCodes: [...RETRYABLE_GET_STATUSES],
          maxRetryAfter: MAX_RETRY_AFTER_MS,
          backoffLimit: 4_000,
          delay: (attempt) => backoffMs(attempt),
          jitter: false,
          retryOnTimeout: true,
          shouldRetry: ({ error }) => {
            const decision = decideRetry(classify(method, error));
            if (!decision.retry) return false;
            // undefined lets ky wait for the server's Retry-After (already capped by the decision).
            return decision.delayMs === undefined ? true : undefined;
          },
        },
        hooks: {
          beforeRequest: [
            (req) => {
              started = Date.now();
              if (!trace) return;
              trace(`> ${req.method} ${redactText(req.url, options.secrets)}`);
              for (const [name, value] of redactHeaders(req.headers)) trace(`> ${name}: ${value}`);
              if (request.json !== undefined) trace(`> ${scrub(JSON.stringify(request.json))}`);
            },
          ],
          beforeRetry: [
            ({ error, retryCount }) => {
              trace?.(`! retrying ${request.what} (attempt ${retryCount + 1} of ${MAX_ATTEMPTS}) after ${describeFailure(classify(method, error))}`);
            },
          ],
          afterResponse: [
            async (_req, _opts, res) => {
              if (!trace) return;
              trace(`< ${res.status} ${res.statusText} (${Date.now() - started} ms)`);
              const body = await res.clone().text().catch(() => '');
              if (body) trace(`< ${scrub(body.slice(0, 2000))}`);
            },
          ],
        },
      });
    } catch (error) {
      throw await this.toCliError(method, request.what, error);
    }
    return this.parse(response, request);
  }

  private async parse<T>(response: Response, request: RequestOptions<T>): Promise<T> {
    let body: unknown;
    try {
      body = JSON.parse(await response.text());
    } catch {
      throw malformedAnswerError(request.what, 'the body is not JSON');
    }
    try {
      return request.schema(body, '');
    } catch (error) {
      if (error instanceof SchemaError) throw malformedAnswerError(request.what, error.message);
      throw error;
    }
  }

  private async toCliError(method: string, what: string, error: unknown): Promise<unknown> {
    const { service, timeoutMs, authHint } = this.options;
    const origin = new URL(this.options.baseUrl).origin;
    const failure = classify(method, error);
    if (failure.kind === 'timeout') {
      return new CliError('timeout', `${service} did not answer ${what} within ${timeoutMs / 1000} s`, Exit.network, {
        hint: 'Try again, or give it longer with --timeout <seconds>.',
        cause: error,
      });
    }
    if (failure.kind === 'refused' || failure.kind === 'network') {
      const reason = networkCode(error) ?? 'network error';
      return new CliError('network', `cannot reach ${service} at ${origin} (${reason})`, Exit.network, {
        hint: 'Check your connection and proxy settings (HTTPS_PROXY, NO_PROXY), and the API URL variables.',
        cause: error,
      });
    }
    const response = (error as KyHTTPError).response;
    const status = response.status;
    if (status >= 300 && status < 400) {
      const location = response.headers.get('location') ?? '';
      return new CliError('redirect_refused', `${service} answered ${what} with a redirect (${status}${location ? ` to ${redactText(location.slice(0, 120))}` : ''}); t0ken does not follow redirects with credentials`, Exit.network, {
        status,
        hint: 'Point the API URL variable at the final address.',
      });
    }
    const text = await response.text().catch(() => '');
    const parsed = parseErrorBody(text);
    const message = parsed.message ? sanitizeMessage(redactText(parsed.message, this.options.secrets)) : `${status} ${response.statusText || 'error'}`.trim();
    const retryAfterMs = failure.retryAfterMs;
    let hint: string;
    if (status === 401 || status === 403) hint = authHint;
    else if (retryAfterMs !== undefined && (status === 429 || status >= 500)) hint = `Try again after ${whenAfter(retryAfterMs)}.`;
    else if (status === 409) hint = 'It already exists or was already done; nothing was changed.';
    else if (status === 429) hint = 'Too many requests: wait a minute and try again.';
    else if (status >= 500) hint = `${service} is having trouble; try again in a minute.`;
    else hint = 'Check the values you passed; --debug shows the full exchange.';
    return new CliError(sanitizeCode(parsed.code, status), `${service} refused ${what}: ${message}`, exitCodeForStatus(status), { status, hint, cause: error });
  }
}

function classify(method: string, error: unknown): Failure {
  const name = (error as Error | undefined)?.name;
  if (name === 'TimeoutError') return { method, kind: 'timeout' };
  if (name === 'HTTPError') {
    const response = (error as KyHTTPError).response;
    return { method, kind: 'http', status: response.status, retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), Date.now()) };
  }
  const kind: FailureKind = networkCode(error) === 'ECONNREFUSED' ? 'refused' : 'network';
  return { method, kind };
}

function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function describeFailure(failure: Failure): string {
  return failure.kind === 'http' ? `HTTP ${failure.status}` : failure.kind;
}

function whenAfter(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  const at = new Date(Date.now() + ms).toLocaleTimeString();
  return `${seconds} s (at ${at})`;
}
