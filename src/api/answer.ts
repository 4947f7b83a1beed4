import type { ClientRequest, IncomingHttpHeaders, InformationEvent } from 'node:http';
import type { Socket } from 'node:net';
import { lazyRequire } from '../platform/lazy-require.js';
import { MAX_BODY_BYTES, MAX_WIRE_BYTES, TransportError, type TransportRequest, type TransportResponse } from './transport-types.js';

/**
 * Writes one request on a connected socket with node:http and reads its answer within the limits:
 * the body up to 1 MiB, everything read up to MAX_WIRE_BYTES, interim (1xx) answers together within
 * one head's size (http.maxHeaderSize), a final status from 200 to 599. Past a limit the exchange
 * ends at once with a `malformed` error; `done` is called once per event that ends it (the caller
 * keeps the first).
 */
export function requestAnswer(request: TransportRequest, socket: Socket, done: (error: unknown, response?: TransportResponse) => void): ClientRequest {
  const http = lazyRequire('node:http') as typeof import('node:http');
  const { url } = request;
  const headers: Record<string, string> = { ...request.headers, host: url.host, connection: 'close' };
  if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
  let wireBytes = 0;
  let interimBytes = 0;
  let answered = false;
  // After node's own listener, so a cut never runs under its parser.
  const countWire = (chunk: Buffer) => {
    wireBytes += chunk.length;
    if (wireBytes > MAX_WIRE_BYTES) done(malformed('EMSGSIZE', `the answer is larger than ${MAX_WIRE_BYTES / MAX_BODY_BYTES} MiB on the wire (framing included)`));
  };
  const req = http.request({
    method: request.method,
    host: url.hostname.replace(/^\[|\]$/g, ''),
    path: `${url.pathname}${url.search}`,
    headers,
    createConnection: () => socket,
  });
  req.on('socket', () => socket.on('data', countWire));
  req.on('error', (error) => done(error));
  req.on('information', (info: InformationEvent) => {
    interimBytes += headBytes(info);
    if (interimBytes > http.maxHeaderSize) done(malformed('HPE_HEADER_OVERFLOW', `the interim (1xx) answers are larger than ${http.maxHeaderSize / 1024} KiB together`));
  });
  // Without this listener node destroys the socket and says nothing: the exchange would wait out the deadline.
  req.on('upgrade', () => done(malformed('HPE_INVALID_STATUS', 'the server switched protocols (101) instead of answering')));
  req.on('close', () => {
    if (!answered) done(new TransportError('network', 'ECONNRESET', 'socket hang up'));
  });
  req.on('response', (res) => {
    answered = true;
    const status = res.statusCode ?? 0;
    if (status < 200 || status > 599) {
      done(malformed('HPE_INVALID_STATUS', `the status ${String(status).padStart(3, '0')} is not a final HTTP answer`));
      return;
    }
    const declared = Number(res.headers['content-length']) || 0;
    if (declared > MAX_BODY_BYTES) {
      done(malformed('EMSGSIZE', 'the answer is larger than 1 MiB'));
      return;
    }
    const body = new BodyBuffer(declared);
    res.on('data', (chunk: Buffer) => {
      if (!body.append(chunk)) done(malformed('EMSGSIZE', 'the answer is larger than 1 MiB'));
    });
    res.on('error', (error) => done(error));
    res.on('aborted', () => done(new TransportError('network', 'ECONNRESET', 'the connection closed mid-answer')));
    res.on('end', () => done(undefined, { status, statusText: res.statusMessage ?? '', headers: flattenHeaders(res.headers), body: body.text() }));
  });
  req.end(request.body);
  return req;
}

const malformed = (code: string, message: string) => new TransportError('malformed', code, message);

/** The size of a 1xx answer's head as it came: status line, headers, blank line. */
function headBytes(info: InformationEvent): number {
  let bytes = `HTTP/1.1 ${info.statusCode} ${info.statusMessage}\r\n\r\n`.length;
  for (let i = 0; i + 1 < info.rawHeaders.length; i += 2) bytes += info.rawHeaders[i]!.length + info.rawHeaders[i + 1]!.length + 4;
  return bytes;
}

/**
 * The body, copied into one buffer as it arrives. Keeping node's chunks instead costs ~450 bytes
 * each: 1-byte chunks peaked at 475 MB for a 1 MiB body.
 */
class BodyBuffer {
  private bytes: Buffer;
  private size = 0;

  constructor(expected: number) {
    this.bytes = Buffer.allocUnsafe(Math.min(Math.max(expected, 16 * 1024), MAX_BODY_BYTES));
  }

  /** False when the body would pass 1 MiB. */
  append(chunk: Buffer): boolean {
    const end = this.size + chunk.length;
    if (end > MAX_BODY_BYTES) return false;
    if (end > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.min(Math.max(end, 2 * this.bytes.length), MAX_BODY_BYTES));
      this.bytes.copy(grown, 0, 0, this.size);
      this.bytes = grown;
    }
    if (chunk.length === 1) this.bytes[this.size] = chunk[0]!;
    else chunk.copy(this.bytes, this.size);
    this.size = end;
    return true;
  }

  text(): string {
    return this.bytes.toString('utf8', 0, this.size);
  }
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
