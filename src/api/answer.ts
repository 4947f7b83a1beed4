import type { Socket } from 'node:net';
import { AnswerReader, HttpWireError, requestHead, type AnswerLimits } from '../core/http1.js';
import { MAX_BODY_BYTES, MAX_HEAD_BYTES, MAX_WIRE_BYTES, TransportError, type TransportRequest, type TransportResponse } from './transport-types.js';

export const ANSWER_LIMITS: AnswerLimits = { maxBody: MAX_BODY_BYTES, maxWire: MAX_WIRE_BYTES, maxHead: MAX_HEAD_BYTES };

/**
 * Writes one request on a connected socket and reads its answer within the limits (core/http1.ts):
 * the body up to 1 MiB, everything read up to MAX_WIRE_BYTES, interim (1xx) answers together within
 * one head's size, a final status from 200 to 599. Past a limit the exchange ends at once with a
 * `malformed` error; `done` is called once per event that ends it (the caller keeps the first).
 */
export function requestAnswer(request: TransportRequest, socket: Socket, done: (error: unknown, response?: TransportResponse) => void): void {
  const { url } = request;
  // One spelling per name, whatever the caller's case: ours (host, connection, content-length) win.
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  Object.assign(headers, { host: url.host, connection: 'close' });
  if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
  const reader = new AnswerReader(ANSWER_LIMITS);
  const answered = (read: () => ReturnType<AnswerReader['end']> | undefined) => {
    try {
      const answer = read();
      if (answer) done(undefined, { status: answer.status, statusText: answer.statusText, headers: answer.headers, body: answer.body.toString('utf8') });
    } catch (error) {
      done(wireError(error));
    }
  };
  let head: string;
  try {
    head = requestHead(request.method, `${url.pathname}${url.search}`, headers);
  } catch (error) {
    done(wireError(error));
    return;
  }
  socket.on('data', (chunk: Buffer) => answered(() => reader.push(chunk)));
  socket.on('end', () => answered(() => reader.end()));
  // A reset (or our own destroy once done) with no end first: the answer is cut short.
  socket.on('close', () => answered(() => reader.end()));
  socket.resume(); // a tunnel's socket comes paused (transport.ts)
  // Header values may hold latin1 (node:http writes them so); the body is UTF-8.
  socket.write(request.body === undefined ? Buffer.from(head, 'latin1') : Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(request.body, 'utf8')]));
}

/** The transport's error for what the wire reader refused. */
export function wireError(error: unknown): unknown {
  if (!(error instanceof HttpWireError)) return error;
  if (error.kind === 'malformed') return new TransportError('malformed', error.code, error.message);
  return new TransportError('network', error.code, error.message);
}
