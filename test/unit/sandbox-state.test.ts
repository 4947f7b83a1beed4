// `sandbox --state FILE`: a restarted sandbox is the same world (accounts, agents, port), and a new
// account's statistics are a new account's.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { restartOnSamePort } from '../helpers/sandbox.js';

let dir: string;
let open: Sandbox[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 't0ken-sandbox-state-'));
});
afterEach(async () => {
  for (const s of open) await s.close();
  open = [];
  rmSync(dir, { recursive: true, force: true });
});

async function start(statePath?: string): Promise<Sandbox> {
  const s = await startSandbox(statePath === undefined ? {} : { statePath });
  open.push(s);
  return s;
}

/** One request on a connection of its own (fetch would reuse a kept-alive one to the closed sandbox's port). */
function call(url: string, method: 'GET' | 'POST', body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: { data: Record<string, unknown>; agents?: { name: string }[] } }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const register = (s: Sandbox) => call(`${s.t0kenUrl}/agents/auto-register`, 'POST', { machine_fingerprint: 'fp_here', platform: 'linux', hostname: 'h' });
const stats = (s: Sandbox, key: string, fp: string) => call(`${s.t0kenUrl}/agents/machine-stats?machine_fingerprint=${fp}`, 'GET', undefined, { 'x-api-key': key });

describe('sandbox --state', () => {
  it('a restarted sandbox knows the accounts and agents it issued, on the same port', async () => {
    const path = join(dir, 'state.json');
    const first = await start(path);
    const account = (await register(first)).body.data as { api_key: string; machine_fingerprint: string; user_id: string };
    const mnemom = { 'x-mnemom-api-key': 'mnm_sandbox_state_0123456789' };
    const agent = await call(`${first.mnemomUrl}/agents`, 'POST', { name: 'kept', hash_proof: 'b'.repeat(64) }, mnemom);
    expect(agent.status).toBe(201);
    await first.close();
    expect(statSync(path).mode & 0o777).toBe(0o600);

    const second = await restartOnSamePort(() => start(path));
    expect(second.url).toBe(first.url);
    expect((await stats(second, account.api_key, account.machine_fingerprint)).status).toBe(200);
    const again = (await register(second)).body.data;
    expect(again.api_key).toBe(account.api_key);
    expect(again.user_id).toBe(account.user_id);
    const list = await call(`${second.mnemomUrl}/agents`, 'GET', undefined, mnemom);
    expect(list.body.agents?.map((a) => a.name)).toEqual(['kept']);
  });

  it('without --state a restart is a new world: the old key is refused', async () => {
    const first = await start();
    const account = (await register(first)).body.data as { api_key: string; machine_fingerprint: string };
    await first.close();
    const second = await start();
    expect((await stats(second, account.api_key, account.machine_fingerprint)).status).toBe(401);
  });

  it('a file that is not a saved state is refused and left as it is', async () => {
    const path = join(dir, 'notes.json');
    writeFileSync(path, '{"mine": true}\n');
    await expect(start(path)).rejects.toMatchObject({ code: 'local_state', message: expect.stringMatching(/is not a sandbox state file/) });
    expect(readFileSync(path, 'utf8')).toBe('{"mine": true}\n');
  });

  it('a saved state with an entry the routes cannot read is refused at start and left as it is (it was taken, then every agent list answered 500)', async () => {
    const account = { userId: 'machine_1', apiKey: 'omx_agent_x', sentFingerprint: 'fp_a', fingerprint: 'fp_b', platform: 'linux', hostname: 'h', createdAt: '2026-01-01T00:00:00Z', calls: [] };
    const agent = { id: 'smolt-00000001', name: 'a', agentHash: 'ab', principal: 'p', createdAt: '2026-01-01T00:00:00Z', cardId: null, policyCreated: false, claimedAt: null, orgId: null, lastSeen: null };
    const good = { version: 1, accounts: [account], agents: [agent], idempotency: [] };
    const bad = [
      { ...good, idempotency: [1] },
      { ...good, agents: [null] },
      { ...good, agents: [{ ...agent, id: 7 }] },
      { ...good, agents: [{ ...agent, policyCreated: 'no' }] },
      { ...good, accounts: [{ ...account, userId: undefined }] },
      { ...good, accounts: [{ ...account, claim: { code: 1 } }] },
    ];
    for (const [i, saved] of bad.entries()) {
      const path = join(dir, `bad-${i}.json`);
      writeFileSync(path, JSON.stringify(saved));
      await expect(start(path), JSON.stringify(saved)).rejects.toMatchObject({ code: 'local_state', message: expect.stringMatching(/is not a sandbox state file/) });
      expect(readFileSync(path, 'utf8')).toBe(JSON.stringify(saved));
    }
    const path = join(dir, 'good.json');
    writeFileSync(path, JSON.stringify(good));
    const s = await start(path);
    expect((await call(`${s.mnemomUrl}/agents`, 'GET', undefined, { authorization: 'Bearer a.b.c' })).status).toBe(200);
  });

  it('one sandbox to a state file: a second is refused (exit 7) while the first runs, and starts once it stopped', async () => {
    const path = join(dir, 'shared.json');
    const first = await start(path);
    await expect(startSandbox({ statePath: path })).rejects.toMatchObject({ code: 'local_state', message: expect.stringContaining(`another sandbox (pid ${process.pid}) keeps its state in ${path}`) });
    await first.close();
    open = open.filter((s) => s !== first);
    // It takes the port the first saved, which another process may hold a moment as a connection's local end.
    const second = await restartOnSamePort(() => start(path));
    expect((await register(second)).status).toBe(201);
  });

  it('a state file in a directory that does not exist: exit 7 saying so, nothing created', async () => {
    const path = join(dir, 'missing', 'state.json');
    await expect(start(path)).rejects.toMatchObject({ code: 'local_state', message: `could not use the sandbox state file ${path}: its directory ${join(dir, 'missing')} does not exist` });
    expect(() => statSync(join(dir, 'missing'))).toThrow(/ENOENT/);
  });

  it('a new account has no memories: the statistics are the account\'s, not invented', async () => {
    const s = await start();
    const account = (await register(s)).body.data as { api_key: string; machine_fingerprint: string };
    const data = (await stats(s, account.api_key, account.machine_fingerprint)).body.data;
    expect(data).toMatchObject({ total_memories: 0, total_projects: 1, api_calls_24h: 1, storage_used: '0KB' });
  });
});
