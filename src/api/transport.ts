import type { IncomingHttpHeaders } from 'node:http';
import { lazyRequire } from '../platform/lazy-require.js';
import { proxyConfigured } from './proxy.js';

/**
 * One HTTP exchange, no retries. node:http(s) by default: Node 20's fetch (and so ky) costs ~160 ms
 * per process to load and tear down, more than the whole start-up budget of `stats`. When a proxy
 * variable is set, undici's request() with EnvHttpProxyAgent is used instead (loaded only then).
 * Redirects are never followed: the 3xx answer is returned as is.
 */

export interface TransportRequest {
  method: 'GET' | 'POST';
  url: URL;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  env: NodeJS.ProcessEnv;
}

export interface TransportResponse {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  body: string;
}

export type TransportFailureKind = 'timeout' | 'refused' | 'network';

export class TransportError extends Error {
  constructor(readonly kind: TransportFailureKind, readonly code: string | undefined, message: string) {
    super(message);
    this.name = 'TransportError';
  }
}

const MAX_BODY_BYTES = 1024 * 1024;

export function send(request: TransportRequest): Promise<TransportResponse> {
  return proxyConfigured(request.env) ? sendViaProxy(request) : sendDirect(request);
}

function failure(error: unknown): TransportError {
  if (error instanceof TransportError) return error;
  const code = errorCode(error);
  return new TransportError(code === 'ECONNREFUSED' ? 'refused' : 'network', code, (error as Error)?.message ?? String(error));
}

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function flattenHeaders(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

async function sendDirect(request: TransportRequest): Promise<TransportResponse> {
  const http = (request.url.protocol === 'https:' ? lazyRequire('node:https') : lazyRequire('node:http')) as typeof import('node:http');
  return new Promise<TransportResponse>((resolve, reject) => {
    const headers: Record<string, string> = { ...request.headers, connection: 'close' };
    if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
    const req = http.request(request.url, { method: request.method, headers, agent: false });
    const timer = setTimeout(() => req.destroy(new TransportError('timeout', 'ETIMEDOUT', `no complete answer within ${request.timeoutMs} ms`)), request.timeoutMs);
    const fail = (error: unknown) => {
      clearTimeout(timer);
      reject(failure(error));
    };
    req.on('error', fail);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) req.destroy(new TransportError('network', 'EMSGSIZE', 'the answer is larger than 1 MiB'));
        else chunks.push(chunk);
      });
      res.on('error', fail);
      res.on('aborted', () => fail(new TransportError('network', 'ECONNRESET', 'the connection closed mid-answer')));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: flattenHeaders(res.headers), body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.end(request.body);
  });
}

let proxyAgent: unknown;

async function sendViaProxy(request: TransportRequest): Promise<TransportResponse> {
  const undici = lazyRequire('undici') as typeof import('undici');
  const { env } = request;
  proxyAgent ??= new undici.EnvHttpProxyAgent({
    httpProxy: env.HTTP_PROXY || env.http_proxy,
    httpsProxy: env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy,
    noProxy: env.NO_PROXY ?? env.no_proxy,
  });
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new TransportError('timeout', 'ETIMEDOUT', `no complete answer within ${request.timeoutMs} ms`)), request.timeoutMs);
  try {
    const res = await undici.request(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      dispatcher: proxyAgent as InstanceType<typeof undici.EnvHttpProxyAgent>,
      signal: controller.signal,
    } as Parameters<typeof undici.request>[1]);
    const body = await res.body.text();
    if (Buffer.byteLength(body) > MAX_BODY_BYTES) throw new TransportError('network', 'EMSGSIZE', 'the answer is larger than 1 MiB');
    return { status: res.statusCode, statusText: '', headers: flattenHeaders(res.headers), body };
  } catch (error) {
    throw controller.signal.aborted && controller.signal.reason instanceof TransportError ? controller.signal.reason : failure(error);
  } finally {
    clearTimeout(timer);
  }
}
