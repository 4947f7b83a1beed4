import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { jsonError } from '../helpers/cli.js';
import { sendJson, useHttpServer } from '../helpers/http-server.js';
import { run } from '../helpers/run.js';
import { useConfigDir } from '../helpers/sandbox.js';

// An independent fake of the Mnemom API: a few lines of node:http that share nothing with the
// sandbox. It records every request (method, path, headers, body) and answers from a script, so
// these tests prove what goes on the wire and how each answer is shown, whatever the sandbox does.

interface Seen {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}
interface Scripted {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const PROVIDER_KEY = 'sk-ant-FAKE-provider-k3y-Lm4';
const NEW_KEY = 'sk-ant-FAKE-rotated-k3y-Np5';
const MNEMOM_KEY = 'mnm_fake_server_key_0123456789';
const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const GW_ID = 'smolt-0a1b2c3d';
const OTHER_ID = 'mnm-11111111-2222-4333-8444-555555555555';

let seen: Seen[] = [];
let script: Array<(request: Seen) => Scripted> = [];
const config = useConfigDir('shared', 't0ken-fake-');

const server = useHttpServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const request: Seen = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
    seen.push(request);
    const next = script.shift();
    const answer = next ? next(request) : { status: 500, body: { error: 'nothing scripted' } };
    sendJson(res, answer.status, JSON.stringify(answer.body), answer.headers);
  });
});
beforeEach(() => {
  seen = [];
  script = [];
});

const t0ken = (args: string[], input?: string) =>
  run(args, { env: { T0KEN_CONFIG_DIR: config.dir, MNEMOM_API_URL: `${server.url}/v1`, MNEMOM_API_KEY: MNEMOM_KEY, PROVIDER_KEY, NEW_KEY }, input });
const answer = (status: number, body: unknown, headers?: Record<string, string>) => () => ({ status, body, headers });

describe('what t0ken sends to Mnemom (recorded by an independent fake)', () => {
  it('every request of every agent command carries X-Mnemom-Version: 2026-04-13 and the credential', async () => {
    const agent = { id: GW_ID, agent_hash: 'abcdefabcdefabcd', name: 'fleet-1', created_at: '2026-04-13T10:00:00Z' };
    script = [
      answer(200, { agents: [agent] }), // agent list
      answer(200, { agents: [agent] }), // agent show fleet-1: the list…
      answer(200, agent), // …then the agent
      answer(200, { id: GW_ID, claimed_at: '2026-04-13T10:01:00Z' }), // agent claim
      answer(200, { success: true, agent_id: GW_ID, rekeyed_at: '2026-04-13T10:02:00Z' }), // agent rekey
      answer(201, { ...agent, id: OTHER_ID, card_id: null, policy_created: false }), // agent create
    ];
    expect((await t0ken(['agent', 'list'])).code).toBe(0);
    expect((await t0ken(['agent', 'show', 'fleet-1'])).code).toBe(0);
    expect((await t0ken(['agent', 'claim', GW_ID, '--name', 'fleet-1', '--key-env', 'PROVIDER_KEY'])).code).toBe(0);
    expect((await t0ken(['agent', 'rekey', GW_ID, '--name', 'fleet-1', '--key-env', 'NEW_KEY'])).code).toBe(0);
    expect((await t0ken(['agent', 'create', '--name', 'fleet-2', '--key-env', 'PROVIDER_KEY'])).code).toBe(0);
    expect(seen.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /v1/agents',
      'GET /v1/agents',
      `GET /v1/agents/${GW_ID}`,
      `POST /v1/agents/${GW_ID}/claim`,
      `POST /v1/agents/${GW_ID}/rekey`,
      'POST /v1/agents',
    ]);
    for (const request of seen) {
      expect(request.headers['x-mnemom-version'], request.path).toBe('2026-04-13');
      expect(request.headers['x-mnemom-api-key'], request.path).toBe(MNEMOM_KEY);
      // Only mutations carry an Idempotency-Key.
      if (request.method === 'GET') expect(request.headers['idempotency-key']).toBeUndefined();
      else expect(request.headers['idempotency-key']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(request.body).not.toContain(PROVIDER_KEY);
      expect(request.body).not.toContain(NEW_KEY);
    }
  });

  it('claim sends {hash_proof[, org_id]}: the proof of key and name, exactly as hash-proof prints it', async () => {
    script = [answer(200, { id: GW_ID }), answer(200, { id: GW_ID })];
    const proof = (await t0ken(['hash-proof', '--name', 'fleet-1', '--key-env', 'PROVIDER_KEY'])).stdout.trim();
    await t0ken(['agent', 'claim', GW_ID, '--name', 'fleet-1', '--key-stdin'], `${PROVIDER_KEY}\n`);
    await t0ken(['agent', 'claim', GW_ID, '--key-env', 'PROVIDER_KEY', '--org', 'org-42']);
    expect(JSON.parse(seen[0]!.body)).toEqual({ hash_proof: proof });
    expect(proof).toBe(sha(`${PROVIDER_KEY}|fleet-1`));
    expect(JSON.parse(seen[1]!.body)).toEqual({ hash_proof: sha(PROVIDER_KEY), org_id: 'org-42' });
  });

  it('rekey sends only new_key_hash: the 16-hex agent hash of the NEW key and the name (--name, else the agent\'s own)', async () => {
    const rekeyed = answer(200, { success: true, agent_id: GW_ID, rekeyed_at: '2026-04-13T10:02:00Z' });
    const agent = (name?: string) => answer(200, { id: GW_ID, agent_hash: '0123456789abcdef', ...(name ? { name } : {}), created_at: '2026-04-13T10:00:00Z' });
    script = [rekeyed, agent('fleet-1'), rekeyed, agent(), rekeyed, agent('Fleet_One (legacy)'), rekeyed];
    expect((await t0ken(['agent', 'rekey', GW_ID, '--name', 'fleet-1', '--key-env', 'NEW_KEY'])).code).toBe(0);
    const named = await t0ken(['agent', 'rekey', GW_ID, '--key-stdin', '--json'], `${NEW_KEY}\n`); // a named agent: its name goes into the hash
    expect(named.code, named.stderr).toBe(0);
    expect(named.stderr).toContain('"Using the agent\'s name, fleet-1, in its new hash (pass --name to choose)."');
    const unnamed = await t0ken(['agent', 'rekey', GW_ID, '--key-env', 'NEW_KEY']); // an unnamed one: the key alone, said so
    expect(unnamed.code).toBe(0);
    expect(unnamed.stderr).toContain('The agent has no name: its new hash is of the key alone');
    expect(seen.slice(0, 5).map((s) => `${s.method} ${s.path}`)).toEqual([`POST /v1/agents/${GW_ID}/rekey`, `GET /v1/agents/${GW_ID}`, `POST /v1/agents/${GW_ID}/rekey`, `GET /v1/agents/${GW_ID}`, `POST /v1/agents/${GW_ID}/rekey`]);
    expect(seen[0]!.body).toBe(JSON.stringify({ new_key_hash: sha(`${NEW_KEY}|fleet-1`).slice(0, 16) }));
    expect(seen[2]!.body).toBe(JSON.stringify({ new_key_hash: sha(`${NEW_KEY}|fleet-1`).slice(0, 16) }));
    expect(seen[4]!.body).toBe(JSON.stringify({ new_key_hash: sha(NEW_KEY).slice(0, 16) }));
    // A name t0ken would not give an agent (made elsewhere) is still the one the gateway hashes
    expect((await t0ken(['agent', 'rekey', GW_ID, '--key-env', 'NEW_KEY'])).code).toBe(0);
    expect(seen[6]!.body).toBe(JSON.stringify({ new_key_hash: sha(`${NEW_KEY}|Fleet_One (legacy)`).slice(0, 16) }));
    expect(seen[0]!.body).not.toContain(sha(`${NEW_KEY}|fleet-1`)); // never the whole proof
  });
});

describe('how Mnemom answers are shown (scripted by the fake)', () => {
  it('an error shows the X-Mnemom-Request-Id: a human line and error.request_id', async () => {
    script = [answer(404, { error: { code: 'agent_not_found', message: 'no such agent' } }, { 'x-mnemom-request-id': 'req_fake_404_abc' })];
    const human = await t0ken(['agent', 'show', GW_ID]);
    expect(human.code).toBe(4);
    expect(human.stderr).toMatch(/^t0ken: .*no such agent.*request id: req_fake_404_abc/m);
    script = [answer(422, { detail: [{ loc: ['body', 'new_key_hash'], msg: 'bad' }] }, { 'x-mnemom-request-id': 'req_fake_422' })];
    const json = await t0ken(['agent', 'rekey', GW_ID, '--name', 'fleet-1', '--key-env', 'NEW_KEY', '--json']);
    expect(json.code).toBe(4);
    expect(json.stdout).toBe('');
    expect(jsonError(json.stderr)).toMatchObject({ status: 422, request_id: 'req_fake_422' });
  });

  it('a 403 agent_org_not_member shows details.claimable_orgs and exits 3', async () => {
    const orgs = [{ org_id: 'org-personal-9', name: 'Personal', is_personal: true }, { org_id: 'org-acme', name: 'Acme \u001b[2JInc', is_personal: false }];
    const refusal = answer(403, { error: { code: 'agent_org_not_member', message: 'not a member', details: { claimable_orgs: orgs } } }, { 'x-mnemom-request-id': 'req_fake_403' });
    script = [refusal, refusal];
    const human = await t0ken(['agent', 'claim', GW_ID, '--key-env', 'PROVIDER_KEY', '--org', 'org-other']);
    expect(human.code).toBe(3);
    expect(human.stderr).toContain('request id: req_fake_403');
    expect(human.stderr).toMatch(/--org org-personal-9\s+Personal \(personal\)/);
    expect(human.stderr).toMatch(/--org org-acme\s+Acme .*Inc/);
    expect(human.stderr).not.toContain('\u001b'); // server text is sanitised before the terminal
    const json = await t0ken(['agent', 'claim', GW_ID, '--key-env', 'PROVIDER_KEY', '--json']);
    expect(json.code).toBe(3);
    const error = jsonError(json.stderr) as Record<string, unknown>;
    expect(error).toMatchObject({ code: 'agent_org_not_member', status: 403, request_id: 'req_fake_403' });
    expect(error.claimable_orgs).toEqual(orgs);
  });

  it('a 409 on claim exits 6; a 409 on rekey names the conflicting agent', async () => {
    script = [
      answer(409, { error: { code: 'already_claimed', message: 'already claimed' } }, { 'x-mnemom-request-id': 'req_c1' }),
      answer(409, { error: { code: 'conflict', message: 'hash in use', details: { conflict_agent_id: OTHER_ID } } }, { 'x-mnemom-request-id': 'req_c2' }),
    ];
    const claim = await t0ken(['agent', 'claim', GW_ID, '--key-env', 'PROVIDER_KEY']);
    expect(claim.code).toBe(6);
    expect(claim.stderr).toContain('req_c1');
    const rekey = await t0ken(['agent', 'rekey', GW_ID, '--name', 'fleet-1', '--key-env', 'NEW_KEY', '--json']);
    expect(rekey.code).toBe(6);
    expect(jsonError(rekey.stderr)).toMatchObject({ conflict_agent_id: OTHER_ID, request_id: 'req_c2', status: 409 });
  });

  it('a 409 on create uses a top-level conflict_agent_id to fetch the agent; --if-exists ok answers the same fields plus created', async () => {
    const existing = { id: OTHER_ID, agent_hash: sha(`${PROVIDER_KEY}|fleet-3`).slice(0, 16), name: 'fleet-3', created_at: '2026-04-13T09:00:00Z', user_id: 'u1' };
    script = [answer(409, { error: 'exists', conflict_agent_id: OTHER_ID }, { 'x-mnemom-request-id': 'req_dup' }), answer(200, existing)];
    const found = await t0ken(['agent', 'create', '--name', 'fleet-3', '--key-env', 'PROVIDER_KEY', '--if-exists', 'ok', '--json']);
    expect(found.code, found.stderr).toBe(0);
    expect(seen.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /v1/agents', `GET /v1/agents/${OTHER_ID}`]);
    expect(JSON.parse(found.stdout)).toEqual({ id: OTHER_ID, agent_hash: existing.agent_hash, name: 'fleet-3', created_at: existing.created_at, card_id: null, policy_created: false, created: false });

    seen = [];
    script = [answer(201, { id: OTHER_ID, agent_hash: existing.agent_hash, name: 'fleet-3', created_at: existing.created_at, card_id: 'card-1', policy_created: false })];
    const made = JSON.parse((await t0ken(['agent', 'create', '--name', 'fleet-3', '--key-env', 'PROVIDER_KEY', '--if-exists', 'ok', '--json'])).stdout);
    expect(Object.keys(made).sort()).toEqual(['agent_hash', 'card_id', 'created', 'created_at', 'id', 'name', 'policy_created']);
    expect(made.created).toBe(true);

    // Without --if-exists, the 409 names the agent from the body, with no second request.
    seen = [];
    script = [answer(409, { error: { code: 'conflict', message: 'exists', details: { conflict_agent_id: OTHER_ID } } }, { 'x-mnemom-request-id': 'req_dup2' })];
    const refused = await t0ken(['agent', 'create', '--name', 'fleet-3', '--key-env', 'PROVIDER_KEY']);
    expect(refused.code).toBe(6);
    expect(refused.stderr).toContain(OTHER_ID);
    expect(refused.stderr).toContain('request id: req_dup2');
    expect(seen).toHaveLength(1);
  });
});
