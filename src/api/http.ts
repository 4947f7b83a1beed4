import { CliError, malformedAnswerError } from '../core/errors.js';
import { stringifyWithJsonText } from '../core/json-text.js';
import { jsonTooDeep, TOO_DEEP } from '../core/json-depth.js';
import { exitCodeForStatus, parseErrorBody, sanitizeCode, sanitizeMessage } from '../core/error-body.js';
import { formatLocalTime } from '../core/format.js';
import { redactBody, redactHeaders, redactText } from '../core/redact.js';
import { isLoopbackHost } from '../core/url.js';
import { backoffMs, decideRetry, MAX_ATTEMPTS, parseRetryAfter, type Failure } from '../core/retry.js';
import { sleep } from '../platform/sleep.js';
import { userAgent } from '../version.js';
import { send } from './transport.js';
import { TransportError, type TransportResponse } from './transport-types.js';
import { SchemaError, type Check } from './schemas.js';

export interface HttpClientOptions {
  service: string;          // shown in messages: "t0ken", "Mnemom"
  baseUrl: string;          // already normalised and checked for http:// to remote hosts
  urlVariable: string;      // the variable that sets baseUrl, for hints: "T0KEN_API_URL"
  timeoutMs: number;
  env: NodeJS.ProcessEnv;
  headers?: Record<string, string>;
  authHint: string;         // what to do after a 401/403
  secrets?: readonly string[]; // values to scrub from traces, beyond the known key shapes
  trace?: ((line: string) => void) | undefined;
  /** A response header naming the request (Mnemom: x-mnemom-request-id), carried by every error. */
  requestIdHeader?: string;
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
  private deadline: number | undefined;

  constructor(private readonly options: HttpClientOptions) {}

  get<T>(path: string, request: RequestOptions<T>): Promise<T> {
    return this.send('GET', path, request);
  }

  post<T>(path: string, request: RequestOptions<T>): Promise<T> {
    return this.send('POST', path, request);
  }

  private async send<T>(method: 'GET' | 'POST', path: string, request: RequestOptions<T>): Promise<T> {
    const { options } = this;
    const url = new URL(`${options.baseUrl}${path}`);
    for (const [key, value] of Object.entries(request.query ?? {})) url.searchParams.set(key, value);
    const body = request.json === undefined ? undefined : stringifyWithJsonText(request.json);
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': userAgent(),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
      ...request.headers, // an Idempotency-Key set here is the same on every attempt
    };
    const trace = options.trace;
    const scrub = (text: string): string => redactBody(text, options.secrets);
    // --timeout is the whole command's budget: one deadline for every attempt, wait and request of
    // this client, set when it first sends.
    this.deadline ??= Date.now() + options.timeoutMs;
    const deadline = this.deadline;

    for (let attempt = 1; ; attempt++) {
      const started = Date.now();
      const remainingMs = deadline - started;
      if (remainingMs <= 0) throw this.timeoutError(request.what, attempt - 1);
      if (trace) {
        trace(`> ${method} ${redactText(url.href, options.secrets)}`);
        for (const [name, value] of redactHeaders(Object.entries(headers))) trace(`> ${name}: ${value}`);
        if (body !== undefined) trace(`> ${scrub(body)}`);
      }
      let failure: Failure;
      let giveUp: () => CliError; // the error to throw if this failure is final
      try {
        const response = await send({ method, url, headers, body, timeoutMs: remainingMs, env: options.env, trace });
        if (trace) {
          trace(`< ${response.status} ${response.statusText} (${Date.now() - started} ms)`);
          if (response.body) trace(`< ${scrub(response.body).slice(0, 2000)}`); // whole, then cut: a cut body is no JSON, and its secret fields would go unseen
        }
        if (response.status >= 200 && response.status < 300) return this.parse(response.body, request, this.requestIdOf(response));
        failure = { method, kind: 'http', status: response.status, retryAfterMs: parseRetryAfter(response.headers['retry-after'], Date.now()) };
        giveUp = () => this.httpError(request.what, response, failure, attempt);
      } catch (error) {
        if (!(error instanceof TransportError)) throw error;
        trace?.(`! ${error.kind}: ${redactText(error.message, options.secrets)}`);
        failure = { method, kind: error.kind };
        giveUp = () =>
          error.kind === 'timeout' ? this.timeoutError(request.what, attempt, error)
          : error.kind === 'malformed' ? malformedAnswerError(request.what, error.message)
          : this.transportError(request.what, error, attempt);
      }
      const decision = decideRetry(failure);
      if (attempt >= MAX_ATTEMPTS || !decision.retry) throw giveUp();
      const delay = decision.delayMs ?? backoffMs(attempt);
      // A wait that would end past the deadline is not worth starting: report what happened now.
      if (Date.now() + delay >= deadline) throw giveUp();
      trace?.(`! retrying ${request.what} in ${delay} ms (attempt ${attempt + 1} of ${MAX_ATTEMPTS}) after ${describeFailure(failure)}`);
      await sleep(delay);
    }
  }

  private parse<T>(text: string, request: RequestOptions<T>, requestId?: string): T {
    const malformed = (problem: string): CliError => {
      const error = malformedAnswerError(request.what, problem);
      return requestId === undefined ? error : new CliError(error.code, error.message, { exitCode: error.exitCode, hint: error.hint, requestId });
    };
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw malformed('the body is not JSON');
    }
    if (jsonTooDeep(text)) throw malformed(TOO_DEEP);
    try {
      return request.schema(body, '');
    } catch (error) {
      if (error instanceof SchemaError) throw malformed(error.message);
      throw error;
    }
  }

  /** The service's request id from the answer's headers, made safe to print (or undefined). */
  private requestIdOf(response: TransportResponse): string | undefined {
    const header = this.options.requestIdHeader;
    const value = header === undefined ? undefined : response.headers[header];
    if (value === undefined) return undefined;
    const clean = sanitizeMessage(value).slice(0, 128);
    return clean === '' ? undefined : clean;
  }

  private timeoutError(what: string, attempts: number, cause?: TransportError): CliError {
    const { service, timeoutMs } = this.options;
    return new CliError('timeout', `${service} did not answer ${what} within ${timeoutMs / 1000} s${attemptsNote(attempts)}`, {
      hint: 'Try again, or give it longer with --timeout <seconds> (the whole command\'s network time).',
      cause,
    });
  }

  private transportError(what: string, error: TransportError, attempts: number): CliError {
    const { service } = this.options;
    const origin = new URL(this.options.baseUrl).origin;
    if (error.kind === 'tls') {
      return new CliError('tls', `cannot connect securely to ${service} at ${origin}: ${error.message}${attemptsNote(attempts)}`, {
        hint: error.hint,
        cause: error,
      });
    }
    if (error.kind === 'proxy') {
      // The proxy is what failed: say so first, not "cannot reach t0ken" (which sends people to their Wi-Fi).
      return new CliError('proxy', `${error.message}, so ${service} at ${origin} was not reached${attemptsNote(attempts)}`, {
        hint: error.hint,
        cause: error,
      });
    }
    // Refused on this machine: no proxy is involved (loopback never goes through one); a sandbox that was stopped is the usual reason.
    const local = error.code === 'ECONNREFUSED' && isLoopbackHost(new URL(origin).hostname);
    return new CliError('network', `cannot reach ${service} at ${origin} (${error.code ?? 'network error'})${attemptsNote(attempts)}`, {
      hint: local
        ? `Nothing listens there: if it was a sandbox, start it again there (\`${sandboxAt(origin)}\`, with --state to keep its accounts), or unset ${this.options.urlVariable} for the real service.`
        : 'Check your connection and proxy settings (HTTPS_PROXY, NO_PROXY), and the API URL variables.',
      cause: error,
    });
  }

  private httpError(what: string, response: TransportResponse, failure: Failure, attempts: number): CliError {
    const { service, authHint } = this.options;
    const status = response.status;
    if (status >= 300 && status < 400) {
      const location = response.headers.location ?? '';
      return new CliError('redirect_refused', `${service} answered ${what} with a redirect (${status}${location ? ` to ${redactText(location.slice(0, 120))}` : ''}); t0ken does not follow redirects with credentials`, {
        status,
        hint: 'Point the API URL variable at the final address.',
        requestId: this.requestIdOf(response),
      });
    }
    const parsed = parseErrorBody(response.body);
    const message = parsed.message ? sanitizeMessage(redactText(parsed.message, this.options.secrets)) : `${status} ${sanitizeMessage(response.statusText) || 'error'}`.trim();
    const retryAfterMs = failure.retryAfterMs;
    let hint: string;
    if (status === 401 || status === 403) hint = authHint;
    else if (retryAfterMs !== undefined && (status === 408 || status === 429 || status >= 500)) hint = `Try again after ${whenAfter(retryAfterMs)}.`;
    else if (status === 409) hint = 'It already exists or was already done; nothing was changed.';
    else if (status === 429) hint = 'Too many requests: wait a minute and try again.';
    else if (status === 408) hint = `${service} timed out waiting for the request; check your connection, then try again.`;
    else if (status >= 500) hint = `${service} is having trouble; try again in a minute.`;
    else hint = 'Check the values you passed; --debug shows the full exchange.';
    const note = attempts > 1 ? attemptsNote(attempts) : '';
    const requestId = this.requestIdOf(response);
    return new CliError(sanitizeCode(parsed.code, status), `${service} refused ${what}: ${message}${note}`, { exitCode: exitCodeForStatus(status), status, hint, requestId, body: jsonOrUndefined(response.body) });
  }
}

function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Ends every network error: how many attempts were made within the budget. */
function attemptsNote(attempts: number): string {
  return attempts > 0 ? ` (${attempts} attempt${attempts === 1 ? '' : 's'})` : '';
}

function describeFailure(failure: Failure): string {
  return failure.kind === 'http' ? `HTTP ${failure.status}` : failure.kind;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** `120 s (at 14:02:07)`; a wait of a day or more as a date; one past any calendar said so (Retry-After: 99999999999999999999 gave `at NaN:NaN:NaN`). */
function whenAfter(ms: number): string {
  const at = new Date(Date.now() + ms);
  if (Number.isNaN(at.getTime())) return 'a wait longer than any calendar holds (its Retry-After header)';
  if (ms >= DAY_MS) return formatLocalTime(at.toISOString());
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${Math.ceil(ms / 1000)} s (at ${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())})`;
}

/** The command that starts a sandbox where `origin` points: its port, and its host unless it is the default 127.0.0.1. */
function sandboxAt(origin: string): string {
  const url = new URL(origin);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return `t0ken sandbox --background${host === '127.0.0.1' ? '' : ` --host ${host}`} --port ${url.port || 80}`;
}
