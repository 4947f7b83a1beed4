import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/server.js';
import { jsonError } from '../helpers/cli.js';
import { useCli } from '../helpers/run.js';

// An agent's life after `agent create`: the gateway makes it on a first call, someone claims it, the
// provider key rotates and it is rekeyed; `agent show` looks at it on the way. Against the sandbox.

const PROVIDER_KEY = 'sk-ant-LIFECYCLE-old-k3y-Qw8';
const NEW_KEY = 'sk-ant-LIFECYCLE-new-k3y-Rt5';
const MNEMOM_KEY = 'mnm_lifecycle_e2e_key_0123456789';
const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

const cli = useCli({ env: () => ({ PROVIDER_KEY, NEW_KEY, MNEMOM_API_KEY: MNEMOM_KEY }) }); // a fresh config dir per test
const { sandbox, config, outputs } = cli;

afterAll(() => {
  for (const result of outputs) {
    for (const secret of [PROVIDER_KEY, NEW_KEY, MNEMOM_KEY]) expect(result.stdout + result.stderr).not.toContain(secret);
  }
});

const t0ken = (args: string[], extra: Record<string, string> = {}, input?: string) => cli.t0ken(args, { env: extra, input });
const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
const last = (pattern: RegExp) => sandbox.requests.filter((r) => pattern.test(r.path)).at(-1)!;

/** An agent as the gateway makes it on its first call with PROVIDER_KEY (and a name). */
function gatewayAgent(name: string, orgId?: string): string {
  const made = sandbox.gatewayAgent({ hash_proof: sha(`${PROVIDER_KEY}|${name}`), name, ...(orgId ? { org_id: orgId } : {}) });
  expect(made.status).toBe(201);
  return made.body.id as string;
}

describe('agent show', () => {
  it('by id and by name: a table, or the service answer with --json; the version header on each call', async () => {
    const name = unique('show');
    const created = JSON.parse((await t0ken(['agent', 'create', '--name', name, '--key-env', 'PROVIDER_KEY', '--json'])).stdout);
    const byId = await t0ken(['agent', 'show', created.id]);
    expect(byId.code, byId.stderr).toBe(0);
    expect(byId.stdout).toMatch(new RegExp(`^id\\s+${created.id}$`, 'm'));
    expect(byId.stdout).toMatch(new RegExp(`^name\\s+${name}$`, 'm'));
    expect(byId.stdout).toMatch(/^status\s+active$/m);
    const request = last(/\/agents\/mnm-/);
    expect(request.method).toBe('GET');
    expect(request.headers['x-mnemom-version']).toBe('2026-04-13');

    const before = sandbox.requests.length;
    const byName = await t0ken(['agent', 'show', name, '--json']);
    expect(byName.code).toBe(0);
    const json = JSON.parse(byName.stdout);
    expect(json).toMatchObject({ id: created.id, name, agent_hash: created.agent_hash, status: 'active' });
    // The name went through the list, then the agent itself.
    expect(sandbox.requests.slice(before).map((r) => `${r.method} ${r.path.replace(/^.*\/v1/, '')}`)).toEqual(['GET /agents', `GET /agents/${created.id}`]);
  });

  it('an unknown id exits 4 with the request id; an unknown name exits 4; neither an id nor a name exits 2', async () => {
    const missing = await t0ken(['agent', 'show', 'smolt-00000000']);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/^t0ken: .*\(request id: req_[0-9a-f]{24}\)$/m);
    const json = await t0ken(['agent', 'show', 'smolt-00000000', '--json']);
    expect(json.code).toBe(4);
    expect(json.stdout).toBe('');
    expect(jsonError(json.stderr)).toMatchObject({ status: 404, request_id: expect.stringMatching(/^req_/) });
    const noName = await t0ken(['agent', 'show', unique('nobody'), '--json']);
    expect(noName.code).toBe(4);
    expect(jsonError(noName.stderr).code).toBe('not_found');
    const before = sandbox.requests.length;
    expect((await t0ken(['agent', 'show', 'not a name!'])).code).toBe(2);
    expect(sandbox.requests.length).toBe(before);
  });
});

describe('agent claim', () => {
  it('claims a gateway agent with the proof of key and name, exactly as hash-proof computes it', async () => {
    const name = unique('gw');
    const id = gatewayAgent(name);
    const proof = (await t0ken(['hash-proof', '--name', name, '--key-env', 'PROVIDER_KEY'])).stdout.trim();
    const claimed = await t0ken(['agent', 'claim', id, '--name', name, '--key-stdin', '--json'], {}, `${PROVIDER_KEY}\n`);
    expect(claimed.code, claimed.stderr).toBe(0);
    expect(JSON.parse(claimed.stdout)).toMatchObject({ id, name, status: 'active' });
    const request = last(/\/claim$/);
    expect(JSON.parse(request.body)).toEqual({ hash_proof: proof });
    expect(request.headers['x-mnemom-version']).toBe('2026-04-13');
    expect(request.headers['idempotency-key']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // Now it is ours: listed, and shown as claimed.
    const shown = await t0ken(['agent', 'show', name]);
    expect(shown.stdout).toMatch(/^claimed\s+\d{4}-/m);
    // Claiming it again is a conflict: exit 6, with the request id.
    const again = await t0ken(['agent', 'claim', id, '--name', name, '--key-env', 'PROVIDER_KEY']);
    expect(again.code).toBe(6);
    expect(again.stderr).toMatch(/already claimed.*\(request id: req_/);
    const againJson = jsonError((await t0ken(['agent', 'claim', id, '--name', name, '--key-env', 'PROVIDER_KEY', '--json'])).stderr);
    expect(againJson).toMatchObject({ status: 409, request_id: expect.stringMatching(/^req_/) });
  });

  it('a 403 agent_org_not_member lists the claimable orgs and exits 3; --org with one of them succeeds', async () => {
    const name = unique('org');
    const id = gatewayAgent(name);
    const human = await t0ken(['agent', 'claim', id, '--name', name, '--key-env', 'PROVIDER_KEY', '--org', 'org-not-mine']);
    expect(human.code).toBe(3);
    expect(human.stderr).toMatch(/^t0ken: cannot claim .*org-not-mine.*not a member \(request id: req_/m);
    expect(human.stderr).toMatch(/--org org-[0-9a-f]{12}\s+Personal \(personal\)/);
    expect(human.stderr).toMatch(/--org org-sandbox-team\s+Sandbox Team/);
    const json = await t0ken(['agent', 'claim', id, '--name', name, '--key-env', 'PROVIDER_KEY', '--org', 'org-not-mine', '--json']);
    expect(json.code).toBe(3);
    expect(json.stdout).toBe('');
    const error = jsonError(json.stderr);
    expect(error).toMatchObject({ code: 'agent_org_not_member', status: 403, request_id: expect.stringMatching(/^req_/) });
    expect((error as Record<string, unknown>).claimable_orgs).toEqual([
      { org_id: expect.stringMatching(/^org-/), name: 'Personal', is_personal: true },
      { org_id: 'org-sandbox-team', name: 'Sandbox Team', is_personal: false },
    ]);
    const ok = await t0ken(['agent', 'claim', id, '--name', name, '--key-env', 'PROVIDER_KEY', '--org', 'org-sandbox-team', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).org_id).toBe('org-sandbox-team');
    expect(JSON.parse(last(/\/claim$/).body)).toEqual({ hash_proof: sha(`${PROVIDER_KEY}|${name}`), org_id: 'org-sandbox-team' });
  });

  it('the wrong key (or a missing --name) is refused with exit 3; bad ids and org ids exit 2 before any request', async () => {
    const name = unique('wrong');
    const id = gatewayAgent(name);
    const unnamed = await t0ken(['agent', 'claim', id, '--key-env', 'PROVIDER_KEY']);
    expect(unnamed.code).toBe(3);
    expect(unnamed.stderr).toMatch(/--name/);
    const before = sandbox.requests.length;
    expect((await t0ken(['agent', 'claim', 'agent-7', '--key-env', 'PROVIDER_KEY'])).code).toBe(2);
    expect((await t0ken(['agent', 'claim', id, '--key-env', 'PROVIDER_KEY', '--org', 'bad org'])).code).toBe(2);
    expect((await t0ken(['agent', 'claim', id, '--name', '-x-', '--key-env', 'PROVIDER_KEY'])).code).toBe(2);
    expect((await t0ken(['agent', 'claim', id])).code).toBe(2); // no key source off a terminal
    expect(sandbox.requests.length).toBe(before);
    const unknown = await t0ken(['agent', 'claim', 'smolt-0000abcd', '--key-env', 'PROVIDER_KEY', '--json']);
    expect(unknown.code).toBe(4);
  });
});

describe('agent rekey', () => {
  it('sends only new_key_hash, the new key\'s 16-hex agent hash; the agent then answers to the new key', async () => {
    const name = unique('rot');
    const created = JSON.parse((await t0ken(['agent', 'create', '--name', name, '--key-env', 'PROVIDER_KEY', '--json'])).stdout);
    const rekeyed = await t0ken(['agent', 'rekey', created.id, '--name', name, '--key-stdin', '--json'], {}, `${NEW_KEY}\n`);
    expect(rekeyed.code, rekeyed.stderr).toBe(0);
    expect(JSON.parse(rekeyed.stdout)).toMatchObject({ success: true, agent_id: created.id });
    const request = last(/\/rekey$/);
    expect(JSON.parse(request.body)).toEqual({ new_key_hash: sha(`${NEW_KEY}|${name}`).slice(0, 16) });
    expect(request.body).not.toContain(sha(`${NEW_KEY}|${name}`)); // never the full proof
    expect(request.headers['x-mnemom-version']).toBe('2026-04-13');
    const shown = JSON.parse((await t0ken(['agent', 'show', created.id, '--json'])).stdout);
    expect(shown.agent_hash).toBe(sha(`${NEW_KEY}|${name}`).slice(0, 16));
    // Human output names the new hash.
    const human = await t0ken(['agent', 'rekey', created.id, '--name', name, '--key-env', 'NEW_KEY']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(new RegExp(`^agent_hash\\s+${sha(`${NEW_KEY}|${name}`).slice(0, 16)}$`, 'm'));
  });

  it('a 409 names the conflicting agent (exit 6, error.conflict_agent_id)', async () => {
    const a = unique('a');
    const b = unique('b');
    const first = JSON.parse((await t0ken(['agent', 'create', '--name', a, '--key-env', 'PROVIDER_KEY', '--json'])).stdout);
    const second = JSON.parse((await t0ken(['agent', 'create', '--name', b, '--key-env', 'NEW_KEY', '--json'])).stdout);
    // Rekeying `first` to the key and name `second` already answers to.
    const human = await t0ken(['agent', 'rekey', first.id, '--name', b, '--key-env', 'NEW_KEY']);
    expect(human.code).toBe(6);
    expect(human.stderr).toContain(`another agent, ${second.id}, already has this key hash`);
    expect(human.stderr).toMatch(/\(request id: req_/);
    const json = await t0ken(['agent', 'rekey', first.id, '--name', b, '--key-env', 'NEW_KEY', '--json']);
    expect(json.code).toBe(6);
    expect(jsonError(json.stderr)).toMatchObject({ code: 'conflict', status: 409, conflict_agent_id: second.id, request_id: expect.stringMatching(/^req_/) });
  });

  it('an unclaimed agent is refused (3), an unknown one is 4, a bad id is 2', async () => {
    const id = gatewayAgent(unique('unclaimed'));
    expect((await t0ken(['agent', 'rekey', id, '--key-env', 'NEW_KEY'])).code).toBe(3);
    expect((await t0ken(['agent', 'rekey', 'smolt-0000abcd', '--key-env', 'NEW_KEY'])).code).toBe(4);
    expect((await t0ken(['agent', 'rekey', 'nope', '--key-env', 'NEW_KEY'])).code).toBe(2);
  });
});

describe('agent create and the API conventions', () => {
  it('--if-exists ok --json answers the same fields whether it created or found the agent, plus created', async () => {
    const name = unique('same');
    const args = ['agent', 'create', '--name', name, '--key-env', 'PROVIDER_KEY', '--if-exists', 'ok', '--json'];
    const made = JSON.parse((await t0ken(args)).stdout);
    const found = await t0ken(args);
    expect(found.code).toBe(0);
    const again = JSON.parse(found.stdout);
    expect(made.created).toBe(true);
    expect(again.created).toBe(false);
    expect(Object.keys(again).sort()).toEqual(Object.keys(made).sort());
    expect({ ...again, created: true }).toEqual(made);
    // The 409 named the agent (details.conflict_agent_id): it was fetched, not searched for in the list.
    const tail = sandbox.requests.slice(-2).map((r) => `${r.method} ${r.path.replace(/^.*\/v1/, '')}`);
    expect(tail).toEqual(['POST /agents', `GET /agents/${made.id}`]);
  });

  it('a 409 on create without --if-exists names the agent from conflict_agent_id, with no extra request', async () => {
    const name = unique('dup');
    const made = JSON.parse((await t0ken(['agent', 'create', '--name', name, '--key-env', 'PROVIDER_KEY', '--json'])).stdout);
    const before = sandbox.requests.length;
    const dup = await t0ken(['agent', 'create', '--name', name, '--key-env', 'PROVIDER_KEY', '--json']);
    expect(dup.code).toBe(6);
    expect(sandbox.requests.length - before).toBe(1);
    expect(jsonError(dup.stderr)).toMatchObject({ code: 'conflict', conflict_agent_id: made.id, request_id: expect.stringMatching(/^req_/) });
  });

  it('every Mnemom error shows the request id: 401, 429 and a 5xx through retries', async () => {
    const unauthorised = await t0ken(['agent', 'list'], { MNEMOM_API_KEY: '', MNEMOM_TOKEN: 'not-a-jwt' });
    expect(unauthorised.code).toBe(3);
    expect(unauthorised.stderr).toMatch(/\(request id: req_[0-9a-f]{24}\)/);
    sandbox.failNext(3, { status: 503, headers: { 'x-mnemom-request-id': 'req_fault\t503', 'retry-after': '0' }, body: '{"error":"down"}' });
    const down = await t0ken(['agent', 'list', '--json']);
    expect(down.code).toBe(5);
    // Server text is sanitised before it is shown: the tab is gone.
    expect(jsonError(down.stderr)).toMatchObject({ status: 503, request_id: 'req_fault 503' });
  });
});

describe('the sandbox rate limit', () => {
  it('answers 429 with Retry-After once a credential is over the limit', async () => {
    const limited = await startSandbox({ mnemomRateLimit: 2, mnemomRateWindowMs: 60_000 });
    try {
      const env = { MNEMOM_API_URL: limited.mnemomUrl, MNEMOM_API_KEY: 'mnm_rate_limit_key_0123456789' };
      expect((await t0ken(['agent', 'list'], env)).code).toBe(0);
      expect((await t0ken(['agent', 'list'], env)).code).toBe(0);
      const refused = await t0ken(['agent', 'list', '--json'], env);
      expect(refused.code).toBe(5);
      expect(jsonError(refused.stderr)).toMatchObject({ status: 429, request_id: expect.stringMatching(/^req_/) });
      expect(limited.requests.at(-1)!.headers['x-mnemom-version']).toBe('2026-04-13');
    } finally {
      await limited.close();
    }
  });
});
