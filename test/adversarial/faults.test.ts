import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sendJson, useHttpServer } from '../helpers/http-server.js';
import { tempConfigDir } from '../helpers/cli.js';
import { run as t0ken, type InProcessResult } from '../helpers/run.js';

/** A programmable fault server: each test queues the answers it wants, in order. */
type Fault = (req: IncomingMessage, res: ServerResponse) => void;
let queue: Fault[] = [];
let hits: Array<{ at: number; url: string }> = [];
const server = useHttpServer((req, res) => {
  hits.push({ at: Date.now(), url: req.url ?? '' });
  req.resume();
  const fault = queue.shift() ?? ((_q, r) => send(r, 500, 'no fault queued'));
  req.on('end', () => fault(req, res));
});
const send = sendJson;
/** The fault server's API base URL. */
const apiBase = () => `${server.url}/api/v1`;
const ok = (data: unknown): Fault => (_q, r) => send(r, 200, JSON.stringify({ success: true, data }));
const STATS = { total_memories: 1500, total_projects: 2, api_calls_24h: 7, storage_used: '1MB', created_at: '2026-01-01T00:00:00Z' };


/** A config dir holding an account for the fault server, written in the store's format. */
function registeredDir(): { dir: string; cleanup: () => void } {
  const config = tempConfigDir();
  mkdirSync(config.dir, { recursive: true, mode: 0o700 });
  const account = {
    user_id: 'machine_fault', api_key: 'omx_agent_FAULTKEY0123456789abcdef', project_id: 'default', machine_fingerprint: 'fp_fault',
    local_fingerprint: `fp_${'b'.repeat(32)}`, fingerprint_source: 'env', hostname: 'h', created_at: '2026-01-01T00:00:00Z', registered_at: '2026-01-01T00:00:00Z',
  };
  writeFileSync(join(config.dir, 'config.json'), JSON.stringify({ version: 1, t0ken: { [apiBase()]: account }, mnemom: {} }), { mode: 0o600 });
  return config;
}

async function run(args: string[], faults: Fault[], dir: string, extra: string[] = []): Promise<InProcessResult> {
  queue = faults;
  hits = [];
  return t0ken([...args, ...extra], { env: { T0KEN_CONFIG_DIR: dir, T0KEN_API_URL: apiBase(), T0KEN_FINGERPRINT: `fp_${'b'.repeat(32)}` }, timeoutMs: 30_000 });
}
const oneLineError = (result: InProcessResult) => {
  expect(result.stderr).toMatch(/^t0ken: .+\n/);
  expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
};

describe('faults', () => {
  it('GET recovers from a 500', async () => {
    const config = registeredDir();
    const result = await run(['stats', '--json'], [(_q, r) => send(r, 500, '{}'), ok(STATS)], config.dir);
    expect(result.code).toBe(0);
    expect(hits).toHaveLength(2);
    expect(JSON.parse(result.stdout)).toEqual(STATS);
    config.cleanup();
  });

  it('honours Retry-After: 1 on a 429', async () => {
    const config = registeredDir();
    const result = await run(['stats'], [(_q, r) => send(r, 429, '{"error":"slow"}', { 'retry-after': '1' }), ok(STATS)], config.dir);
    expect(result.code).toBe(0);
    expect(hits[1]!.at - hits[0]!.at).toBeGreaterThanOrEqual(950);
    config.cleanup();
  });

  it.each([
    ['a connection reset', (q: IncomingMessage) => q.socket.destroy()],
    ['an HTML 502 page', (_q: IncomingMessage, r: ServerResponse) => { r.writeHead(502, { 'content-type': 'text/html' }); r.end('<html><h1>502 Bad Gateway</h1></html>'); }],
  ])('%s on every attempt ends in exit 5 with one line', async (_label, fault) => {
    const config = registeredDir();
    const result = await run(['stats'], [fault, fault, fault], config.dir);
    expect(result.code).toBe(5);
    expect(result.stderr).not.toContain('<html>');
    oneLineError(result);
    config.cleanup();
  });

  it('a stalled answer beyond --timeout ends within the budget', async () => {
    const config = registeredDir();
    const stall: Fault = () => {};
    const result = await run(['stats', '--timeout', '1'], [stall, stall, stall], config.dir);
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/did not answer/);
    expect(result.ms).toBeLessThan(3 * 1000 + 2 * 4000 + 2000); // 3 attempts + capped backoff + start-up
    oneLineError(result);
    config.cleanup();
  });

  it.each([
    ['truncated JSON', '{"success": true, "data": {"total_mem'],
    ['the wrong shape', JSON.stringify({ success: true, data: { total_memories: 'many' } })],
    ['success false with 200', JSON.stringify({ success: false, data: STATS })],
  ])('a 200 with %s is exit 5', async (_label, body) => {
    const config = registeredDir();
    const result = await run(['stats'], [(_q, r) => send(r, 200, body)], config.dir);
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/unexpected answer/);
    oneLineError(result);
    config.cleanup();
  });

  it('register stores nothing from an api_key of the wrong type, or from a 502', async () => {
    for (const fault of [
      ok({ user_id: 'u', api_key: 12345, project_id: 'p', is_machine_account: true, machine_fingerprint: 'fp_x', created_at: '2026-01-01T00:00:00Z' }),
      (_q: IncomingMessage, r: ServerResponse) => send(r, 502, '<html>bad gateway</html>'),
    ]) {
      const config = tempConfigDir();
      const result = await run(['register'], [fault], config.dir);
      expect(result.code).toBe(5);
      oneLineError(result);
      expect(existsSync(join(config.dir, 'config.json'))).toBe(false);
      config.cleanup();
    }
  });

  it('a Retry-After over 30 s is not waited for: exit 5 saying when to retry', async () => {
    const config = registeredDir();
    const result = await run(['stats'], [(_q, r) => send(r, 503, '{"error":"maintenance"}', { 'retry-after': '3600' })], config.dir);
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/Try again after 3600 s/);
    expect(result.ms).toBeLessThan(5000);
    const stored = readFileSync(join(config.dir, 'config.json'), 'utf8');
    expect(JSON.parse(stored).t0ken[apiBase()].user_id).toBe('machine_fault');
    config.cleanup();
  });
});

describe('transport', () => {
  it('refuses http:// to a remote host (anything but 127.0.0.0/8, ::1 and localhost) before any connection', async () => {
    for (const [variable, url, args] of [
      ['T0KEN_API_URL', 'http://t0ken-test.invalid/api/v1', ['register']],
      ['MNEMOM_API_URL', 'http://10.0.0.1/v1', ['agent', 'list']],
      // A name under .localhost is whatever /etc/hosts or DNS makes it (a LAN address): not loopback
      ['T0KEN_API_URL', 'http://evil.localhost:38555/api/v1', ['stats']],
    ] as const) {
      const config = tempConfigDir();
      const result = await t0ken([...args], { env: { T0KEN_CONFIG_DIR: config.dir, [variable]: url, MNEMOM_API_KEY: 'mnm_transport_test_0123456789', T0KEN_FINGERPRINT: `fp_${'c'.repeat(32)}` } });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/refusing plain http/);
      expect(result.ms).toBeLessThan(2000);
      config.cleanup();
    }
  });

  it('a redirect to another origin carries no key: the other origin sees nothing', async () => {
    const config = registeredDir();
    let stolen = 0;
    const thief = createServer((_q, r) => { stolen++; r.end('{}'); });
    await new Promise<void>((r) => thief.listen(0, '127.0.0.1', r));
    const thiefUrl = `http://127.0.0.1:${(thief.address() as AddressInfo).port}/steal`;
    const result = await run(['stats'], [(_q, r) => { r.writeHead(302, { location: thiefUrl }); r.end(); }], config.dir);
    thief.close();
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/redirect/);
    expect(stolen).toBe(0);
    config.cleanup();
  });

  it('loopback never goes through a proxy (issue 13.6); the proxy path itself is in network.test.ts', async () => {
    const config = registeredDir();
    const tunnels: string[] = [];
    const proxy = createServer((_q, r) => { r.writeHead(405); r.end(); });
    proxy.on('connect', (req, socket) => {
      tunnels.push(req.url ?? '');
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const env = (extra: Record<string, string>) => ({ T0KEN_CONFIG_DIR: config.dir, T0KEN_API_URL: apiBase(), ...extra });
    for (const variables of [{ HTTP_PROXY: proxyUrl }, { https_proxy: proxyUrl, http_proxy: proxyUrl }] as Array<Record<string, string>>) {
      queue = [ok(STATS)];
      const result = await t0ken(['stats', '--json'], { env: env(variables) });
      expect(result.code, result.stderr).toBe(0);
    }
    expect(tunnels).toEqual([]);
    proxy.closeAllConnections();
    proxy.close();
    config.cleanup();
  });
});
