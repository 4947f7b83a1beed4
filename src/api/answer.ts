import type { Socket } from 'node:net';
import { AnswerReader, HttpWireError, requestHead, type AnswerLimits, type WireAnswer } from '../core/http1.js';
import { MAX_BODY_BYTES, MAX_HEAD_BYTES, MAX_WIRE_BYTES, TransportError, type TransportRequest, type TransportResponse } from './transport-types.js';

const ANSWER_LIMITS: AnswerLimits = { maxBody: MAX_BODY_BYTES, maxWire: MAX_WIRE_BYTES, maxHead: MAX_HEAD_BYTES };

/**
 * Writes one request on a connected socket and reads its answer within the limits (core/http1.ts):
 * the body up to 1 MiB, everything read up to MAX_WIRE_BYTES, interim (1xx) answers together within
 * one head's size, a final status from 200 to 599. Past a limit the exchange ends at once with a
 * `malformed` error. `done` is called once.
 */
export function requestAnswer(request: TransportRequest, socket: Socket, done: (error: unknown, response?: TransportResponse) => void): void {
  const { url } = request;
  // One spelling per name, whatever the caller's case: ours (host, connection, content-length) win.
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  Object.assign(headers, { host: url.host, connection: 'close' });
  if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
  let head: string;
  try {
    head = requestHead(request.method, `${url.pathname}${url.search}`, headers);
  } catch (error) {
    done(wireError(error));
    return;
  }
  // Header values may hold latin1 (node:http writes them so); the body is UTF-8.
  const bytes = request.body === undefined ? Buffer.from(head, 'latin1') : Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(request.body, 'utf8')]);
  readAnswer(socket, bytes, false).then(
    (answer) => done(undefined, { status: answer.status, statusText: answer.statusText, headers: answer.headers, body: answer.body.toString('utf8') }),
    (error: unknown) => done(wireError(error)),
  );
}

/**
 * Writes `request` on the socket and reads the answer to it (with `headOnly`, a proxy's answer to
 * CONNECT: its head). Once it has one, the socket is left paused with what came after the answer
 * put back, for the TLS or request that follows through a tunnel. A close before the end, an error
 * or an answer the reader refuses rejects.
 */
export function readAnswer(socket: Socket, request: Buffer, headOnly: boolean): Promise<WireAnswer> {
  return new Promise((resolve, reject) => {
    const reader = new AnswerReader(ANSWER_LIMITS, headOnly);
    const settle = (read: () => WireAnswer | undefined) => {
      let answer: WireAnswer | undefined;
      try {
        answer = read();
        if (!answer) return;
      } catch (error) {
        stop();
        reject(error);
        return;
      }
      stop();
      if (reader.rest.length > 0) socket.unshift(reader.rest);
      resolve(answer);
    };
    const onData = (chunk: Buffer) => settle(() => reader.push(chunk));
    // The end, or a reset (or the exchange's own destroy) with no end first: the answer is cut short.
    const onEnd = () => settle(() => reader.end());
    const stop = () => {
      socket.pause();
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.off('error', reject);
    };
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('close', onEnd);
    socket.on('error', reject);
    socket.resume(); // a tunnel's socket comes paused (below)
    socket.write(request);
  });
}

/** The transport's error for what the wire reader refused. */
export function wireError(error: unknown): unknown {
  if (!(error instanceof HttpWireError)) return error;
  if (error.kind === 'malformed') return new TransportError('malformed', error.code, error.message);
  return new TransportError('network', error.code, error.message);
}
