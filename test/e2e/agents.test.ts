import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonError } from '../helpers/cli.js';
import { useCli } from '../helpers/run.js';

const PROVIDER_KEY = 'sk-ant-PROVIDER-e2e-5up3r-s3cr3t-Zq9';
const MNEMOM_KEY = 'mnm_E2E_mnemom_key_Xy7Wv6Ut5Sr4';
const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

const cli = useCli({ env: () => ({ PROVIDER_KEY, MNEMOM_API_KEY: MNEMOM_KEY }) }); // a fresh config dir per test
const { sandbox, config, outputs } = cli;
let files: string;

beforeAll(() => {
  files = mkdtempSync(join(tmpdir(), 't0ken-cards-'));
});
afterAll(() => {
  rmSync(files, { recursive: true, force: true });
  // Whatever ran, neither secret was ever printed.
  for (const result of outputs) {
    expect(result.stdout + result.stderr).not.toContain(PROVIDER_KEY);
    expect(result.stdout + result.stderr).not.toContain(MNEMOM_KEY);
  }
});

const t0ken = (args: string[], extra: Record<string, string> = {}, input?: string) => cli.t0ken(args, { env: extra, input });
const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
const posts = () => sandbox.requests.filter((r) => r.method === 'POST' && /\/v1\/agents$/.test(r.path));

describe('hash-proof', () => {
  it('reads the key from stdin or an env var and matches SHA256(key|name)', async () => {
    const fromStdin = await t0ken(['hash-proof', '--name', 'my-agent', '--key-stdin'], {}, `  ${PROVIDER_KEY}  \n`);
    expect(fromStdin.code).toBe(0);
    expect(fromStdin.stdout).toBe(`${sha(`${PROVIDER_KEY}|my-agent`)}\n`);
    const fromEnv = await t0ken(['hash-proof', '--name', 'my-agent', '--key-env', 'PROVIDER_KEY']);
    expect(fromEnv.stdout).toBe(fromStdin.stdout);
    const unnamed = await t0ken(['hash-proof', '--key-env', 'PROVIDER_KEY']);
    expect(unnamed.stdout).toBe(`${sha(PROVIDER_KEY)}\n`);
  });

  it('--short prints the agent_hash; --json prints {hash_proof, agent_hash, name}', async () => {
    const digest = sha(`${PROVIDER_KEY}|bot-1`);
    expect((await t0ken(['hash-proof', '--name', 'bot-1', '--key-env', 'PROVIDER_KEY', '--short'])).stdout).toBe(`${digest.slice(0, 16)}\n`);
    const json = JSON.parse((await t0ken(['hash-proof', '--name', 'bot-1', '--key-env', 'PROVIDER_KEY', '--json'])).stdout);
    expect(json).toEqual({ hash_proof: digest, agent_hash: digest.slice(0, 16), name: 'bot-1' });
  });

  it('without a key source and a terminal exits 2 naming the flags; empty stdin and unset vars too', async () => {
    const none = await t0ken(['hash-proof', '--name', 'x1']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--key-stdin');
    expect(none.stderr).toContain('--key-env');
    expect((await t0ken(['hash-proof', '--key-stdin'], {}, '\n')).code).toBe(2);
    const unset = await t0ken(['hash-proof', '--key-env', 'NOT_SET_ANYWHERE']);
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain('NOT_SET_ANYWHERE');
  });

  it('checks the name before reading the key', async () => {
    const result = await t0ken(['hash-proof', '--name', 'bad_name!', '--key-env', 'NOT_SET_ANYWHERE']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/invalid agent name/);
  });
});

describe('agent create', () => {
  it('creates an agent (human) and sends name, proof and a UUIDv4 Idempotency-Key, never the key', async () => {
    const name = unique('human');
    const result = await t0ken(['agent', 'create', '--name', name, '--key-env', 'PROVIDER_KEY']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/id\s+mnm-[0-9a-f-]{36}/);
    expect(result.stdout).toContain(sha(`${PROVIDER_KEY}|${name}`).slice(0, 16));
    const request = posts().at(-1)!;
    expect(JSON.parse(request.body)).toEqual({ name, hash_proof: sha(`${PROVIDER_KEY}|${name}`) });
    expect(request.headers['idempotency-key']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(request.headers['x-mnemom-api-key']).toBe(MNEMOM_KEY);
    expect(request.body).not.toContain(PROVIDER_KEY);
  });

  it('--json prints the service answer; a second create exits 6 and names the agent', async () => {
    const name = unique('json');
    const first = await t0ken(['agent', 'create', '--name', name, '--key-stdin', '--json'], {}, PROVIDER_KEY);
    const created = JSON.parse(first.stdout);
    expect(Object.keys(created)).toEqual(expect.arrayContaining(['id', 'agent_hash', 'name', 'created_at', 'card_id', 'policy_created']));
    const again = await t0ken(['agent', 'create', '--name', name, '--key-stdin'], {}, PROVIDER_KEY);
    expect(again.code).toBe(6);
    expect(again.stderr).toContain(created.id);
    expect(again.stderr).toContain('--if-exists ok');
  });

  it('--if-exists ok exits 0 with the same id, run after run', async () => {
    const name = unique('ci');
    const args = ['agent', 'create', '--name', name, '--key-env', 'PROVIDER_KEY', '--if-exists', 'ok', '--json'];
    const first = await t0ken(args);
    const second = await t0ken(args);
    expect(first.code).toBe(0);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout).id).toBe(JSON.parse(first.stdout).id);
  });

  it('a retried create reuses its Idempotency-Key', async () => {
    sandbox.failNext(1, { status: 503, headers: { 'retry-after': '0' }, body: '{"error":"busy"}' });
    const before = posts().length;
    const result = await t0ken(['agent', 'create', '--name', unique('retry'), '--key-env', 'PROVIDER_KEY']);
    expect(result.code).toBe(0);
    const attempts = posts().slice(before);
    expect(attempts).toHaveLength(2);
    expect(attempts[1]!.headers['idempotency-key']).toBe(attempts[0]!.headers['idempotency-key']);
  });

  it('sends the card, and the policy with a deprecation warning', async () => {
    const card = join(files, 'card.json');
    const policy = join(files, 'policy.yaml');
    // Numbers as written: parsed and serialised again, the big one became 12345678901234567000 and 1.50 1.5
    writeFileSync(card, '\uFEFF{"principles": ["be honest"], "n": 12345678901234567890, "ratio": 1.50}\n');
    writeFileSync(policy, 'capabilities: []\n');
    const result = await t0ken(['agent', 'create', '--name', unique('card'), '--key-env', 'PROVIDER_KEY', '--card', card, '--policy', policy, '--json']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/deprecated/);
    const sent = posts().at(-1)!.body;
    expect(sent).toContain('"card_json":{"principles": ["be honest"], "n": 12345678901234567890, "ratio": 1.50}');
    const body = JSON.parse(sent);
    expect(body.card_json.principles).toEqual(['be honest']);
    expect(body.policy_yaml).toBe('capabilities: []\n');
    expect(JSON.parse(result.stdout).card_id).toMatch(/^card-/);
  });

  it('the largest card and policy t0ken accepts reach the sandbox (it refused bodies over 64 KiB: 413, exit 4)', async () => {
    const card = join(files, 'big-card.json');
    const policy = join(files, 'big-policy.yaml');
    // Just under the 128 KiB t0ken takes for each, with quotes and newlines that JSON escapes.
    writeFileSync(card, JSON.stringify({ principles: Array.from({ length: 2900 }, (_, i) => `be "honest" ${i}\n`) }));
    writeFileSync(policy, `${'rule: "x"\n'.repeat(12_000)}`);
    expect(statSync(card).size).toBeGreaterThan(64 * 1024);
    expect(statSync(card).size).toBeLessThanOrEqual(128 * 1024);
    expect(statSync(policy).size).toBeLessThanOrEqual(128 * 1024);
    const result = await t0ken(['agent', 'create', '--name', unique('big'), '--key-env', 'PROVIDER_KEY', '--card', card, '--policy', policy, '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).card_id).toMatch(/^card-/);
  });

  it('refuses bad card files with exit 2 and sends nothing', async () => {
    const invalid = join(files, 'invalid.json');
    const array = join(files, 'array.json');
    const big = join(files, 'big.json');
    writeFileSync(invalid, '{"a": 1,,}');
    writeFileSync(array, '[1, 2]');
    writeFileSync(big, `{"x": "${'a'.repeat(130 * 1024)}"}`);
    const before = posts().length;
    for (const [file, pattern] of [[invalid, /line 1, column 9/], [array, /JSON object/], [join(files, 'missing.json'), /missing\.json/], [big, /128 KiB/]] as const) {
      const result = await t0ken(['agent', 'create', '--name', 'cardtest', '--key-env', 'PROVIDER_KEY', '--card', file]);
      expect(result.code, file).toBe(2);
      expect(result.stderr).toMatch(pattern);
    }
    expect(posts().length).toBe(before);
  });

  it('a bad name exits 2 before any request', async () => {
    const before = sandbox.requests.length;
    const result = await t0ken(['agent', 'create', '--name', '-nope-', '--key-env', 'PROVIDER_KEY']);
    expect(result.code).toBe(2);
    expect(sandbox.requests.length).toBe(before);
  });

  it('exits 3 without any Mnemom credential, 2 for an MNEMOM_API_KEY without mnm_', async () => {
    const none = await t0ken(['agent', 'create', '--name', 'nocred', '--key-env', 'PROVIDER_KEY'], { MNEMOM_API_KEY: '' });
    expect(none.code).toBe(3);
    expect(none.stderr).toContain('agent login --with-token');
    const wrong = await t0ken(['agent', 'list'], { MNEMOM_API_KEY: 'sk-not-mnemom' });
    expect(wrong.code).toBe(2);
  });

  it('a Mnemom key longer than 512 characters is a usage error, in MNEMOM_API_KEY and at agent login (it was stored, then sent, and failed as a network error three times)', async () => {
    const long = `mnm_${'a'.repeat(509)}`;
    const before = sandbox.requests.length;
    const fromEnv = await t0ken(['agent', 'list'], { MNEMOM_API_KEY: long });
    expect(fromEnv.code, fromEnv.stderr).toBe(2);
    expect(fromEnv.stderr).toContain('16 to 508 letters');
    const login = await t0ken(['agent', 'login', '--with-token'], { MNEMOM_API_KEY: '' }, long);
    expect(login.code, login.stderr).toBe(2);
    expect(sandbox.requests.length).toBe(before);
    expect((await t0ken(['agent', 'list'], { MNEMOM_API_KEY: `mnm_${'a'.repeat(508)}` })).code).toBe(0);
  });

  it('MNEMOM_TOKEN is sent as a Bearer token and wins over the key', async () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJlMmUifQ.c2lnbmF0dXJl';
    const result = await t0ken(['agent', 'list', '--json', '--debug'], { MNEMOM_TOKEN: jwt });
    expect(result.code).toBe(0);
    const request = sandbox.requests.at(-1)!;
    expect(request.headers.authorization).toBe(`Bearer ${jwt}`);
    expect(request.headers['x-mnemom-api-key']).toBeUndefined();
    expect(result.stderr).not.toContain(jwt);
  });

  it.each([['a line break inside', 'eyJhbGciOiJIUzI1NiJ9\nX-Injected: 1'], ['a control character', 'eyJhbGci\u0001OiJ9'], ['a space', 'eyJ hbGci'], ['non-ASCII', 'eyJhbGciOiJ9é']])(
    'an MNEMOM_TOKEN with %s is a usage error before any request (it was a network error, retried three times)',
    async (_what, token) => {
      const before = sandbox.requests.length;
      const result = await t0ken(['agent', 'list'], { MNEMOM_TOKEN: token });
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(/^t0ken: MNEMOM_TOKEN is not a bearer token: [^\n]+\nSet it to the JWT [^\n]+\n$/);
      expect(sandbox.requests.length).toBe(before);
    },
  );

  it('an MNEMOM_TOKEN read from a file keeps working: its trailing newline is not part of it', async () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJlMmUifQ.bmV3bGluZQ';
    const result = await t0ken(['agent', 'list', '--json'], { MNEMOM_TOKEN: `${jwt}\r\n` });
    expect(result.code, result.stderr).toBe(0);
    expect(sandbox.requests.at(-1)!.headers.authorization).toBe(`Bearer ${jwt}`);
  });
});

describe('agent list', () => {
  it('prints a table or {agents: [...]}, only this credential\'s agents', async () => {
    const key = 'mnm_list_only_mine_0123456789';
    const name = unique('mine');
    await t0ken(['agent', 'create', '--name', name, '--key-env', 'PROVIDER_KEY'], { MNEMOM_API_KEY: key });
    const json = JSON.parse((await t0ken(['agent', 'list', '--json'], { MNEMOM_API_KEY: key })).stdout);
    expect(json.agents.map((a: { name: string }) => a.name)).toEqual([name]);
    const human = await t0ken(['agent', 'list'], { MNEMOM_API_KEY: key });
    expect(human.stdout).toMatch(/^ID\s+NAME\s+CREATED\s+LAST SEEN/);
    expect(human.stdout).toContain(name);
    const empty = await t0ken(['agent', 'list'], { MNEMOM_API_KEY: 'mnm_nobody_has_agents_here_000' });
    expect(empty.stdout).toContain('No agents yet');
  });
});

describe('agent login and logout', () => {
  it('stores the key from stdin (0600), uses it, and logout removes it', async () => {
    const login = await t0ken(['agent', 'login', '--with-token'], { MNEMOM_API_KEY: '' }, `${MNEMOM_KEY}\n`);
    expect(login.code).toBe(0);
    expect(login.stdout).toContain('mnm_…5Sr4'); // the known prefix only: the rest of the key is secret
    const file = join(config.dir, 'config.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8')).mnemom[sandbox.mnemomUrl].api_key).toBe(MNEMOM_KEY);
    expect((await t0ken(['agent', 'list'], { MNEMOM_API_KEY: '' })).code).toBe(0);
    const logout = await t0ken(['agent', 'logout'], { MNEMOM_API_KEY: '' });
    expect(logout.code).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8')).mnemom[sandbox.mnemomUrl]).toBeUndefined();
    expect((await t0ken(['agent', 'list'], { MNEMOM_API_KEY: '' })).code).toBe(3);
  });

  it('refuses a non-mnm_ key and a missing --with-token; warns when an env var is in charge', async () => {
    expect((await t0ken(['agent', 'login', '--with-token'], {}, 'sk-wrong-kind-of-key\n')).code).toBe(2);
    expect((await t0ken(['agent', 'login'], {}, `${MNEMOM_KEY}\n`)).code).toBe(2);
    const warned = await t0ken(['agent', 'login', '--with-token'], {}, `${MNEMOM_KEY}\n`);
    expect(warned.code).toBe(0);
    expect(warned.stderr).toContain('MNEMOM_API_KEY is set');
  });

  it('with --json errors go to stderr as one error object and stdout stays empty', async () => {
    const result = await t0ken(['agent', 'create', '--name', 'x', '--key-env', 'PROVIDER_KEY', '--json']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(jsonError(result.stderr).code).toBe('invalid_input');
  });
});
