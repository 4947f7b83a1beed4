import { createServer as createHttpsServer, type Server } from 'node:https';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonError, runCli, type RunResult } from '../helpers/cli.js';
import { makePki, type IssuedCert, type Pki } from '../helpers/pki.js';
import { commandProbe, requirePart } from '../helpers/real-part.js';
import { freePort, startTinyproxy, type Tinyproxy } from '../helpers/tinyproxy.js';
import { run } from '../helpers/run.js';

/**
 * Issue 13.6, 13.7, 13.10 with the real parts a user has: a private CA and certificates made by
 * openssl, a node:https server presenting them, and Debian's tinyproxy (with and without Basic auth)
 * between t0ken and a server on this machine's non-loopback address (loopback never uses a proxy).
 */
const work = mkdtempSync(join(tmpdir(), 't0ken-net-'));
const configDir = join(work, 'config');
const RSS_HOOK = fileURLToPath(new URL('../helpers/max-rss.cjs', import.meta.url));
const STATS = { total_memories: 3, total_projects: 1, api_calls_24h: 2, storage_used: '1MB', created_at: '2026-01-01T00:00:00Z' };
const HUGE = 100 * 1024 * 1024;

const hasOpenssl = requirePart('openssl', commandProbe('openssl', ['version']));
const hasTinyproxy = requirePart('tinyproxy', commandProbe('tinyproxy', ['-v']));
const externalIp = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
const hasExternalIp = requirePart('a non-loopback IPv4 address', () => (externalIp ? undefined : 'this machine has none'));

let pki: Pki;
let certs: Record<'good' | 'expired' | 'wrongHost' | 'external', IssuedCert>;
let server: Server;
let port = 0;
let connections = 0;
let hugeBytesSent = 0;

function route(req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '').split('?')[0] ?? '';
  const json = (body: unknown) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (path.endsWith('/agents/auto-register')) {
    return json({ success: true, data: { user_id: 'u_net', api_key: 'omx_agent_NETWORK0123456789abcdef', project_id: 'p', is_machine_account: true, machine_fingerprint: 'fp_net', created_at: '2026-01-01T00:00:00Z' } });
  }
  if (path === '/big/agents/machine-stats') {
    // 100 MB of a JSON string, streamed for as long as the client keeps reading.
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"success":true,"data":{"storage_used":"');
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const pump = () => {
      while (hugeBytesSent < HUGE && !res.destroyed) {
        hugeBytesSent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      if (!res.destroyed) res.end('"}}');
    };
    res.on('error', () => {});
    return pump();
  }
  if (path.endsWith('/agents/machine-stats')) return json({ success: true, data: STATS });
  res.writeHead(404).end();
}

beforeAll(async () => {
  if (!hasOpenssl) return;
  pki = makePki(join(work, 'pki'));
  const ips = ['IP:127.0.0.1', ...(externalIp ? [`IP:${externalIp}`] : [])];
  certs = {
    good: pki.issue('t0ken test server', { altNames: ips }),
    expired: pki.issue('t0ken expired server', { altNames: ips, startDate: '20200101000000Z', endDate: '20200102000000Z' }),
    wrongHost: pki.issue('wrong.example', { altNames: ['DNS:wrong.example', 'DNS:other.example'] }),
    external: pki.issue('t0ken external', { altNames: ips }),
  };
  server = createHttpsServer({ ...certs.good }, (req, res) => {
    req.resume();
    req.on('end', () => route(req, res));
  });
  server.on('connection', () => connections++);
  server.on('tlsClientError', () => {});
  await new Promise<void>((r) => server.listen(0, '0.0.0.0', r));
  port = (server.address() as AddressInfo).port;
}, 60_000);
afterAll(() => {
  server?.closeAllConnections();
  server?.close();
  rmSync(work, { recursive: true, force: true });
});

// Spawned: NODE_EXTRA_CA_CERTS is read when Node starts, and the memory measured is a process's.
function t0ken(args: string[], env: Record<string, string | undefined>, timeoutMs = 20_000): Promise<RunResult> {
  return runCli(args, { env: { T0KEN_CONFIG_DIR: configDir, T0KEN_FINGERPRINT: `fp_${'d'.repeat(32)}`, ...env }, timeoutMs });
}
/** In-process, for what needs neither: proxy variables and the time budget over plain HTTP. */
const t0kenInProcess = (args: string[], env: Record<string, string | undefined>) => run(args, { env: { T0KEN_CONFIG_DIR: configDir, T0KEN_FINGERPRINT: `fp_${'d'.repeat(32)}`, ...env } });
const loopbackUrl = () => `https://127.0.0.1:${port}/api/v1`;
const trusted = () => ({ NODE_EXTRA_CA_CERTS: pki.caPath });

describe.runIf(hasOpenssl)('TLS failures say what is wrong with the certificate and are not retried (issue 13.7)', () => {
  beforeAll(async () => {
    server.setSecureContext({ ...certs.good });
    const registered = await t0ken(['register', '--json'], { T0KEN_API_URL: loopbackUrl(), ...trusted() });
    expect(registered.code, registered.stderr).toBe(0);
  });

  it('a certificate from the private CA is accepted with NODE_EXTRA_CA_CERTS', async () => {
    server.setSecureContext({ ...certs.good });
    const result = await t0ken(['stats', '--json'], { T0KEN_API_URL: loopbackUrl(), ...trusted() });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(STATS);
  });

  it('an unknown issuer: code tls, exit 5, names the issuer and points to NODE_EXTRA_CA_CERTS; one attempt', async () => {
    server.setSecureContext({ ...certs.good });
    connections = 0;
    const result = await t0ken(['stats', '--json'], { T0KEN_API_URL: loopbackUrl() });
    expect(result.code).toBe(5);
    const error = jsonError(result.stderr);
    expect(error.code).toBe('tls');
    expect(error.message).toContain('t0ken test CA');
    expect(error.message).toMatch(/does not trust/);
    expect(error.hint).toContain('NODE_EXTRA_CA_CERTS');
    expect(connections).toBe(1);
    const human = await t0ken(['stats'], { T0KEN_API_URL: loopbackUrl() });
    expect(human.stderr).not.toMatch(/cannot reach/);
    expect(human.stderr).toContain('NODE_EXTRA_CA_CERTS');
  });

  it('an unknown issuer while NODE_EXTRA_CA_CERTS names a file that holds no usable CA: the hint says to check that file, not to set the variable', async () => {
    server.setSecureContext({ ...certs.good });
    const garbage = join(work, 'not-a-ca.pem');
    writeFileSync(garbage, 'this is no certificate\n');
    for (const extra of [garbage, work]) {
      const result = await t0ken(['stats', '--json'], { T0KEN_API_URL: loopbackUrl(), NODE_EXTRA_CA_CERTS: extra });
      expect(result.code).toBe(5);
      const error = jsonError(result.stderr);
      expect(error.code).toBe('tls');
      expect(error.hint).toContain(`NODE_EXTRA_CA_CERTS is set (${JSON.stringify(extra)}) but gave no authority that signed this certificate`);
    }
  });

  it('an expired certificate: says expired, and when', async () => {
    server.setSecureContext({ ...certs.expired });
    connections = 0;
    const result = await t0ken(['stats', '--json'], { T0KEN_API_URL: loopbackUrl(), ...trusted() });
    expect(result.code).toBe(5);
    const error = jsonError(result.stderr);
    expect(error.code).toBe('tls');
    expect(error.message).toMatch(/expired on 2020-01-02/);
    expect(connections).toBe(1);
  });

  it('a certificate for another host: names the hosts it is for', async () => {
    server.setSecureContext({ ...certs.wrongHost });
    connections = 0;
    const result = await t0ken(['stats', '--json'], { T0KEN_API_URL: loopbackUrl(), ...trusted() });
    expect(result.code).toBe(5);
    const error = jsonError(result.stderr);
    expect(error.code).toBe('tls');
    expect(error.message).toContain('wrong.example, other.example');
    expect(connections).toBe(1);
    server.setSecureContext({ ...certs.good });
  });
});

describe.runIf(hasOpenssl && hasTinyproxy && hasExternalIp)('through a real proxy: tinyproxy (issue 13.6)', () => {
  let open: Tinyproxy;
  let guarded: Tinyproxy;
  const remoteUrl = () => `https://${externalIp}:${port}/api/v1`;
  const connectsIn = (log: string) => log.split('\n').filter((line) => line.includes(`CONNECT ${externalIp}:${port}`)).length;
  beforeAll(async () => {
    server.setSecureContext({ ...certs.good });
    [open, guarded] = await Promise.all([
      startTinyproxy(work, 'open'),
      startTinyproxy(work, 'guarded', { user: 'agent', password: 'pr0xy-s3cret' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([open?.stop(), guarded?.stop()]);
  });

  it('HTTPS_PROXY (and https_proxy) carry the request through the proxy; NO_PROXY and loopback bypass it', async () => {
    const via = await t0ken(['register', '--json'], { T0KEN_API_URL: remoteUrl(), HTTPS_PROXY: open.url, ...trusted() });
    expect(via.code, via.stderr).toBe(0);
    expect(connectsIn(open.log())).toBe(1);
    const lower = await t0ken(['stats', '--json'], { T0KEN_API_URL: remoteUrl(), https_proxy: open.url, ...trusted() });
    expect(lower.code, lower.stderr).toBe(0);
    expect(connectsIn(open.log())).toBe(2);
    const exempt = await t0ken(['stats', '--json'], { T0KEN_API_URL: remoteUrl(), HTTPS_PROXY: open.url, NO_PROXY: `example.com, ${externalIp}`, ...trusted() });
    expect(exempt.code, exempt.stderr).toBe(0);
    const loopback = await t0ken(['stats', '--json'], { T0KEN_API_URL: loopbackUrl(), HTTPS_PROXY: open.url, ...trusted() });
    expect(loopback.code, loopback.stderr).toBe(0);
    expect(connectsIn(open.log())).toBe(2);
  });

  it('Basic auth: credentials from the proxy URL; a 407 is a proxy error that never shows the password', async () => {
    const ok = await t0ken(['stats', '--debug'], { T0KEN_API_URL: remoteUrl(), HTTPS_PROXY: `http://agent:pr0xy-s3cret@127.0.0.1:${guarded.port}`, ...trusted() });
    expect(ok.code, ok.stderr).toBe(0);
    expect(connectsIn(guarded.log())).toBe(1);
    // The trace says how the connection was made, and never the proxy's password.
    expect(ok.stderr).toContain(`* through the proxy ${guarded.url} (from HTTPS_PROXY)`);
    expect(ok.stderr).toMatch(/\* certificate "t0ken test server" from "t0ken test CA", valid until \d{4}-/);
    expect(ok.stderr).not.toContain('pr0xy-s3cret');
    expect(ok.stderr).not.toContain(Buffer.from('agent:pr0xy-s3cret').toString('base64'));

    const none = await t0ken(['stats', '--json'], { T0KEN_API_URL: remoteUrl(), HTTPS_PROXY: guarded.url, ...trusted() });
    expect(none.code).toBe(5);
    const asked = jsonError(none.stderr);
    expect(asked.code).toBe('proxy');
    expect(asked.message).toContain(guarded.url);
    expect(asked.message).toContain('407');
    expect(asked.message).not.toMatch(/cannot reach/);

    const wrong = await t0ken(['stats'], { T0KEN_API_URL: remoteUrl(), HTTPS_PROXY: `http://agent:wrong-pa55@127.0.0.1:${guarded.port}`, ...trusted() });
    expect(wrong.code).toBe(5);
    expect(wrong.stderr).toMatch(/proxy http:\/\/127\.0\.0\.1:\d+ \(from HTTPS_PROXY\) rejected the user name and password/);
    expect(wrong.stderr).not.toContain('wrong-pa55');
    expect(wrong.stderr).not.toMatch(/cannot reach/);
    expect(wrong.stderr).toContain('Check the user name and password in HTTPS_PROXY'); // not "put them in the URL": they are
    expect(wrong.stderr).not.toContain('Put them in the proxy URL');
    expect(asked.hint).toContain('Put them in the proxy URL: HTTPS_PROXY=http://USER:PASSWORD@');
  });

  it('a proxy that refuses the connection is named as the proxy, without its password', async () => {
    const dead = await freePort();
    const result = await t0ken(['stats', '--json'], { T0KEN_API_URL: remoteUrl(), HTTPS_PROXY: `http://agent:dead-pa55@127.0.0.1:${dead}`, ...trusted() });
    expect(result.code).toBe(5);
    const error = jsonError(result.stderr);
    expect(error.code).toBe('proxy');
    expect(error.message).toContain(`http://127.0.0.1:${dead}`);
    expect(error.message).toContain('refused');
    expect(error.message).not.toMatch(/cannot reach/);
    expect(result.stderr).not.toContain('dead-pa55');
  });

  it('a proxy that takes the connection and never answers the CONNECT is named as the proxy, once, within the timeout', async () => {
    const silent = createNetServer(() => {}); // accepts, says nothing
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const silentPort = (silent.address() as AddressInfo).port;
    try {
      const started = Date.now();
      const result = await t0ken(['register', '--force', '--json', '--timeout', '2'], { T0KEN_API_URL: remoteUrl(), HTTPS_PROXY: `http://agent:quiet-pa55@127.0.0.1:${silentPort}`, ...trusted() });
      expect(result.code).toBe(5);
      const error = jsonError(result.stderr);
      expect(error.code).toBe('proxy');
      expect(error.message).toContain(`the proxy http://127.0.0.1:${silentPort} (from HTTPS_PROXY) did not answer the CONNECT within 2 s, so t0ken at `);
      expect(error.message).toContain('(1 attempt)');
      expect(result.stderr).not.toContain('quiet-pa55');
      expect(Date.now() - started).toBeLessThan(8_000); // one attempt: a proxy failure is not retried
    } finally {
      silent.close();
    }
  });

  it('the 1 MiB answer limit holds through the proxy: a 100 MB body is cut off, memory stays small', async () => {
    const registered = await t0ken(['register'], { T0KEN_API_URL: `https://${externalIp}:${port}/big`, HTTPS_PROXY: open.url, ...trusted() });
    expect(registered.code, registered.stderr).toBe(0);
    hugeBytesSent = 0;
    const rssFile = join(work, 'rss');
    const result = await t0ken(['stats', '--json'], {
      T0KEN_API_URL: `https://${externalIp}:${port}/big`, HTTPS_PROXY: open.url, ...trusted(), NODE_OPTIONS: `--require=${RSS_HOOK}`, T0KEN_RSS_FILE: rssFile,
    });
    expect(result.code).toBe(5);
    expect(jsonError(result.stderr).message).toContain('larger than 1 MiB');
    const rss = Number(readFileSync(rssFile, 'utf8'));
    console.log(`peak RSS for a 100 MB answer through tinyproxy: ${(rss / 1048576).toFixed(1)} MiB; ${(hugeBytesSent / 1048576).toFixed(1)} MiB written before the cut`);
    expect(rss).toBeLessThan(120 * 1024 * 1024);
    expect(hugeBytesSent).toBeLessThan(HUGE);
  });
});

describe('proxy variables and the time budget (issue 13.6, 13.10)', () => {
  it('a malformed proxy variable is exit 2 naming it, before any request', async () => {
    for (const [variable, value] of [['HTTPS_PROXY', '127.0.0.1:8888'], ['https_proxy', 'not a url'], ['HTTP_PROXY', 'proxy.example:3128']] as const) {
      const result = await t0kenInProcess(['register'], { T0KEN_API_URL: 'https://t0ken.invalid/api/v1', [variable]: value });
      expect(result.code, `${variable}=${value}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toContain(variable);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('--timeout is the whole command\'s budget, and the error says how many attempts were made', async () => {
    // Each server registers normally; its machine-stats either never answers or always answers 503.
    const make = (stats: (res: ServerResponse) => void) =>
      createHttpServer((req, res) => {
        req.resume();
        req.on('end', () => ((req.url ?? '').includes('machine-stats') ? stats(res) : route(req, res)));
      });
    const stall = make(() => {});
    const busy = make((res) => res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"down"}'));
    await Promise.all([stall, busy].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
    const at = (s: typeof stall) => `http://127.0.0.1:${(s.address() as AddressInfo).port}/api/v1`;
    try {
      for (const s of [stall, busy]) expect((await t0kenInProcess(['register'], { T0KEN_API_URL: at(s) })).code).toBe(0);
      const stalled = await t0kenInProcess(['stats', '--timeout', '2', '--json'], { T0KEN_API_URL: at(stall) });
      expect(stalled.code).toBe(5);
      expect(stalled.ms).toBeLessThan(2000 + 1500); // was 3 attempts of 2 s each, plus waits
      expect(jsonError(stalled.stderr).message).toMatch(/within 2 s \(1 attempt\)$/);
      const failed = await t0kenInProcess(['stats', '--timeout', '5'], { T0KEN_API_URL: at(busy) });
      expect(failed.code).toBe(5);
      expect(failed.stderr).toMatch(/down \(3 attempts\)\n/);
    } finally {
      for (const s of [stall, busy]) {
        s.closeAllConnections();
        s.close();
      }
    }
  });
});
