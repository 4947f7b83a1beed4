import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/server.js';

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function start(options: SandboxOptions = {}): Promise<Sandbox> {
  sandbox = await startSandbox(options);
  return sandbox;
}

async function call(url: string, method: 'GET' | 'POST', body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

async function registered(s: Sandbox, fingerprint = 'fp_local_1') {
  const answer = await call(`${s.t0kenUrl}/agents/auto-register`, 'POST', { machine_fingerprint: fingerprint, platform: 'linux', hostname: 'h' });
  return answer.body.data as { api_key: string; machine_fingerprint: string; user_id: string };
}

describe('sandbox: t0ken machine accounts', () => {
  it('auto-register is idempotent per fingerprint and renames the machine', async () => {
    const s = await start();
    const first = await call(`${s.t0kenUrl}/agents/auto-register`, 'POST', { machine_fingerprint: 'fp_a', platform: 'linux', hostname: 'h' });
    const again = await call(`${s.t0kenUrl}/agents/auto-register`, 'POST', { machine_fingerprint: 'fp_a', platform: 'linux', hostname: 'h' });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.data).toEqual(first.body.data);
    expect(first.body.data.api_key).toMatch(/^omx_agent_[A-Za-z0-9]{32}$/);
    expect(first.body.data.machine_fingerprint).toMatch(/^fp_[0-9a-f]{32}$/);
    expect(first.body.data.machine_fingerprint).not.toBe('fp_a');
  });

  it('validates register input with 422 detail lists, and bad JSON with 400', async () => {
    const s = await start();
    const bad = await call(`${s.t0kenUrl}/agents/auto-register`, 'POST', { machine_fingerprint: 'fp_a', platform: 'beos' });
    expect(bad.status).toBe(422);
    expect(bad.body.detail[0].loc).toEqual(['body', 'platform']);
    expect((await call(`${s.t0kenUrl}/agents/auto-register`, 'POST', '{nope')).status).toBe(400);
    expect((await call(`${s.t0kenUrl}/agents/auto-register`, 'POST', 'x'.repeat(1024 * 1024 + 1))).status).toBe(413);
  });

  it('claim codes: 6 digits, 429 with Retry-After on a quick re-init, 409 on a second verify', async () => {
    const s = await start();
    const account = await registered(s);
    const auth = { 'x-api-key': account.api_key };
    const init = await call(`${s.t0kenUrl}/agents/claim/init`, 'POST', { machine_fingerprint: account.machine_fingerprint, email: 'a@b.co' }, auth);
    expect(init.body.data.verification_code).toMatch(/^\d{6}$/);
    const quick = await call(`${s.t0kenUrl}/agents/claim/init`, 'POST', { machine_fingerprint: account.machine_fingerprint, email: 'a@b.co' }, auth);
    expect(quick.status).toBe(429);
    expect(Number(quick.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const verify = { machine_fingerprint: account.machine_fingerprint, verification_code: init.body.data.verification_code };
    expect((await call(`${s.t0kenUrl}/agents/claim/verify`, 'POST', verify, auth)).status).toBe(200);
    const twice = await call(`${s.t0kenUrl}/agents/claim/verify`, 'POST', verify, auth);
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('already_claimed');
  });

  it('two machine accounts claimed with one email merge into the same person (a second SDK account registered with its own fingerprint)', async () => {
    const s = await start();
    const merged: string[] = [];
    for (const sent of ['fp_t0ken_side', '0123456789abcdef0123456789abcdef']) {
      const account = await registered(s, sent);
      const auth = { 'x-api-key': account.api_key };
      const init = await call(`${s.t0kenUrl}/agents/claim/init`, 'POST', { machine_fingerprint: account.machine_fingerprint, email: 'Pat@Example.com' }, auth);
      const verify = await call(`${s.t0kenUrl}/agents/claim/verify`, 'POST', { machine_fingerprint: account.machine_fingerprint, verification_code: init.body.data.verification_code }, auth);
      expect(verify.status).toBe(200);
      merged.push(verify.body.data.merged_to_user_id);
    }
    expect(merged[0]).toMatch(/^user_[0-9a-f]{12}$/);
    expect(merged[1]).toBe(merged[0]);
    const other = await registered(s, 'fp_someone_else');
    const init = await call(`${s.t0kenUrl}/agents/claim/init`, 'POST', { machine_fingerprint: other.machine_fingerprint, email: 'kim@example.com' }, { 'x-api-key': other.api_key });
    const verify = await call(`${s.t0kenUrl}/agents/claim/verify`, 'POST', { machine_fingerprint: other.machine_fingerprint, verification_code: init.body.data.verification_code }, { 'x-api-key': other.api_key });
    expect(verify.body.data.merged_to_user_id).not.toBe(merged[0]);
  });

  it('codes expire, and 5 wrong tries lock the claim until a new init', async () => {
    let now = Date.parse('2026-11-22T10:00:00Z');
    const s = await start({ now: () => now, codeTtlMs: 60_000 });
    const account = await registered(s);
    const auth = { 'x-api-key': account.api_key };
    const fp = account.machine_fingerprint;
    const init = await call(`${s.t0kenUrl}/agents/claim/init`, 'POST', { machine_fingerprint: fp, email: 'a@b.co' }, auth);
    const code = init.body.data.verification_code as string;
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 1; i <= 4; i++) expect((await call(`${s.t0kenUrl}/agents/claim/verify`, 'POST', { machine_fingerprint: fp, verification_code: wrong }, auth)).status).toBe(400);
    const locked = await call(`${s.t0kenUrl}/agents/claim/verify`, 'POST', { machine_fingerprint: fp, verification_code: wrong }, auth);
    expect(locked.status).toBe(410);
    expect(locked.body.error.code).toBe('claim_locked');
    expect((await call(`${s.t0kenUrl}/agents/claim/verify`, 'POST', { machine_fingerprint: fp, verification_code: code }, auth)).status).toBe(410);
    const again = await call(`${s.t0kenUrl}/agents/claim/init`, 'POST', { machine_fingerprint: fp, email: 'a@b.co' }, auth);
    expect(again.status).toBe(200);
    now += 61_000;
    const expired = await call(`${s.t0kenUrl}/agents/claim/verify`, 'POST', { machine_fingerprint: fp, verification_code: again.body.data.verification_code }, auth);
    expect(expired.status).toBe(410);
    expect(expired.body.error.code).toBe('code_expired');
  });

  it('machine-stats needs the right key (401), the right machine (403/404) and the query (422)', async () => {
    const s = await start();
    const a = await registered(s, 'fp_one');
    const b = await registered(s, 'fp_two');
    const url = (fp: string) => `${s.t0kenUrl}/agents/machine-stats?machine_fingerprint=${fp}`;
    expect((await call(url(a.machine_fingerprint), 'GET')).status).toBe(401);
    expect((await call(url(a.machine_fingerprint), 'GET', undefined, { 'x-api-key': 'omx_agent_wrong' })).status).toBe(401);
    expect((await call(url(b.machine_fingerprint), 'GET', undefined, { 'x-api-key': a.api_key })).status).toBe(403);
    expect((await call(url('fp_unknown'), 'GET', undefined, { 'x-api-key': a.api_key })).status).toBe(404);
    expect((await call(`${s.t0kenUrl}/agents/machine-stats`, 'GET', undefined, { 'x-api-key': a.api_key })).status).toBe(422);
    const ok = await call(url(a.machine_fingerprint), 'GET', undefined, { 'x-api-key': a.api_key });
    expect(Object.keys(ok.body.data).sort()).toEqual(['api_calls_24h', 'created_at', 'storage_used', 'total_memories', 'total_projects']);
  });

  it('routes on the path tail, so any prefix is an API of its own', async () => {
    const s = await start();
    const answer = await call(`${s.url}/tenant-7/api/v1/agents/auto-register`, 'POST', { machine_fingerprint: 'fp_t', platform: 'macos' });
    expect(answer.status).toBe(201);
    expect((await call(`${s.url}/nowhere`, 'GET')).status).toBe(404);
  });
});

describe('sandbox: Mnemom agents', () => {
  const key = { 'x-mnemom-api-key': 'mnm_sandbox_unit_0123456789' };
  const proof = 'a'.repeat(64);

  it('requires a credential, validates names and proofs, 409 on a known agent_hash', async () => {
    const s = await start();
    expect((await call(`${s.mnemomUrl}/agents`, 'GET')).status).toBe(401);
    expect((await call(`${s.mnemomUrl}/agents`, 'GET', undefined, { 'x-mnemom-api-key': 'mnm_short' })).status).toBe(401);
    expect((await call(`${s.mnemomUrl}/agents`, 'GET', undefined, { authorization: 'Bearer a.b.c' })).status).toBe(200);
    const badName = await call(`${s.mnemomUrl}/agents`, 'POST', { name: '-bad', hash_proof: proof }, key);
    expect(badName.status).toBe(422);
    expect(badName.body.error.code).toBe('validation_error');
    expect((await call(`${s.mnemomUrl}/agents`, 'POST', { name: 'ok-name', hash_proof: 'abc' }, key)).status).toBe(422);
    const created = await call(`${s.mnemomUrl}/agents`, 'POST', { name: 'ok-name', hash_proof: proof, card_json: {} }, key);
    expect(created.status).toBe(201);
    expect(created.body.id).toMatch(/^mnm-[0-9a-f-]{36}$/);
    expect(created.body.agent_hash).toBe(proof.slice(0, 16));
    expect(created.body.card_id).toMatch(/^card-/);
    expect((await call(`${s.mnemomUrl}/agents`, 'POST', { name: 'other', hash_proof: proof }, key)).status).toBe(409);
  });

  it('an agent id that is not valid percent-encoding is a 400 with a JSON error, not a 500', async () => {
    const s = await start();
    for (const [method, path] of [['GET', '/agents/%ff'], ['GET', '/agents/%'], ['POST', '/agents/%ff/rekey'], ['POST', '/agents/%E0%A4%A/claim']] as const) {
      const answer = await call(`${s.mnemomUrl}${path}`, method, method === 'POST' ? {} : undefined, key);
      expect(answer.status, path).toBe(400);
      expect(answer.body.error.code, path).toBe('invalid_agent_id');
    }
  });

  it('replays the first answer for a reused Idempotency-Key, and refuses it with another body', async () => {
    const s = await start();
    const headers = { ...key, 'idempotency-key': '7d4f6c1e-0d3b-4e5a-9f2b-1a2b3c4d5e6f' };
    const body = { name: 'idem', hash_proof: 'b'.repeat(64) };
    const first = await call(`${s.mnemomUrl}/agents`, 'POST', body, headers);
    const replay = await call(`${s.mnemomUrl}/agents`, 'POST', body, headers);
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
    expect((await call(`${s.mnemomUrl}/agents`, 'GET', undefined, key)).body.agents).toHaveLength(1);
    expect((await call(`${s.mnemomUrl}/agents`, 'POST', { ...body, name: 'idem-2' }, headers)).status).toBe(422);
  });

  it('lists only the agents of the caller', async () => {
    const s = await start();
    await call(`${s.mnemomUrl}/agents`, 'POST', { name: 'mine', hash_proof: 'c'.repeat(64) }, key);
    const other = await call(`${s.mnemomUrl}/agents`, 'GET', undefined, { 'x-mnemom-api-key': 'mnm_somebody_else_0123456789' });
    expect(other.body.agents).toEqual([]);
    const mine = await call(`${s.mnemomUrl}/agents`, 'GET', undefined, key);
    expect(mine.body.agents.map((a: { name: string }) => a.name)).toEqual(['mine']);
  });

  it('failNext answers raw faults, then normal service resumes', async () => {
    const s = await start();
    s.failNext(1, { status: 503, headers: { 'retry-after': '2' }, body: 'busy' });
    const res = await fetch(`${s.mnemomUrl}/agents`, { headers: key });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
    expect((await call(`${s.mnemomUrl}/agents`, 'GET', undefined, key)).status).toBe(200);
    expect(s.requests).toHaveLength(2);
  });
});
