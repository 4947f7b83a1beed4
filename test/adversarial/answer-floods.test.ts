import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonError, runCli } from '../helpers/cli.js';
import { makePki } from '../helpers/pki.js';
import { flood, startRawServer, writeAll, type RawServer } from '../helpers/raw-http-server.js';
import { commandProbe, requirePart } from '../helpers/real-part.js';

/**
 * Issue 22 items 4 and 5, from outside: the built CLI against a raw-socket server on loopback, plain
 * and TLS, that floods it with 1-byte chunks or with 100 Continue. The 1 MiB cap bounds memory
 * whatever the framing, and interim answers count against the head limit: exit 5 promptly, and a
 * peak RSS close to that of an ordinary answer (1-byte chunks peaked at 212 MB on loopback and
 * 492 MB on https; 200,000 100s took 2.2 s and 247 MB).
 */
const work = mkdtempSync(join(tmpdir(), 't0ken-floods-'));
const RSS_HOOK = fileURLToPath(new URL('../helpers/max-rss.cjs', import.meta.url));
const MiB = 1024 * 1024;
const OK = 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 13\r\n\r\n{"agents":[]}';
const hasOpenssl = requirePart('openssl', commandProbe('openssl', ['version']));

let plain: RawServer;
let secure: RawServer | undefined;
let caPath = '';
beforeAll(async () => {
  plain = await startRawServer();
  if (!hasOpenssl) return;
  const pki = makePki(join(work, 'pki'));
  caPath = pki.caPath;
  secure = await startRawServer(pki.issue('t0ken flood server', { altNames: ['IP:127.0.0.1'] }));
}, 60_000);
afterAll(async () => {
  await Promise.all([plain?.close(), secure?.close()]);
  rmSync(work, { recursive: true, force: true });
});

let runs = 0;
/** `agent list --json` against the server: exit code, time, peak RSS in bytes, and the error. */
async function agentList(server: RawServer, scheme: 'http' | 'https') {
  const rssFile = join(work, `rss-${++runs}`);
  const result = await runCli(['agent', 'list', '--json', '--timeout', '20'], {
    env: {
      T0KEN_CONFIG_DIR: join(work, 'config'), MNEMOM_API_URL: `${scheme}://127.0.0.1:${server.port}/v1`, MNEMOM_API_KEY: 'mnm_floodtest0123456789',
      NODE_EXTRA_CA_CERTS: caPath || undefined, NODE_OPTIONS: `--require=${RSS_HOOK}`, T0KEN_RSS_FILE: rssFile,
    },
    timeoutMs: 30_000,
  });
  return { ...result, rss: Number(readFileSync(rssFile, 'utf8')) };
}

describe.each([
  ['http', () => plain],
  ['https', () => secure],
] as const)('floods over %s', (scheme, serverOf) => {
  const runIt = scheme === 'https' ? it.runIf(hasOpenssl) : it;
  let baseline = 0;
  beforeAll(async () => {
    const server = serverOf();
    if (!server) return;
    server.answer = writeAll(OK);
    const ordinary = await agentList(server, scheme);
    expect(ordinary.code, ordinary.stderr).toBe(0);
    baseline = ordinary.rss;
  }, 30_000);

  const expectBounded = (label: string, result: Awaited<ReturnType<typeof agentList>>, message: RegExp) => {
    console.log(`${scheme} ${label}: exit ${result.code} after ${result.ms} ms, peak RSS ${(result.rss / MiB).toFixed(1)} MiB (an ordinary answer: ${(baseline / MiB).toFixed(1)} MiB)`);
    expect(result.code, result.stderr).toBe(5);
    expect(jsonError(result.stderr)).toMatchObject({ code: 'malformed_response', message: expect.stringMatching(message) });
    // The cap itself (1 MiB of body, 2 MiB read) plus the parser's short-lived objects, which
    // live until the young generation is collected: its size is V8's and grows with the line
    // (idle machine, 1-byte chunks over http: +11 MiB on Node 20, +15 on 22, +14 on 24, +23 on 26;
    // CI saw +24 on 24). The failure this guards against cost 165-440 MiB more than an ordinary answer.
    expect(result.rss - baseline).toBeLessThan(48 * MiB);
    expect(result.ms).toBeLessThan(10_000); // ~1 s on an idle machine; the deadline is 20 s
  };

  runIt('endless 1-byte chunks: exit 5, memory bounded', async () => {
    const server = serverOf()!;
    server.answer = flood('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n', '1\r\n \r\n');
    expectBounded('1-byte chunks', await agentList(server, scheme), /larger than 2 MiB on the wire/);
  }, 30_000);

  runIt('200,000 × 100 Continue before a 200: exit 5, memory bounded', async () => {
    const server = serverOf()!;
    server.answer = flood('', 'HTTP/1.1 100 Continue\r\n\r\n', { times: 200_000, tail: OK });
    expectBounded('100 Continue flood', await agentList(server, scheme), /interim \(1xx\) answers/);
  }, 30_000);
});
