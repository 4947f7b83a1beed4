import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson, useHttpServer } from '../helpers/http-server.js';
import { run, type InProcessResult } from '../helpers/run.js';
import { useConfigDir } from '../helpers/sandbox.js';
import { expectTerminalSafe, HOSTILE } from '../helpers/terminal-safety.js';

/**
 * Issue 13.1: a server that puts terminal escape sequences in every field it sends. Nothing of them
 * may reach the terminal (human output, errors, the --debug trace, the HTTP status line), on the
 * command that received them or on any later one that shows what was stored; JSON output and the
 * config file keep the exact value.
 */
const FP = `fp_${'c'.repeat(32)}`;
const AGENT_ID = 'mnm-0123abcd-0123-4abc-8def-0123456789ab';
const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  'POST /t0ken/agents/auto-register': (_q, r) =>
    json(r, 200, { success: true, data: { user_id: `user${HOSTILE}`, api_key: 'omx_agent_HOSTILE0123456789abcdef', project_id: `proj${HOSTILE}`, is_machine_account: true, machine_fingerprint: 'fp_server', created_at: '2026-01-01T00:00:00Z' } }),
  'GET /t0ken/agents/machine-stats': (_q, r) =>
    json(r, 200, { success: true, data: { total_memories: 1, total_projects: 1, api_calls_24h: 1, storage_used: `1MB${HOSTILE}`, created_at: '2026-01-01T00:00:00Z' } }),
  'POST /t0ken/agents/claim/init': (_q, r) => json(r, 200, { success: true, data: { verification_code: '123456', expires_at: new Date(Date.now() + 600_000).toISOString() } }),
  'POST /t0ken/agents/claim/verify': (_q, r) => json(r, 200, { success: true, data: { message: `ok${HOSTILE}`, merged_to_user_id: `human${HOSTILE}` } }),
  [`GET /mnemom/agents/${AGENT_ID}`]: (_q, r) =>
    json(r, 200, { id: AGENT_ID, agent_hash: `hash${HOSTILE}`, name: `agent${HOSTILE}`, user_id: `u${HOSTILE}`, email: `e${HOSTILE}`, status: `s${HOSTILE}`, created_at: '2026-01-01T00:00:00Z' }),
  'POST /keyed/agents/auto-register': (_q, r) =>
    json(r, 200, { success: true, data: { user_id: 'u', api_key: `omx_agent_${HOSTILE}`, project_id: 'p', is_machine_account: true, machine_fingerprint: 'fp_server', created_at: '2026-01-01T00:00:00Z' } }),
  'GET /mnemom/agents': (_q, r) => json(r, 200, { agents: [{ id: AGENT_ID, name: `agent${HOSTILE}`, created_at: '2026-01-01T00:00:00Z' }] }),
  'POST /mnemom/agents': (_q, r) => json(r, 201, { id: AGENT_ID, agent_hash: `hash${HOSTILE}`, name: `agent${HOSTILE}`, created_at: '2026-01-01T00:00:00Z', card_id: `card${HOSTILE}` }),
  'GET /failing/agents/machine-stats': (_q, r) => json(r, 422, { success: false, error: { code: 'bad', message: `nope${HOSTILE}` } }),
};
const json = (res: ServerResponse, status: number, body: unknown) => sendJson(res, status, body, { 'x-hostile': 'a' });
const server = useHttpServer((req, res) => {
  req.resume();
  const route = routes[`${req.method} ${(req.url ?? '').split('?')[0]}`];
  req.on('end', () => (route ? route(req, res) : json(res, 404, { detail: `no route${HOSTILE}` })));
});
// The HTTP status line itself, raw bytes a node:http server would refuse to send.
const rawStatus = createTcpServer((socket) => {
  socket.once('data', () => {
    const body = 'not json either \u001b]0;pwned\u0007';
    socket.end(`HTTP/1.1 503 Busy\u001b]0;pwned\u0007\u001b[2J\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  });
  socket.on('error', () => {});
});
let rawBase = '';
const config = useConfigDir('shared', 't0ken-hostile-');

beforeAll(async () => {
  await new Promise<void>((r) => rawStatus.listen(0, '127.0.0.1', r));
  rawBase = `http://127.0.0.1:${(rawStatus.address() as AddressInfo).port}`;
});
afterAll(() => {
  rawStatus.close();
});

function t0ken(args: string[], extra: Record<string, string> = {}): Promise<InProcessResult> {
  return run(args, {
    env: { T0KEN_CONFIG_DIR: config.dir, T0KEN_API_URL: `${server.url}/t0ken`, MNEMOM_API_URL: `${server.url}/mnemom`, MNEMOM_API_KEY: 'mnm_hostiletest0123456789', T0KEN_FINGERPRINT: FP, ...extra },
  });
}
const safe = (result: InProcessResult, label: string, ownColour = false) => {
  expectTerminalSafe(result.stdout, `${label} stdout`, ownColour);
  expectTerminalSafe(result.stderr, `${label} stderr`, ownColour);
};
function findString(value: unknown, wanted: string): boolean {
  if (value === wanted) return true;
  if (value && typeof value === 'object') return Object.values(value).some((inner) => findString(inner, wanted));
  return false;
}

describe('hostile answers never reach the terminal (issue 13.1)', () => {
  it('register: the human table, in colour and without; JSON keeps the exact value; the store keeps it as is', async () => {
    const plain = await t0ken(['register']);
    expect(plain.code, plain.stderr).toBe(0);
    safe(plain, 'register');
    expect(plain.stdout).toContain('user');
    expect(plain.stdout).toContain('evil'); // the printable part is still shown

    const stored = JSON.parse(readFileSync(join(config.dir, 'config.json'), 'utf8'));
    expect(findString(stored, `user${HOSTILE}`), 'stored exactly').toBe(true);

    const coloured = await t0ken(['register'], { FORCE_COLOR: '1' });
    expect(coloured.code).toBe(0);
    safe(coloured, 'register in colour', true);
    expect(coloured.stdout).toMatch(/\u001b\[\d+m/); // t0ken's own styling survives the sanitiser

    const asJson = await t0ken(['register', '--json']);
    expect(JSON.parse(asJson.stdout).user_id).toBe(`user${HOSTILE}`); // exact
    safe(asJson, 'register --json'); // C1 and bidi characters are \u-escaped, C0 by JSON itself
  });

  it('whoami replays nothing of what register stored', async () => {
    for (const extra of [{}, { FORCE_COLOR: '1' }] as Array<Record<string, string>>) {
      const result = await t0ken(['whoami'], extra);
      expect(result.code, result.stderr).toBe(0);
      safe(result, 'whoami', 'FORCE_COLOR' in extra);
      expect(result.stdout).toContain('evil');
    }
    const asJson = await t0ken(['whoami', '--json']);
    expect(JSON.parse(asJson.stdout).project_id).toBe(`proj${HOSTILE}`);
    safe(asJson, 'whoami --json');
  });

  it('stats, claim, verify and the stored claim in whoami', async () => {
    const stats = await t0ken(['stats']);
    expect(stats.code, stats.stderr).toBe(0);
    safe(stats, 'stats');
    expect(stats.stdout).toContain('1MB');
    const claim = await t0ken(['claim', '--email', 'a@example.com']);
    expect(claim.code, claim.stderr).toBe(0);
    const verify = await t0ken(['verify']);
    expect(verify.code, verify.stderr).toBe(0);
    safe(verify, 'verify');
    expect(verify.stdout).toContain('human');
    const whoami = await t0ken(['whoami']);
    safe(whoami, 'whoami after verify');
    const logout = await t0ken(['logout', '--yes']);
    safe(logout, 'logout');
  });

  it('agent list and agent create (Mnemom fields)', async () => {
    const list = await t0ken(['agent', 'list']);
    expect(list.code, list.stderr).toBe(0);
    safe(list, 'agent list');
    expect(list.stdout).toContain(AGENT_ID);
    const show = await t0ken(['agent', 'show', AGENT_ID]);
    expect(show.code, show.stderr).toBe(0);
    safe(show, 'agent show');
    const create = await t0ken(['agent', 'create', '--name', 'hostile', '--key-env', 'PROVIDER_KEY'], { PROVIDER_KEY: 'sk-hostile-provider-key' });
    expect(create.code, create.stderr).toBe(0);
    safe(create, 'agent create');
  });

  it('values shown inside a sentence or alone (-q) stay on one line: link, logout, whoami -q, agent list -q', async () => {
    const home = mkdtempSync(join(tmpdir(), 't0ken-hostile-home-'));
    try {
      await t0ken(['register', '--force']);
      // A MemoryX file of another account whose user id forges a line too (written by another program)
      mkdirSync(join(home, '.memoryx'), { mode: 0o700 });
      writeFileSync(join(home, '.memoryx', 'config.json'), JSON.stringify({ api_key: 'omx_agent_SomeoneElse0123456789', user_id: `other${HOSTILE}`, project_id: 'p', machine_fingerprint: 'f'.repeat(32) }), { mode: 0o600 });
      for (const args of [['link', 'memoryx-python', '--dry-run'], ['link', 'memoryx-python'], ['link', 'memoryx-python'], ['whoami', '-q'], ['agent', 'list', '-q'], ['logout', '--yes']]) {
        const result = await t0ken(args, { HOME: home });
        expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
        safe(result, args.join(' '));
      }
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('the --debug trace (bodies, headers) and a raw HTTP status line', async () => {
    await t0ken(['register', '--force']);
    const traced = await t0ken(['stats', '--debug']);
    expect(traced.code).toBe(0);
    expect(traced.stderr).toContain('< 200');
    safe(traced, 'stats --debug');

    const status = await run(['agent', 'list', '--debug', '--timeout', '5'], {
      env: { T0KEN_CONFIG_DIR: config.dir, MNEMOM_API_URL: rawBase, MNEMOM_API_KEY: 'mnm_hostiletest0123456789' },
    });
    expect(status.code).toBe(5);
    expect(status.stderr).toContain('503');
    safe(status, 'raw status line');
  });

  it('an API key holding escape sequences is a malformed answer: nothing stored, so `token` can never print it', async () => {
    const result = await t0ken(['register', '--force'], { T0KEN_API_URL: `${server.url}/keyed` });
    expect(result.code).toBe(5);
    safe(result, 'register with a hostile key');
    const token = await t0ken(['token'], { T0KEN_API_URL: `${server.url}/keyed` });
    expect(token.code).toBe(3);
  });

  it('a hostile error message in a 4xx answer', async () => {
    // Register against the failing prefix is not routed: 404 with a hostile detail.
    const result = await t0ken(['register', '--force'], { T0KEN_API_URL: `${server.url}/nowhere` });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('no route');
    safe(result, '404 detail');
    const asJson = await t0ken(['register', '--force', '--json'], { T0KEN_API_URL: `${server.url}/nowhere` });
    safe(asJson, '404 detail --json');
  });
});
