import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendLoopback } from '../../src/api/loopback-http.js';
import { TransportError } from '../../src/api/transport.js';

// The raw-socket client for http:// to loopback, against a server that writes exact bytes: every
// way an HTTP/1.1 answer can be framed, and the ways it can go wrong.

let server: Server;
let port: number;
let script: (socket: Socket, request: string) => void = () => {};
let lastRequest = '';

beforeAll(async () => {
  server = createServer((socket) => {
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/content-length: (\d+)/i.exec(text.slice(0, end))?.[1] ?? 0);
      if (text.length - end - 4 < length) return;
      lastRequest = text;
      script(socket, text);
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const send = (body?: string, timeoutMs = 2000) =>
  sendLoopback({ method: body === undefined ? 'GET' : 'POST', url: new URL(`http://127.0.0.1:${port}/v1/agents?x=1`), headers: { accept: 'application/json', 'x-mnemom-version': '2026-04-13' }, body, timeoutMs, env: {} });
const answerWith = (...parts: string[]) => {
  script = (socket) => {
    for (const part of parts) socket.write(part);
    socket.end();
  };
};

describe('sendLoopback', () => {
  it('sends the request line, our headers, host, content-length and connection: close', async () => {
    answerWith('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}');
    await send('{"a":1}');
    const [line, ...rest] = lastRequest.split('\r\n');
    expect(line).toBe('POST /v1/agents?x=1 HTTP/1.1');
    expect(rest).toEqual(expect.arrayContaining([`host: 127.0.0.1:${port}`, 'connection: close', 'content-length: 7', 'x-mnemom-version: 2026-04-13']));
    expect(lastRequest.endsWith('\r\n\r\n{"a":1}')).toBe(true);
  });

  it('reads content-length, chunked and read-to-close bodies, split anywhere; lower-cases and joins headers', async () => {
    answerWith('HTTP/1.1 201 Created\r\nContent-Length: 11\r\nX-Mnemom-Request-Id: req_1\r\nSet-Cookie: a\r\nSet-Cookie: b\r\n\r\nhello', ' world');
    expect(await send()).toEqual({ status: 201, statusText: 'Created', headers: { 'content-length': '11', 'x-mnemom-request-id': 'req_1', 'set-cookie': 'a, b' }, body: 'hello world' });
    answerWith('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel', 'lo\r\n6;ext=1\r\n wor', 'ld\r\n0\r\nx-trailer: 1\r\n\r\n');
    expect((await send()).body).toBe('hello world');
    answerWith('HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/html\r\n\r\n<html>', 'busy</html>');
    expect(await send()).toMatchObject({ status: 503, body: '<html>busy</html>' });
    answerWith('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n');
    expect(await send()).toMatchObject({ status: 204, body: '' });
    answerWith('HTTP/1.1 200 OK\r\ncontent-length: 6\r\n\r\n{"é":1}'.replace('6', String(Buffer.byteLength('{"é":1}'))));
    expect((await send()).body).toBe('{"é":1}');
  });

  it('fails like node:http would: refused, reset before or during the answer, not HTTP, too large, too slow', async () => {
    const failure = async (promise: Promise<unknown>) => {
      const error = await promise.then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(TransportError);
      return error as TransportError;
    };
    script = (socket) => socket.destroy();
    expect(await failure(send())).toMatchObject({ kind: 'network', code: 'ECONNRESET' });
    answerWith('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{"partial"');
    expect(await failure(send())).toMatchObject({ kind: 'network', code: 'ECONNRESET', message: expect.stringContaining('mid-answer') });
    answerWith('SSH-2.0-OpenSSH_9.6\r\n\r\n');
    expect((await failure(send())).kind).toBe('network');
    answerWith(`HTTP/1.1 200 OK\r\ncontent-length: ${2 * 1024 * 1024}\r\n\r\n`);
    expect(await failure(send())).toMatchObject({ code: 'EMSGSIZE' });
    answerWith('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n', `100000\r\n${'x'.repeat(0x100000)}\r\n`, `10\r\n${'y'.repeat(16)}\r\n0\r\n\r\n`);
    expect(await failure(send())).toMatchObject({ code: 'EMSGSIZE' });
    answerWith('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n');
    expect(await failure(send())).toMatchObject({ code: 'HPE_INVALID_CHUNK_SIZE' });
    script = () => {}; // never answers
    expect(await failure(send(undefined, 150))).toMatchObject({ kind: 'timeout' });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const freePort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = sendLoopback({ method: 'GET', url: new URL(`http://127.0.0.1:${freePort}/`), headers: {}, timeoutMs: 2000, env: {} });
    expect(await failure(refused)).toMatchObject({ kind: 'refused', code: 'ECONNREFUSED' });
  });

  it('refuses a header value with a line break before connecting', async () => {
    const error = await sendLoopback({ method: 'GET', url: new URL(`http://127.0.0.1:${port}/`), headers: { authorization: 'Bearer a\r\nx-injected: 1' }, timeoutMs: 2000, env: {} }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'network', code: 'ERR_INVALID_CHAR' });
  });
});
