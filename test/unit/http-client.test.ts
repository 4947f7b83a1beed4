import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/api/http.js';
import { object, str } from '../../src/api/schemas.js';

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;
const servers: Array<{ close: () => void }> = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

async function serve(handler: Handler): Promise<{ url: string; hits: IncomingMessage[] }> {
  const hits: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    hits.push(req);
    req.resume();
    req.on('end', () => handler(req, res, hits.length));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push({ close: () => { server.closeAllConnections(); server.close(); } });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};
const schema = object({ ok: str });
const client = (url: string, extra: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}) =>
  new HttpClient({ service: 'Test', baseUrl: url, urlVariable: 'TEST_API_URL', timeoutMs: 2000, env: {}, authHint: 'fix the key', headers: { 'x-api-key': 'omx_agent_SECRETVALUE123456' }, ...extra });

describe('HTTP client', () => {
  it('a GET recovers from a 500', async () => {
    const { url, hits } = await serve((_q, res, n) => (n === 1 ? json(res, 500, 'oops') : json(res, 200, { ok: 'yes' })));
    expect(await client(url).get('/x', { what: 'x', schema })).toEqual({ ok: 'yes' });
    expect(hits).toHaveLength(2);
  });

  it('a GET gives up after 3 attempts with exit 5', async () => {
    const { url, hits } = await serve((_q, res) => json(res, 503, { error: 'down' }));
    await expect(client(url).get('/x', { what: 'x', schema })).rejects.toMatchObject({ exitCode: 5, status: 503 });
    expect(hits).toHaveLength(3);
  });

  it('a POST is not retried on a 500', async () => {
    const { url, hits } = await serve((_q, res) => json(res, 500, { error: 'boom' }));
    await expect(client(url).post('/x', { what: 'x', schema, json: {} })).rejects.toMatchObject({ exitCode: 5 });
    expect(hits).toHaveLength(1);
  });

  it('honours Retry-After: 1 on a 429', async () => {
    const times: number[] = [];
    const { url } = await serve((_q, res, n) => {
      times.push(Date.now());
      return n === 1 ? json(res, 429, { error: 'slow down' }, { 'retry-after': '1' }) : json(res, 200, { ok: 'yes' });
    });
    await client(url).post('/x', { what: 'x', schema, json: {} });
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(950);
  });

  it('does not wait for a Retry-After over 30 s and says when to retry', async () => {
    const { url, hits } = await serve((_q, res) => json(res, 429, { error: 'later' }, { 'retry-after': '120' }));
    await expect(client(url).get('/x', { what: 'x', schema })).rejects.toMatchObject({ exitCode: 5, hint: expect.stringMatching(/after 120 s/) });
    expect(hits).toHaveLength(1);
  });

  it.each([
    ['99999999999999999999', /^Try again after a wait longer than any calendar holds/],
    ['Wed, 21 Oct 2099 07:28:00 GMT', /^Try again after 2099-10-2\d \d\d:\d\d \(UTC[+-]\d\d:\d\d\)\.$/],
    ['172800', /^Try again after \d{4}-\d\d-\d\d \d\d:\d\d \(UTC/],
  ])('a Retry-After of %j says when in words a reader can use (it said "at NaN:NaN:NaN", or a time of day for a date years away)', async (retryAfter, hint) => {
    const { url } = await serve((_q, res) => json(res, 429, { error: 'later' }, { 'retry-after': retryAfter }));
    const error = await client(url).get('/x', { what: 'x', schema }).catch((e: unknown) => e);
    expect(error).toMatchObject({ exitCode: 5, hint: expect.stringMatching(hint) });
    expect((error as { hint: string }).hint).not.toContain('NaN');
  });

  it('408 on every attempt is a timeout, exit 5 after the retries the contract gives it (it was exit 4, "check the values you passed")', async () => {
    const { url, hits } = await serve((_q, res) => json(res, 408, { error: 'x' }));
    const error = await client(url).get('/x', { what: 'x', schema }).catch((e: unknown) => e);
    expect(error).toMatchObject({ exitCode: 5, status: 408, hint: expect.stringContaining('timed out waiting for the request') });
    expect(hits.length).toBeGreaterThan(1);
  });

  it('a refused connection is exit 5 code network', async () => {
    const { url } = await serve(() => {});
    servers.splice(0).forEach((s) => s.close());
    await expect(client(url).get('/x', { what: 'x', schema })).rejects.toMatchObject({ exitCode: 5, code: 'network' });
  });

  it('a stalled answer times out within the budget', async () => {
    const { url } = await serve(() => {});
    const started = Date.now();
    await expect(client(url, { timeoutMs: 300 }).post('/x', { what: 'x', schema, json: {} })).rejects.toMatchObject({ exitCode: 5, code: 'timeout' });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('HTML error pages fall back to the status text; bad 2xx bodies are exit 5', async () => {
    const { url } = await serve((req, res) => {
      if (req.url === '/html') { res.writeHead(502, 'Bad Gateway', { 'content-type': 'text/html' }); res.end('<html>502</html>'); return; }
      if (req.url === '/truncated') return json(res, 200, '{"ok": "ye');
      return json(res, 200, { ok: 42 });
    });
    const html = client(url).post('/html', { what: 'x', schema, json: {} });
    await expect(html).rejects.toMatchObject({ exitCode: 5, status: 502, message: expect.stringContaining('502 Bad Gateway') });
    await expect(html).rejects.not.toMatchObject({ message: expect.stringContaining('<html>') });
    await expect(client(url).get('/truncated', { what: 'x', schema })).rejects.toMatchObject({ exitCode: 5, code: 'malformed_response' });
    await expect(client(url).get('/shape', { what: 'x', schema })).rejects.toMatchObject({ exitCode: 5, code: 'malformed_response' });
  });

  it('maps 401 to exit 3 with the auth hint, 409 to 6 and 422 details to 4', async () => {
    const { url } = await serve((req, res) => {
      if (req.url === '/401') return json(res, 401, { error: 'bad key' });
      if (req.url === '/409') return json(res, 409, { error: { code: 'conflict', message: 'exists' } });
      return json(res, 422, { detail: [{ loc: ['body', 'email'], msg: 'not an email' }] });
    });
    await expect(client(url).get('/401', { what: 'x', schema })).rejects.toMatchObject({ exitCode: 3, hint: 'fix the key' });
    await expect(client(url).post('/409', { what: 'x', schema, json: {} })).rejects.toMatchObject({ exitCode: 6, code: 'conflict' });
    await expect(client(url).post('/422', { what: 'x', schema, json: {} })).rejects.toMatchObject({ exitCode: 4, message: expect.stringContaining('email: not an email') });
  });

  it('never follows a redirect: the other origin receives nothing', async () => {
    const other = await serve((_q, res) => json(res, 200, { ok: 'stolen' }));
    const { url } = await serve((_q, res) => { res.writeHead(302, { location: `${other.url}/steal` }); res.end(); });
    await expect(client(url).get('/x', { what: 'x', schema })).rejects.toMatchObject({ exitCode: 5, code: 'redirect_refused' });
    expect(other.hits).toHaveLength(0);
  });

  it('sends a t0ken User-Agent and keeps keys out of the debug trace', async () => {
    const { url, hits } = await serve((_q, res) => json(res, 200, { ok: 'yes', api_key: 'omx_agent_RETURNEDKEY999999' }));
    const lines: string[] = [];
    await client(url, { trace: (l) => lines.push(l) }).post('/x', { what: 'x', schema, json: { api_key: 'omx_agent_SENTKEY' } });
    expect(hits[0]!.headers['user-agent']).toMatch(/^t0ken\/\S+ node\/\S+ \S+$/);
    const trace = lines.join('\n');
    expect(trace).toContain('x-api-key: [redacted]');
    for (const secret of ['SECRETVALUE123456', 'RETURNEDKEY999999', 'SENTKEY']) expect(trace).not.toContain(secret);
  });
  it('keeps a key of no known shape out of the trace of a long answer (the trace shows its first 2,000 characters)', async () => {
    const { url } = await serve((_q, res) => json(res, 200, { ok: 'yes', api_key: 'Zq8rT2vLx9Wm4Kp7Hs3Nd6Yb', notes: 'x'.repeat(3000) }));
    const lines: string[] = [];
    await client(url, { trace: (l) => lines.push(l) }).get('/x', { what: 'x', schema });
    const trace = lines.join('\n');
    expect(trace).toContain('"api_key":"[redacted]"');
    expect(trace).not.toContain('Zq8rT2vLx9Wm4Kp7Hs3Nd6Yb');
    expect(lines.find((l) => l.startsWith('< {'))!.length).toBeLessThanOrEqual(2 + 2000);
  });
});
