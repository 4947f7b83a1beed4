import { describe, expect, it } from 'vitest';
import { AnswerReader, HttpWireError, requestHead, type WireAnswer } from '../../src/core/http1.js';

// The HTTP/1.1 reader on its own: every framing, fed whole, byte by byte and split at every point;
// what it refuses, with llhttp's codes. test/unit/transport.test.ts runs it over real sockets.

const limits = { maxBody: 1024 * 1024, maxWire: 2 * 1024 * 1024, maxHead: 16 * 1024 };

/** Feeds `parts` in order, then the close when `close` (a server that ends the connection). */
function read(parts: Array<string | Buffer>, { close = true, headOnly = false } = {}): WireAnswer & { rest?: string } {
  const reader = new AnswerReader(limits, headOnly);
  for (const part of parts) {
    const answer = reader.push(Buffer.isBuffer(part) ? part : Buffer.from(part, 'latin1'));
    if (answer) return headOnly ? { ...answer, rest: reader.rest.toString('latin1') } : answer;
  }
  if (!close) throw new Error('no answer before the close');
  return reader.end();
}
const refused = (parts: string[], close = true): HttpWireError => {
  try {
    read(parts, { close });
  } catch (error) {
    expect(error).toBeInstanceOf(HttpWireError);
    return error as HttpWireError;
  }
  throw new Error('read an answer');
};
const text = (answer: WireAnswer) => ({ status: answer.status, statusText: answer.statusText, headers: answer.headers, body: answer.body.toString('utf8') });

const ANSWERS: Array<[string, string, ReturnType<typeof text>]> = [
  ['content-length', 'HTTP/1.1 201 Created\r\nContent-Length: 11\r\nX-Twice: a\r\nX-Twice: b\r\n\r\nhello world', { status: 201, statusText: 'Created', headers: { 'content-length': '11', 'x-twice': 'a, b' }, body: 'hello world' }],
  ['chunked, extensions and trailers', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhel\r\n6;ext=1\r\nlo wor\r\n2\r\nld\r\n0\r\nx-trailer: 1\r\n\r\n', { status: 200, statusText: 'OK', headers: { 'transfer-encoding': 'chunked' }, body: 'hello world' }],
  ['read to the close', 'HTTP/1.0 503 Busy now\r\ncontent-type: text/html\r\n\r\n<html>busy</html>', { status: 503, statusText: 'Busy now', headers: { 'content-type': 'text/html' }, body: '<html>busy</html>' }],
  ['interim answers, then 204', 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\nHTTP/1.1 204 No Content\r\ncontent-type: x\r\n\r\n', { status: 204, statusText: 'No Content', headers: { 'content-type': 'x' }, body: '' }],
  ['no reason phrase; repeated first-only headers keep the first; values trimmed', 'HTTP/1.1 200\r\ncontent-type: a\r\nContent-Type: b\r\nretry-after:  7 \t\r\ncontent-length: 0\r\n\r\n', { status: 200, statusText: '', headers: { 'content-type': 'a', 'retry-after': '7', 'content-length': '0' }, body: '' }],
  ['UTF-8 body; a status line with control characters is read (and sanitised where shown)', 'HTTP/1.1 200 OK\u001b[2J\r\ncontent-length: 8\r\n\r\n{"\u00c3\u00a9":1}', { status: 200, statusText: 'OK\u001b[2J', headers: { 'content-length': '8' }, body: '{"é":1}' }],
];

describe('AnswerReader', () => {
  it.each(ANSWERS)('%s: whole, byte by byte, and split at every point', (_label, wire, expected) => {
    expect(text(read([wire]))).toEqual(expected);
    expect(text(read([...wire]))).toEqual(expected);
    for (let at = 1; at < wire.length; at++) expect(text(read([wire.slice(0, at), wire.slice(at)])), `split at ${at}`).toEqual(expected);
  });

  it('reads what llhttp reads: empty lines before a status line, leading zeros in a length or chunk size', () => {
    expect(text(read(['\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nhi'], { close: false }))).toMatchObject({ status: 200, body: 'hi' });
    expect(text(read(['HTTP/1.1 100 Continue\r\n\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nhi'], { close: false }))).toMatchObject({ status: 200, body: 'hi' });
    expect(text(read(['HTTP/1.1 200 OK\r\ncontent-length: 0000000000000000002\r\n\r\nhi'], { close: false }))).toMatchObject({ body: 'hi' });
    expect(text(read(['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n000000000000000000002\r\nhi\r\n0\r\n\r\n'], { close: false }))).toMatchObject({ body: 'hi' });
    expect(refused(['HTTP/1.1 200 OK\r\ncontent-length: 0000001000000000000000\r\n\r\n'])).toMatchObject({ code: 'HPE_INVALID_CONTENT_LENGTH' });
  });

  it('headers named like Object.prototype members are headers like any other', () => {
    const answer = read(['HTTP/1.1 200 OK\r\nconstructor: x\r\n__proto__: z\r\ntoString: t\r\ncontent-length: 0\r\n\r\n']);
    expect(Object.entries(answer.headers)).toEqual([['constructor', 'x'], ['__proto__', 'z'], ['tostring', 't'], ['content-length', '0']]);
  });

  it('a head of 16 KiB of spaces inside a value, twice (an interim answer, then the final one), is read in linear time', () => {
    const head = (status: string) => `HTTP/1.1 ${status}\r\nx: a${' '.repeat(16 * 1024 - 64)}a\r\n`;
    const started = performance.now();
    const answer = read([`${head('103 Early Hints')}\r\n${head('200 OK')}content-length: 0\r\n\r\n`], { close: false });
    expect(answer.headers.x).toMatch(/^a +a$/);
    expect(performance.now() - started).toBeLessThan(100); // quadratic took 0.5 to 1 s
  });

  it('a content-length answer ends at its length, without waiting for the close, and ignores what follows', () => {
    expect(text(read(['HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}garbage'], { close: false }))).toMatchObject({ body: '{}' });
    expect(text(read(['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n'], { close: false }))).toMatchObject({ body: '{}' });
  });

  it('a CONNECT answer (head only) gives the bytes after the head back', () => {
    expect(read(['HTTP/1.1 200 Connection established\r\n\r\n\u0016\u0003\u0001'], { headOnly: true, close: false })).toMatchObject({ status: 200, rest: '\u0016\u0003\u0001' });
    expect(read(['HTTP/1.1 407 Proxy Authentication Required\r\ncontent-length: 5\r\n\r\n'], { headOnly: true, close: false })).toMatchObject({ status: 407, rest: '' });
  });

  it.each([
    ['another version', ['HTTP/2.0 200 OK\r\n\r\n'], 'HPE_INVALID_VERSION'],
    ['a two-digit status', ['HTTP/1.1 20 OK\r\n\r\n'], 'HPE_INVALID_STATUS'],
    ['a bare LF', ['HTTP/1.1 200 OK\ncontent-length: 2\n\n{}'], 'HPE_CR_EXPECTED'],
    ['a CR without LF', ['HTTP/1.1 200 OK\rcontent-length: 2\r\n\r\n{}'], 'HPE_LF_EXPECTED'],
    ['a folded header line', ['HTTP/1.1 200 OK\r\nx-a: 1\r\n  2\r\ncontent-length: 0\r\n\r\n'], 'HPE_INVALID_HEADER_TOKEN'],
    ['a space before the colon', ['HTTP/1.1 200 OK\r\ncontent-length : 0\r\n\r\n'], 'HPE_INVALID_HEADER_TOKEN'],
    ['a control character in a value', ['HTTP/1.1 200 OK\r\nx-a: \u001b[2J\r\ncontent-length: 0\r\n\r\n'], 'HPE_INVALID_HEADER_TOKEN'],
    ['two different lengths', ['HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\n{}'], 'HPE_UNEXPECTED_CONTENT_LENGTH'],
    ['a length and chunked (smuggling)', ['HTTP/1.1 200 OK\r\ncontent-length: 2\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n'], 'HPE_UNEXPECTED_CONTENT_LENGTH'],
    ['a length that is not a number', ['HTTP/1.1 200 OK\r\ncontent-length: 2x\r\n\r\n{}'], 'HPE_INVALID_CONTENT_LENGTH'],
    ['a chunk size that is not hex', ['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n'], 'HPE_INVALID_CHUNK_SIZE'],
    ['a chunk size past 16 hex digits', [`HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n1${'0'.repeat(16)}\r\n`], 'HPE_INVALID_CHUNK_SIZE'],
    ['chunk data longer than its size', ['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\n{}}\r\n0\r\n\r\n'], 'HPE_CR_EXPECTED'],
    ['a head past 16 KiB', [`HTTP/1.1 200 OK\r\nx-big: ${'a'.repeat(16 * 1024)}\r\n\r\n`], 'HPE_HEADER_OVERFLOW'],
    ['trailers past 16 KiB', [`HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n0\r\n${'x-t: 1\r\n'.repeat(3000)}\r\n`], 'HPE_HEADER_OVERFLOW'],
  ])('refuses %s (%j) as %s', (_label, parts, code) => {
    expect(refused(parts)).toMatchObject({ kind: 'malformed', code, message: `the answer is not valid HTTP/1.1 (${code})` });
  });

  it('refuses a peer that does not speak HTTP at its first byte that differs from "HTTP/", the connection left open (it waited for the close or the timeout)', () => {
    for (const first of ['SSH-2.0-OpenSSH_9.6\r\n', 'S', '220 mail.example ESMTP\r\n', 'HTTX', '\u0015\u0003\u0003\u0000\u0002\u0002\u0050', 'http/1.1 200 OK\r\n']) {
      expect(refused([first], false), JSON.stringify(first)).toMatchObject({ kind: 'malformed', code: 'HPE_INVALID_CONSTANT', message: 'the answer is not HTTP (it does not start with HTTP/)' });
    }
    // a prefix of it, and empty lines before the status line, wait for more
    expect(() => read(['HTT'], { close: false })).toThrow('no answer before the close');
    expect(text(read(['\r\n', '\r\nHT', 'TP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'], { close: false }))).toMatchObject({ status: 200 });
  });

  it('says what is wrong with a status that is no final answer, and with a switch of protocols', () => {
    expect(refused(['HTTP/1.1 600 Odd\r\ncontent-length: 0\r\n\r\n'])).toMatchObject({ code: 'HPE_INVALID_STATUS', message: 'the status 600 is not a final HTTP answer' });
    expect(refused(['HTTP/1.1 099 Odd\r\n\r\n'])).toMatchObject({ message: 'the status 099 is not a final HTTP answer' });
    expect(refused(['HTTP/1.1 101 Switching Protocols\r\n\r\n'], false)).toMatchObject({ message: 'the status 101 is not a final HTTP answer' });
    expect(refused(['HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\n\r\nhello'], false)).toMatchObject({ message: 'the server switched protocols (101) instead of answering' });
  });

  it('holds the limits: body, wire, interim heads, a declared length', () => {
    expect(refused([`HTTP/1.1 200 OK\r\ncontent-length: ${1024 * 1024 + 1}\r\n\r\n`], false)).toMatchObject({ code: 'EMSGSIZE', message: 'the answer is larger than 1 MiB' });
    expect(refused(['HTTP/1.1 200 OK\r\n\r\n', 'x'.repeat(1024 * 1024), 'y'])).toMatchObject({ code: 'EMSGSIZE', message: 'the answer is larger than 1 MiB' });
    expect(refused(['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n', '1\r\n \r\n'.repeat(400_000)], false)).toMatchObject({ code: 'EMSGSIZE', message: 'the answer is larger than 2 MiB on the wire (framing included)' });
    expect(refused(['HTTP/1.1 100 Continue\r\n\r\n'.repeat(1000)], false)).toMatchObject({ code: 'HPE_HEADER_OVERFLOW', message: 'the interim (1xx) answers are larger than 16 KiB together' });
  });

  it('a close before the end: before the head is a hang-up, in the body is mid-answer', () => {
    expect(refused([])).toMatchObject({ kind: 'closed', code: 'ECONNRESET', message: 'socket hang up' });
    expect(refused(['HTTP/1.1 200 OK\r\ncontent-'])).toMatchObject({ kind: 'closed', message: 'socket hang up' });
    expect(refused(['HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{"partial"'])).toMatchObject({ kind: 'closed', code: 'ECONNRESET', message: 'the connection closed mid-answer' });
    expect(refused(['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nab'])).toMatchObject({ kind: 'closed', message: 'the connection closed mid-answer' });
  });
});

describe('requestHead', () => {
  it('writes the request line and headers as given, then the blank line', () => {
    expect(requestHead('POST', '/v1/agents?x=1', { host: 'h:1', 'content-length': '2' })).toBe('POST /v1/agents?x=1 HTTP/1.1\r\nhost: h:1\r\ncontent-length: 2\r\n\r\n');
  });

  it.each([
    ['a value with a line break', 'GET', '/', { authorization: 'Bearer a\r\nx-injected: 1' }, 'ERR_INVALID_CHAR'],
    ['a value with a NUL', 'GET', '/', { authorization: 'Bearer a\u0000' }, 'ERR_INVALID_CHAR'],
    ['a name that is no token', 'GET', '/', { 'x a': '1' }, 'ERR_INVALID_HTTP_TOKEN'],
    ['a target with a space', 'GET', '/a b', {}, 'ERR_UNESCAPED_CHARACTERS'],
  ])('refuses %s, naming no value', (_label, method, target, headers, code) => {
    let error: unknown;
    try {
      requestHead(method, target, headers);
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ kind: 'request', code });
    expect((error as Error).message).not.toContain('Bearer');
  });
});
