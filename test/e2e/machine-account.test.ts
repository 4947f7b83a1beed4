import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/server.js';
import { jsonError } from '../helpers/cli.js';
import { run } from '../helpers/run.js';
import { useConfigDir, useSandbox } from '../helpers/sandbox.js';

const sandbox = useSandbox();
const config = useConfigDir(); // a fresh one per test

const env = (extra: Record<string, string> = {}) => ({ T0KEN_CONFIG_DIR: config.dir, T0KEN_API_URL: sandbox.t0kenUrl, ...extra });
const t0ken = (args: string[], extra: Record<string, string> = {}, input?: string) => run(args, { env: env(extra), input });
const stored = () => JSON.parse(readFileSync(join(config.dir, 'config.json'), 'utf8'));
const storedAccount = () => stored().t0ken[sandbox.t0kenUrl];
const count = (suffix: string) => sandbox.requests.filter((r) => r.path.split('?')[0]!.endsWith(suffix)).length;
const FP = /^fp_[0-9a-f]{32}$/;

describe('fingerprint', () => {
  it('prints the fp_ value alone, the same on every run', async () => {
    const a = await t0ken(['fingerprint']);
    const b = await t0ken(['fingerprint']);
    expect(a.code).toBe(0);
    expect(a.stdout.trim()).toMatch(FP);
    expect(a.stdout.trim().split('\n')).toHaveLength(1);
    expect(b.stdout).toBe(a.stdout);
  });

  it('does not move when the hostname changes', async () => {
    const a = await t0ken(['fingerprint'], { HOSTNAME: 'alpha' });
    const b = await t0ken(['fingerprint'], { HOSTNAME: 'bravo-different-host' });
    expect(b.stdout).toBe(a.stdout);
  });

  it('--json gives fingerprint and source; --explain names the source', async () => {
    const json = await t0ken(['fingerprint', '--json']);
    const doc = JSON.parse(json.stdout);
    expect(doc.fingerprint).toMatch(FP);
    expect(typeof doc.source).toBe('string');
    const explain = await t0ken(['fingerprint', '--explain']);
    expect(explain.code).toBe(0);
    expect(explain.stdout).toMatch(/source/);
    expect(explain.stdout).toContain(doc.fingerprint);
  });

  it('T0KEN_FINGERPRINT overrides it, and a malformed one exits 2', async () => {
    const value = `fp_${'ab'.repeat(16)}`;
    const ok = await t0ken(['fingerprint'], { T0KEN_FINGERPRINT: value });
    expect(ok.stdout.trim()).toBe(value);
    const bad = await t0ken(['fingerprint'], { T0KEN_FINGERPRINT: 'not-a-fingerprint' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/T0KEN_FINGERPRINT/);
  });
});

describe('register', () => {
  it('stores the account 0600 in a 0700 dir and shows only the masked key', async () => {
    const result = await t0ken(['register']);
    expect(result.code).toBe(0);
    const account = storedAccount();
    expect(account.api_key).toMatch(/^omx_agent_/);
    expect(account.machine_fingerprint).toMatch(/^fp_/);
    expect(account.local_fingerprint).toMatch(FP);
    expect(account.machine_fingerprint).not.toBe(account.local_fingerprint); // the sandbox renames, as the real service may
    expect(result.stdout).toContain(account.user_id);
    expect(result.stdout).toContain(`omx_agent_…${account.api_key.slice(-4)}`);
    expect(result.stdout + result.stderr).not.toContain(account.api_key);
    expect(statSync(join(config.dir, 'config.json')).mode & 0o777).toBe(0o600);
    expect(statSync(config.dir).mode & 0o777).toBe(0o700);
  });

  it('sends the derived fingerprint, the platform and the hostname', async () => {
    const before = sandbox.requests.length;
    await t0ken(['register', '--hostname', 'ci-runner-7']);
    const request = sandbox.requests.slice(before).find((r) => r.path.endsWith('/agents/auto-register'))!;
    const body = JSON.parse(request.body);
    expect(body.hostname).toBe('ci-runner-7');
    expect(['linux', 'macos', 'windows']).toContain(body.platform);
    expect(body.machine_fingerprint).toBe(storedAccount().local_fingerprint);
    expect(request.headers['user-agent']).toMatch(/^t0ken\/\S+ node\/\S+ \S+$/);
    expect(request.headers['idempotency-key']).toBeUndefined();
  });

  it('is a no-op the second time unless --force', async () => {
    await t0ken(['register']);
    const first = storedAccount();
    const before = count('/agents/auto-register');
    const again = await t0ken(['register', '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).already_registered).toBe(true);
    expect(count('/agents/auto-register')).toBe(before);
    const forced = await t0ken(['register', '--force', '--json']);
    expect(forced.code).toBe(0);
    expect(count('/agents/auto-register')).toBe(before + 1);
    expect(JSON.parse(forced.stdout).already_registered).toBe(false);
    expect(storedAccount().user_id).toBe(first.user_id); // the sandbox is idempotent per fingerprint
  });

  it('--json prints one document with a masked key; --show-key adds the full key', async () => {
    const masked = await t0ken(['register', '--json']);
    const doc = JSON.parse(masked.stdout);
    expect(doc.api_key).toBeUndefined();
    expect(doc.api_key_masked).toMatch(/^omx_agent_…/);
    const shown = await t0ken(['register', '--json', '--show-key']);
    expect(JSON.parse(shown.stdout).api_key).toBe(storedAccount().api_key);
  });

  it('stores nothing when the answer is malformed (exit 5)', async () => {
    sandbox.failNext(1, { status: 200, body: JSON.stringify({ success: true, data: { user_id: 'u', api_key: 42 } }) });
    const result = await t0ken(['register']);
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/^t0ken: /m);
    expect(() => statSync(join(config.dir, 'config.json'))).toThrow();
  });

  it('maps a 422 to exit 4 with the service message, and stores nothing', async () => {
    sandbox.failNext(1, { status: 422, body: JSON.stringify({ detail: [{ loc: ['body', 'platform'], msg: 'unsupported platform' }] }) });
    const result = await t0ken(['register', '--json']);
    expect(result.code).toBe(4);
    expect(result.stdout).toBe('');
    const error = jsonError(result.stderr);
    expect(error.status).toBe(422);
    expect(error.message).toContain('platform: unsupported platform');
    expect(() => statSync(join(config.dir, 'config.json'))).toThrow();
  });

  it('keeps accounts for two API URLs apart in one config dir', async () => {
    const otherUrl = `${sandbox.url}/staging/api/v1`;
    await t0ken(['register']);
    await t0ken(['register'], { T0KEN_API_URL: otherUrl });
    const data = stored();
    expect(Object.keys(data.t0ken).sort()).toEqual([sandbox.t0kenUrl, otherUrl].sort());
    const whoOther = await t0ken(['whoami', '--json'], { T0KEN_API_URL: `${otherUrl}/` });
    expect(JSON.parse(whoOther.stdout).api_url).toBe(otherUrl); // trailing slash normalised
  });
});

describe('whoami, token, logout', () => {
  it('whoami exits 3 with a register hint when nothing is stored', async () => {
    const result = await t0ken(['whoami']);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('t0ken register');
  });

  it('whoami shows the masked key, fingerprint match, claim state and config path', async () => {
    await t0ken(['register']);
    const human = await t0ken(['status']);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(join(config.dir, 'config.json'));
    expect(human.stdout).toContain('not claimed');
    expect(human.stdout).not.toContain(storedAccount().api_key);
    const doc = JSON.parse((await t0ken(['whoami', '--json'])).stdout);
    expect(doc.fingerprint_matches).toBe(true);
    expect(doc.claim.state).toBe('unclaimed');
    expect(doc.api_key_masked).toMatch(/…/);
  });

  it('whoami warns when this machine no longer matches the stored fingerprint', async () => {
    await t0ken(['register'], { T0KEN_FINGERPRINT: `fp_${'1'.repeat(32)}` });
    const result = await t0ken(['whoami', '--json'], { T0KEN_FINGERPRINT: `fp_${'2'.repeat(32)}` });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).fingerprint_matches).toBe(false);
    expect(result.stderr).toMatch(/run `t0ken register` to register this machine/); // register itself re-registers a changed fingerprint
    const register = await t0ken(['register', '--json'], { T0KEN_FINGERPRINT: `fp_${'2'.repeat(32)}` });
    expect(JSON.parse(register.stdout)).toMatchObject({ already_registered: false, local_fingerprint: `fp_${'2'.repeat(32)}` });
  });

  it('token prints the key alone; T0KEN_API_KEY wins; exit 3 when none', async () => {
    expect((await t0ken(['token'])).code).toBe(3);
    await t0ken(['register']);
    const plain = await t0ken(['token']);
    expect(plain.stdout).toBe(`${storedAccount().api_key}\n`);
    expect(JSON.parse((await t0ken(['token', '--json'])).stdout)).toEqual({ api_key: storedAccount().api_key });
    const fromEnv = await t0ken(['token'], { T0KEN_API_KEY: 'omx_agent_fromenvironment1234' });
    expect(fromEnv.stdout).toBe('omx_agent_fromenvironment1234\n');
  });

  it('logout needs --yes without a terminal, then forgets the account', async () => {
    await t0ken(['register']);
    const refused = await t0ken(['logout']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--yes');
    expect(storedAccount()).toBeDefined();
    const done = await t0ken(['logout', '--yes']);
    expect(done.code).toBe(0);
    expect(storedAccount()).toBeUndefined();
    expect((await t0ken(['whoami'])).code).toBe(3);
  });
});

describe('claim and verify', () => {
  it('claim exits 3 without an account and 2 without --email off a terminal', async () => {
    expect((await t0ken(['claim', '--email', 'a@example.com'])).code).toBe(3);
    await t0ken(['register']);
    const missing = await t0ken(['claim']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--email');
  });

  it('rejects a bad email before any request', async () => {
    await t0ken(['register']);
    const before = count('/agents/claim/init');
    const result = await t0ken(['claim', '--email', 'not-an-email']);
    expect(result.code).toBe(2);
    expect(count('/agents/claim/init')).toBe(before);
  });

  it('whoami with a pending claim whose expiry in the config is not a date (a hand edit) says so, not "expires in NaN min"', async () => {
    const own = { T0KEN_FINGERPRINT: `fp_${'e'.repeat(32)}` }; // a machine of its own in the shared sandbox
    expect((await t0ken(['register'], own)).code).toBe(0);
    expect((await t0ken(['claim', '--email', 'owner@example.com'], own)).code).toBe(0);
    const data = stored();
    data.t0ken[sandbox.t0kenUrl].pending_claim.expires_at = 'soon';
    writeFileSync(join(config.dir, 'config.json'), JSON.stringify(data), { mode: 0o600 });
    const whoami = await t0ken(['whoami'], own);
    expect(whoami.code, whoami.stderr).toBe(0);
    expect(whoami.stdout).not.toContain('NaN');
    expect(whoami.stdout).toContain('pending for owner@example.com (the code\'s expiry in the config, "soon", is not a date)');
  });

  it('verify with a stored code that is not 6 digits (a hand edit): exit 7 naming config.json, nothing sent; --code still works (it was exit 2, "pass --code", though none was passed)', async () => {
    const own = { T0KEN_FINGERPRINT: `fp_${'f'.repeat(32)}` };
    expect((await t0ken(['register'], own)).code).toBe(0);
    expect((await t0ken(['claim', '--email', 'owner@example.com'], own)).code).toBe(0);
    const data = stored();
    data.t0ken[sandbox.t0kenUrl].pending_claim.verification_code = 'abc';
    writeFileSync(join(config.dir, 'config.json'), JSON.stringify(data), { mode: 0o600 });
    const before = count('/agents/claim/verify');
    const verify = await t0ken(['verify'], own);
    expect(verify.code, verify.stderr).toBe(7);
    expect(verify.stderr).toMatch(/^t0ken: the claim stored in \S+config\.json holds a code that is not 6 digits, so it cannot be verified\nPass the code from the email with `t0ken verify --code 123456`, or start again with `t0ken claim --email owner@example\.com`\.\n$/);
    expect(count('/agents/claim/verify')).toBe(before);
    expect((await t0ken(['verify', '--code', '12345x'], own)).code).toBe(2); // a code the user passed is theirs to fix
  });

  it('prints the code and expiry, stores the pending claim, then verify completes it', async () => {
    await t0ken(['register']);
    const claim = await t0ken(['claim', '--email', 'owner@example.com']);
    expect(claim.code).toBe(0);
    const pending = storedAccount().pending_claim;
    expect(pending.email).toBe('owner@example.com');
    expect(pending.verification_code).toMatch(/^\d{6}$/);
    expect(claim.stdout).toContain(pending.verification_code);
    expect(claim.stdout).toMatch(/in \d+ min/);
    expect(claim.stderr).toContain('t0ken verify');

    const verify = await t0ken(['verify']);
    expect(verify.code).toBe(0);
    const account = storedAccount();
    expect(account.pending_claim).toBeUndefined();
    expect(account.claim.email).toBe('owner@example.com');
    expect(account.claim.merged_to_user_id).toBeTruthy();
    expect(verify.stdout).toContain(account.claim.merged_to_user_id);

    // After a completed claim, verify says so and succeeds, whatever code is given: nothing is sent.
    const again = await t0ken(['verify', '--code', '123456']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^Already claimed: linked to owner@example\.com/);
    const who = JSON.parse((await t0ken(['whoami', '--json'])).stdout);
    expect(who.claim.state).toBe('claimed');
  });

  it('claim --json prints {verification_code, expires_at, email}; a quick re-init gets 429 and says when', async () => {
    await t0ken(['register'], { T0KEN_FINGERPRINT: `fp_${'3'.repeat(32)}` });
    const claim = await t0ken(['claim', '--email', 'json@example.com', '--json']);
    const doc = JSON.parse(claim.stdout);
    expect(Object.keys(doc).sort()).toEqual(['email', 'expires_at', 'verification_code']);
    expect(doc.verification_code).toMatch(/^\d{6}$/);
    const again = await t0ken(['claim', '--email', 'json@example.com']);
    expect(again.code).toBe(5);
    expect(again.stderr).toMatch(/Try again after \d+ s/);
  });

  it('a wrong code exits 4 and keeps the pending claim; a malformed code exits 2', async () => {
    await t0ken(['register'], { T0KEN_FINGERPRINT: `fp_${'4'.repeat(32)}` });
    await t0ken(['claim', '--email', 'w@example.com']);
    const code = storedAccount().pending_claim.verification_code as string;
    const wrong = code === '000000' ? '111111' : '000000';
    const result = await t0ken(['verify', '--code', wrong]);
    expect(result.code).toBe(4);
    expect(storedAccount().pending_claim.verification_code).toBe(code);
    expect((await t0ken(['verify', '--code', '12ab56'])).code).toBe(2);
  });

  it('too many wrong codes (the service answers 410): the dead claim is dropped, so whoami no longer says to verify', async () => {
    await t0ken(['register'], { T0KEN_FINGERPRINT: `fp_${'6'.repeat(32)}` });
    await t0ken(['claim', '--email', 'lock@example.com']);
    const code = storedAccount().pending_claim.verification_code as string;
    const wrong = (n: number) => String((Number(code) + n) % 1_000_000).padStart(6, '0');
    const first = await t0ken(['verify', '--code', wrong(1)]);
    expect(first.code).toBe(4);
    expect(first.stderr).toMatch(/\b4 attempts left/);
    for (let n = 2; n <= 3; n++) expect((await t0ken(['verify', '--code', wrong(n)])).code).toBe(4);
    expect((await t0ken(['verify', '--code', wrong(4)])).stderr).toMatch(/\b1 attempt left/);
    expect((await t0ken(['verify', '--code', wrong(5)])).stderr).toMatch(/too many wrong codes/);
    expect(storedAccount().pending_claim).toBeUndefined();
    const who = JSON.parse((await t0ken(['whoami', '--json'])).stdout);
    expect(who.claim.state).toBe('unclaimed');
    const again = await t0ken(['verify']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('t0ken claim');
  });

  it('refuses an expired pending code without a network call', async () => {
    const short = await startSandbox({ codeTtlMs: 300 });
    try {
      const extra = { T0KEN_API_URL: short.t0kenUrl };
      await t0ken(['register'], extra);
      await t0ken(['claim', '--email', 'late@example.com'], extra);
      await new Promise((r) => setTimeout(r, 1_100)); // expiry is second-resolution in the answer
      const before = short.requests.length;
      const result = await t0ken(['verify'], extra);
      expect(result.code).toBe(4);
      expect(result.stderr).toMatch(/expired/);
      expect(result.stderr).toContain('t0ken claim');
      expect(short.requests.length).toBe(before);
    } finally {
      await short.close();
    }
  });
});

describe('stats', () => {
  it('prints a table with thousands separators, or the data object with --json', async () => {
    await t0ken(['register']);
    const json = await t0ken(['stats', '--json']);
    expect(json.code).toBe(0);
    const data = JSON.parse(json.stdout);
    expect(Object.keys(data)).toEqual(expect.arrayContaining(['total_memories', 'total_projects', 'api_calls_24h', 'storage_used', 'created_at']));
    const human = await t0ken(['stats']);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(new Intl.NumberFormat('en-US').format(data.total_memories));
    expect(human.stdout).toMatch(/memories/);
    const request = sandbox.requests.filter((r) => r.path.includes('/agents/machine-stats')).at(-1)!;
    expect(request.path).toContain(`machine_fingerprint=${storedAccount().machine_fingerprint}`);
    expect(request.headers['x-api-key']).toBe(storedAccount().api_key);
  });

  it('exits 3 when the service rejects the key (401)', async () => {
    await t0ken(['register']);
    const result = await t0ken(['stats'], { T0KEN_API_KEY: 'omx_agent_wrongwrongwrongwrong' });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('T0KEN_API_KEY');
  });

  it('exits 4 on a 404 and 5 on a 500 that does not recover', async () => {
    await t0ken(['register']);
    sandbox.failNext(1, { status: 404, body: JSON.stringify({ success: false, error: { code: 'not_found', message: 'unknown machine' } }) });
    const missing = await t0ken(['stats', '--json']);
    expect(missing.code).toBe(4);
    expect(jsonError(missing.stderr).code).toBe('not_found');
    sandbox.failNext(3, { status: 500, body: '<html><body>oops</body></html>' });
    const broken = await t0ken(['stats']);
    expect(broken.code).toBe(5);
    expect(broken.stderr).not.toMatch(/<html>/);
  });
});
