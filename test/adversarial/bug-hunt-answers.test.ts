import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempConfigDir } from '../helpers/cli.js';
import { sendJson, useHttpServer } from '../helpers/http-server.js';
import { run } from '../helpers/run.js';

/**
 * Bugs found by answering t0ken's newest commands (agent rekey, claim, create --if-exists, logout)
 * the way a broken or hostile service might. Each test failed before its fix.
 */
const ID = 'mnm-0123abcd-0123-4abc-8def-0123456789ab';
const OTHER = 'smolt-0badc0de';
const MNEMOM_KEY = 'mnm_BugHuntAnswersKey_0001';
const PROVIDER_KEY = 'sk-ant-bughunt-provider-key';

const TWIN = { id: OTHER, agent_hash: 'ffffffffffffffff', name: 'twin', created_at: '2026-01-01T00:00:00Z' };
/** JSON nested 100,000 levels deep: about 200 KB, well under the 1 MiB answer limit. */
const DEEP = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
const seen: string[] = [];
const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  [`POST /mn/agents/${ID}/rekey`]: (_q, r) => json(r, 200, { success: false, agent_id: ID, rekeyed_at: '2026-01-01T00:00:00Z' }),
  [`POST /mn/agents/${ID}/claim`]: (_q, r) => json(r, 200, { success: false, id: ID }),
  // A 409 naming an agent that has neither this proof's agent_hash nor this name.
  'POST /mn/agents': (_q, r) => json(r, 409, { error: { code: 'conflict', message: 'exists', details: { conflict_agent_id: OTHER } } }),
  'POST /t0/agents/auto-register': (_q, r) =>
    json(r, 200, { success: true, data: { user_id: 'u1', api_key: 'omx_agent_BugHuntIssuedKey01', project_id: 'p', is_machine_account: true, machine_fingerprint: `fp_${'b'.repeat(32)}`, created_at: '2026-01-01T00:00:00Z' } }),
  'GET /t0/agents/machine-stats': (_q, r) => {
    r.writeHead(200, { 'content-type': 'application/json' });
    r.end(`{"success": true, "data": {"total_memories": 1, "total_projects": 1, "api_calls_24h": 1, "storage_used": "1 MB", "created_at": "2026-01-01T00:00:00Z", "deep": ${DEEP}}}`);
  },
  'GET /mn/agents': (_q, r) => {
    r.writeHead(200, { 'content-type': 'application/json' });
    r.end(`{"agents": [], "deep": ${DEEP}}`);
  },
  'GET /big/agents/machine-stats': (_q, r) => {
    r.writeHead(200, { 'content-type': 'application/json' });
    r.end(`{"success": true, "data": {"pad": "${'x'.repeat(2 * 1024 * 1024)}"}}`);
  },
  [`GET /mn/agents/${OTHER}`]: (_q, r) => json(r, 200, { id: OTHER, agent_hash: 'ffffffffffffffff', name: 'someone-else', created_at: '2026-01-01T00:00:00Z' }),
  // A list that repeats one agent (a paging overlap, say): still one agent named twin.
  'GET /dup/agents': (_q, r) => json(r, 200, { agents: [TWIN, TWIN] }),
  [`GET /dup/agents/${OTHER}`]: (_q, r) => json(r, 200, TWIN),
};
const json = sendJson;
const server = useHttpServer((req, res) => {
  req.resume();
  seen.push(`${req.method} ${(req.url ?? '').split('?')[0]}`);
  const route = routes[`${req.method} ${(req.url ?? '').split('?')[0]}`];
  req.on('end', () => (route ? route(req, res) : json(res, 404, { detail: 'no route' })));
});
const config = tempConfigDir('t0ken-bughunt-answers-');
afterAll(config.cleanup);
const t0ken = (args: string[], env: Record<string, string | undefined> = {}) =>
  run(args, { env: { T0KEN_CONFIG_DIR: config.dir, MNEMOM_API_URL: `${server.url}/mn`, T0KEN_API_URL: `${server.url}/t0`, MNEMOM_API_KEY: MNEMOM_KEY, PK: PROVIDER_KEY, ...env } });

describe('a 200 answer that says it failed is not reported as success', () => {
  it('agent rekey answered {"success": false}: exit 5, not "now answers to the new provider key"', async () => {
    const result = await t0ken(['agent', 'rekey', ID, '--name', 'bug-hunt', '--key-env', 'PK']);
    expect(result.code, result.stderr).toBe(5);
    expect(result.stderr).toContain('success should be true');
    expect(result.stdout).toBe('');
  });

  it('agent claim answered {"success": false}: exit 5', async () => {
    const result = await t0ken(['agent', 'claim', ID, '--key-env', 'PK']);
    expect(result.code, result.stderr).toBe(5);
    expect(result.stdout).toBe('');
  });
});

describe('agent create --if-exists ok and a 409 naming an agent that is not this one', () => {
  it('neither the agent_hash nor the name matches: exit 6 and say so, not "already exists"', async () => {
    const result = await t0ken(['agent', 'create', '--name', 'mybot', '--key-env', 'PK', '--if-exists', 'ok', '--json']);
    expect(result.code, result.stderr).toBe(6);
    expect(result.stdout).toBe('');
    const error = JSON.parse(result.stderr.trim().split('\n').pop()!).error;
    expect(error.code).toBe('conflict');
    expect(error.message).toContain(OTHER);
    expect(error.message).toMatch(/neither/);
  });
});

describe('agent show by name', () => {
  it('a list that names the same agent twice is one agent, not "2 agents are named twin"', async () => {
    const result = await t0ken(['agent', 'show', 'twin', '--json'], { MNEMOM_API_URL: `${server.url}/dup` });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).id).toBe(OTHER);
  });
});

describe('logout and a keychain that cannot be reached', () => {
  it('does not claim it deleted the key from the keychain when it could not', async () => {
    const dir = join(config.dir, '..', 'keychain-gone');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    const url = `${server.url}/t0`;
    const account = { user_id: 'u1', project_id: 'p', machine_fingerprint: `fp_${'a'.repeat(32)}`, local_fingerprint: `fp_${'a'.repeat(32)}`, fingerprint_source: 'test', hostname: 'h', created_at: '2026-01-01T00:00:00Z', registered_at: '2026-01-01T00:00:00Z', api_key_ref: { store: 'keyring', service: 't0ken', account: `t0ken:${url}` } };
    const mnemom = { saved_at: '2026-01-01T00:00:00Z', api_key_ref: { store: 'keyring', service: 't0ken', account: `mnemom:${server.url}/mn` } };
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ version: 2, t0ken: { [url]: account }, mnemom: { [`${server.url}/mn`]: mnemom } }), { mode: 0o600 });
    // auto, and no D-Bus session (runCli removes it): the keychain cannot be asked.
    const env = { T0KEN_CONFIG_DIR: dir, T0KEN_CREDENTIAL_STORE: 'auto' };
    const logout = await t0ken(['logout', '--yes'], env);
    expect(logout.code, logout.stderr).toBe(0);
    expect(logout.stderr).toContain('could not be deleted');
    expect(logout.stdout).not.toContain('deleted its key from the keychain');
    expect(logout.stdout).toContain('left in the keychain');
    const agentLogout = await t0ken(['agent', 'logout'], { ...env, MNEMOM_API_KEY: undefined });
    expect(agentLogout.code, agentLogout.stderr).toBe(0);
    expect(agentLogout.stdout).not.toContain('deleted it from the keychain');
    expect(agentLogout.stdout).toContain('left in the keychain');
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))).toMatchObject({ t0ken: {}, mnemom: {} });
  });
});

describe('JSON nested deeper than anything t0ken needs (it overflowed the stack: exit 1)', () => {
  it.each([
    ['stats --json', ['stats', '--json']],
    ['agent list --json', ['agent', 'list', '--json']],
  ])('an answer of %s: a malformed answer (exit 5)', async (_label, args) => {
    const result = await t0ken(args, { T0KEN_API_KEY: 'omx_agent_BugHuntDeepKey01' });
    expect(result.code, result.stderr).toBe(5);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('nested');
  });

  it('a config.json holding it: exit 7 before register sends anything (no key issued and lost)', async () => {
    const dir = join(config.dir, '..', 'deep-config');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    const text = `{"version": 2, "t0ken": {}, "mnemom": {}, "extra": ${DEEP}}`;
    writeFileSync(join(dir, 'config.json'), text, { mode: 0o600 });
    const before = seen.length;
    const result = await t0ken(['register'], { T0KEN_CONFIG_DIR: dir, T0KEN_FINGERPRINT: `fp_${'c'.repeat(32)}` });
    expect(result.code, result.stderr).toBe(7);
    expect(result.stderr).toContain('nested');
    expect(seen.slice(before)).toEqual([]);
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe(text);
  });
});

describe('an answer larger than the 1 MiB limit', () => {
  it('is a malformed answer at once (exit 5, saying so), not retried until the time runs out', async () => {
    const before = seen.length;
    const result = await t0ken(['stats'], { T0KEN_API_KEY: 'omx_agent_BugHuntDeepKey01', T0KEN_API_URL: `${server.url}/big` });
    expect(result.code, result.stderr).toBe(5);
    expect(result.stderr).toContain('larger than 1 MiB');
    expect(seen.slice(before)).toEqual(['GET /big/agents/machine-stats']);
  });
});
