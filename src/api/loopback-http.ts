import type { Socket } from 'node:net';
import { lazyRequire } from '../platform/lazy-require.js';
import { MAX_BODY_BYTES, TransportError, type TransportRequest, type TransportResponse } from './transport.js';

/**
 * HTTP/1.1 over a plain node:net socket, for `http://` to a loopback host (the sandbox, a local
 * test server). Loading node:http costs about a millisecond and a half of every start-up that
 * makes a request; a loopback host is never proxied and never TLS (the contract), so one request
 * with `connection: close` and the answer read to its end needs only this much of HTTP.
 * Same results as the node:http path: status, lower-case headers, the body (content-length,
 * chunked, or up to the close), the 1 MiB limit, the deadline, and the same error codes.
 */

const MAX_HEAD_BYTES = 64 * 1024;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function sendLoopback(request: TransportRequest): Promise<TransportResponse> {
  const { url } = request;
  const head = requestHead(request);
  const net = lazyRequire('node:net') as typeof import('node:net');
  return new Promise<TransportResponse>((resolve, reject) => {
    let settled = false;
    let socket: Socket | undefined;
    const finish = (error: unknown, response?: TransportResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // After a whole answer the server closes the connection itself (`connection: close`): let it,
      // without keeping the process alive for it. Tearing the socket down here costs more start-up
      // (~0.6 ms of first-time code) than anything else in reading the answer.
      if (response) socket?.unref();
      else socket?.destroy();
      if (response) resolve(response);
      else reject(classify(error));
    };
    const timer = setTimeout(() => finish(new TransportError('timeout', 'ETIMEDOUT', `no complete answer within ${request.timeoutMs} ms`)), request.timeoutMs);
    if (typeof head !== 'string') {
      finish(head);
      return;
    }
    const parser = new AnswerParser();
    socket = net.connect({ host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 80) });
    socket.on('error', (error) => finish(error));
    socket.on('connect', () => {
      socket!.write(request.body === undefined ? head : head + request.body);
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        const response = parser.push(chunk);
        if (response) finish(undefined, response);
      } catch (error) {
        finish(error);
      }
    });
    socket.on('end', () => {
      try {
        finish(undefined, parser.end());
      } catch (error) {
        finish(error);
      }
    });
    socket.on('close', () => finish(new TransportError('network', 'ECONNRESET', 'socket hang up')));
  });
}

/** The request line and headers, or an error for a header node:http would refuse too. */
function requestHead(request: TransportRequest): string | Error {
  const { url } = request;
  const headers: Record<string, string> = { ...request.headers, host: url.host, connection: 'close' };
  if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
  let head = `${request.method} ${url.pathname}${url.search} HTTP/1.1\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    if (!TOKEN.test(name)) return Object.assign(new TypeError(`Header name must be a valid HTTP token ["${name}"]`), { code: 'ERR_INVALID_HTTP_TOKEN' });
    if (!HEADER_VALUE.test(value)) return Object.assign(new TypeError(`Invalid character in header content ["${name}"]`), { code: 'ERR_INVALID_CHAR' });
    head += `${name}: ${value}\r\n`;
  }
  return `${head}\r\n`;
}

function classify(error: unknown): TransportError {
  if (error instanceof TransportError) return error;
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ECONNREFUSED') return new TransportError('refused', code, message);
  return new TransportError('network', typeof code === 'string' ? code : undefined, message);
}

/** Reads one HTTP/1.x answer from the bytes of a connection that the server closes after it. */
class AnswerParser {
  private buffered: Buffer[] = [];
  private bufferedSize = 0;
  private head: { status: number; statusText: string; headers: Record<string, string> } | undefined;
  private mode: 'length' | 'chunked' | 'close' | 'none' = 'close';
  private remaining = 0;
  private body: Buffer[] = [];
  private bodySize = 0;
  private chunkState: { pending: Buffer; left: number; phase: 'size' | 'data' | 'crlf' | 'trailer' } = { pending: Buffer.alloc(0), left: 0, phase: 'size' };

  /** Feeds bytes; returns the answer once it is complete. */
  push(chunk: Buffer): TransportResponse | undefined {
    if (this.head === undefined) {
      this.buffered.push(chunk);
      this.bufferedSize += chunk.length;
      const all = Buffer.concat(this.buffered, this.bufferedSize);
      const end = all.indexOf('\r\n\r\n');
      if (end < 0) {
        if (all.length > MAX_HEAD_BYTES) throw new TransportError('network', 'HPE_HEADER_OVERFLOW', 'the answer headers are too large');
        this.buffered = [all];
        return undefined;
      }
      this.buffered = [];
      this.bufferedSize = 0;
      const parsed = parseHead(all.subarray(0, end).toString('latin1'));
      if (parsed.status >= 100 && parsed.status < 200) return this.push(all.subarray(end + 4)); // 100 Continue and friends
      this.head = parsed;
      const length = parsed.headers['content-length'];
      if (/\bchunked\b/i.test(parsed.headers['transfer-encoding'] ?? '')) this.mode = 'chunked';
      else if (parsed.status === 204 || parsed.status === 304) this.mode = 'none';
      else if (length !== undefined) {
        if (!/^\d+$/.test(length.trim())) throw new TransportError('network', 'HPE_INVALID_CONTENT_LENGTH', 'the answer has an invalid Content-Length');
        this.mode = 'length';
        this.remaining = Number(length.trim());
        if (this.remaining > MAX_BODY_BYTES) throw tooLarge();
      }
      chunk = all.subarray(end + 4);
      if (this.mode === 'none' || (this.mode === 'length' && this.remaining === 0)) return this.done();
      if (chunk.length === 0) return undefined;
    }
    if (this.mode === 'length') {
      const take = chunk.subarray(0, this.remaining);
      this.add(take);
      this.remaining -= take.length;
      return this.remaining === 0 ? this.done() : undefined;
    }
    if (this.mode === 'chunked') return this.chunked(chunk) ? this.done() : undefined;
    this.add(chunk);
    return undefined;
  }

  /** The server closed its side: the answer ends here, complete or not. */
  end(): TransportResponse {
    if (this.head === undefined) throw new TransportError('network', 'ECONNRESET', this.bufferedSize === 0 ? 'socket hang up' : 'the connection closed mid-answer');
    if (this.mode === 'close') return this.done()!;
    throw new TransportError('network', 'ECONNRESET', 'the connection closed mid-answer');
  }

  private add(bytes: Buffer): void {
    this.bodySize += bytes.length;
    if (this.bodySize > MAX_BODY_BYTES) throw tooLarge();
    this.body.push(bytes);
  }

  /** Decodes chunked bytes; true once the last chunk (and its trailer) arrived. */
  private chunked(chunk: Buffer): boolean {
    const state = this.chunkState;
    let data = state.pending.length > 0 ? Buffer.concat([state.pending, chunk]) : chunk;
    state.pending = Buffer.alloc(0);
    for (;;) {
      if (state.phase === 'data') {
        const take = data.subarray(0, state.left);
        this.add(take);
        state.left -= take.length;
        data = data.subarray(take.length);
        if (state.left > 0) return false;
        state.phase = 'crlf';
      }
      const eol = data.indexOf('\r\n');
      if (eol < 0) {
        if (data.length > 4096) throw new TransportError('network', 'HPE_INVALID_CHUNK_SIZE', 'the answer has an invalid chunk');
        state.pending = Buffer.from(data);
        return false;
      }
      const line = data.subarray(0, eol).toString('latin1');
      data = data.subarray(eol + 2);
      if (state.phase === 'crlf') {
        if (line !== '') throw new TransportError('network', 'HPE_INVALID_CHUNK_SIZE', 'the answer has an invalid chunk');
        state.phase = 'size';
        continue;
      }
      if (state.phase === 'trailer') {
        if (line === '') return true;
        continue;
      }
      const size = /^([0-9a-fA-F]{1,8})[ \t]*(;.*)?$/.exec(line);
      if (!size) throw new TransportError('network', 'HPE_INVALID_CHUNK_SIZE', 'the answer has an invalid chunk');
      state.left = parseInt(size[1]!, 16);
      if (state.left === 0) state.phase = 'trailer';
      else {
        if (this.bodySize + state.left > MAX_BODY_BYTES) throw tooLarge();
        state.phase = 'data';
      }
    }
  }

  private done(): TransportResponse {
    const head = this.head!;
    return { status: head.status, statusText: head.statusText, headers: head.headers, body: Buffer.concat(this.body, this.bodySize).toString('utf8') };
  }
}

const tooLarge = (): TransportError => new TransportError('network', 'EMSGSIZE', 'the answer is larger than 1 MiB');

function parseHead(text: string): { status: number; statusText: string; headers: Record<string, string> } {
  const lines = text.split('\r\n');
  const statusLine = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
  if (!statusLine) throw new TransportError('network', 'HPE_INVALID_CONSTANT', 'the answer is not HTTP/1.1');
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new TransportError('network', 'HPE_INVALID_HEADER_TOKEN', 'the answer has an invalid header');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return { status: Number(statusLine[1]), statusText: statusLine[2] ?? '', headers };
}
