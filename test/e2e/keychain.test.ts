import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, jsonError, runCli } from '../helpers/cli.js';
import { keyringProbe, startHungSecretService, startKeyring, type TestKeyring } from '../helpers/keyring.js';
import { requirePart } from '../helpers/real-part.js';
import { useConfigDir, useSandbox } from '../helpers/sandbox.js';

// Secrets in a real Secret Service (gnome-keyring on a private D-Bus), and the fallback without one.

const sandbox = useSandbox();
const config = useConfigDir('each', 't0ken-keychain-');

const stored = () => JSON.parse(readFileSync(join(config.dir, 'config.json'), 'utf8'));
const configText = () => readFileSync(join(config.dir, 'config.json'), 'utf8');
const MNEMOM_KEY = 'mnm_keychain_test_0123456789abcdef';

describe('without a D-Bus session', () => {
  const noBus = mkdtempSync(join(tmpdir(), 't0ken-nobus-'));
  afterAll(() => rmSync(noBus, { recursive: true, force: true }));
  // No DBUS_SESSION_BUS_ADDRESS (the runner drops it) and an XDG_RUNTIME_DIR with no bus in it.
  const env = (mode: string) => ({ T0KEN_CONFIG_DIR: config.dir, T0KEN_API_URL: sandbox.t0kenUrl, T0KEN_CREDENTIAL_STORE: mode, XDG_RUNTIME_DIR: noBus });

  it('auto falls back to the file, saying so in one line on stderr, and the key works', async () => {
    const result = await runCli(['register'], { env: env('auto') });
    expect(result.code, result.stderr).toBe(0);
    const notices = result.stderr.split('\n').filter((l) => /not the keychain/.test(l));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/no D-Bus session/);
    expect(notices[0]).toContain('config.json (mode 600)');
    const account = stored().t0ken[sandbox.t0kenUrl];
    expect(account.api_key).toMatch(/^omx_/);
    expect(account.api_key_ref).toBeUndefined();
    expect(result.stderr).not.toContain(account.api_key);
    const token = await runCli(['token'], { env: env('auto') });
    expect(token.stdout).toBe(`${account.api_key}\n`);
    const status = JSON.parse((await runCli(['credentials', 'status', '--json'], { env: env('auto') })).stdout);
    expect(status.secrets).toEqual([expect.objectContaining({ kind: 't0ken', storage: 'file', state: 'ok' })]);
    expect(status.keychain).toEqual({ available: false, reason: expect.stringMatching(/no D-Bus session/) });
    expect(status.new_secrets_go_to).toBe('file');
  });

  it('keyring refuses: exit 7 keychain_unavailable, nothing stored, no key issued to the file', async () => {
    const result = await runCli(['agent', 'login', '--with-token', '--json'], { env: env('keyring'), input: MNEMOM_KEY });
    expect(result.code).toBe(7);
    expect(jsonError(result.stderr).code).toBe('keychain_unavailable');
    expect(result.stderr).not.toContain(MNEMOM_KEY);
    const status = JSON.parse((await runCli(['credentials', '--json'], { env: env('file') })).stdout);
    expect(status.secrets).toEqual([]);
  });

  it('a bad T0KEN_CREDENTIAL_STORE is a usage error (exit 2)', async () => {
    const result = await runCli(['agent', 'login', '--with-token'], { env: env('keychain'), input: MNEMOM_KEY });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/T0KEN_CREDENTIAL_STORE must be auto, keyring or file/);
  });
});

const haveKeyring = requirePart('gnome-keyring over D-Bus', keyringProbe);

/** t0ken against the sandbox and this file's config dir, with the given keyring's D-Bus and T0KEN_CREDENTIAL_STORE=auto. */
function keyringCli(keyring: () => TestKeyring) {
  const env = (extra: Record<string, string> = {}) => ({ ...keyring().env, T0KEN_CONFIG_DIR: config.dir, T0KEN_API_URL: sandbox.t0kenUrl, T0KEN_CREDENTIAL_STORE: 'auto', ...extra });
  const t0ken = (args: string[], extra: Record<string, string> = {}, input?: string) => runCli(args, { env: env(extra), input });
  return { env, t0ken };
}

describe.runIf(haveKeyring)('with a real Secret Service (gnome-keyring)', () => {
  let keyring: TestKeyring;
  beforeAll(async () => {
    keyring = await startKeyring();
  });
  afterAll(() => keyring?.stop());

  const { env, t0ken } = keyringCli(() => keyring);
  const account = () => `t0ken:${sandbox.t0kenUrl}`;

  it('register → token → whoami → migrate to file and back → logout, the key never in config.json while in the keychain', async () => {
    const register = await t0ken(['register', '--json']);
    expect(register.code, register.stderr).toBe(0);
    expect(register.stderr).not.toMatch(/not the keychain/);
    expect(JSON.parse(register.stdout).storage).toBe('keyring');
    const record = stored().t0ken[sandbox.t0kenUrl];
    expect(record.api_key).toBeUndefined();
    expect(record.api_key_ref).toEqual({ store: 'keyring', service: 't0ken', account: account() });
    expect(record.user_id).toMatch(/./); // every non-secret field stays in the file
    const key = keyring.entry('get', account()) as string;
    expect(key).toMatch(/^omx_/);
    expect(configText()).not.toContain(key);

    const token = await t0ken(['token']);
    expect(token.stdout).toBe(`${key}\n`);
    const whoami = JSON.parse((await t0ken(['whoami', '--json'])).stdout);
    // whoami does not ask the keychain: the masked form is kept beside the reference.
    expect(whoami).toMatchObject({ storage: 'keyring', keychain_account: account(), api_key_masked: `omx_agent_…${key.slice(-4)}` });
    expect(JSON.parse((await t0ken(['register', '--json'])).stdout)).toMatchObject({ already_registered: true, storage: 'keyring' });
    expect(JSON.parse((await t0ken(['register', '--show-key', '--json'])).stdout).api_key).toBe(key);
    const human = await t0ken(['whoami']);
    expect(human.stdout).toMatch(/key stored in\s+the OS keychain/);
    expect(human.stdout).not.toContain(key);
    const stats = await t0ken(['stats', '--json', '--debug']);
    expect(stats.code, stats.stderr).toBe(0);
    expect(stats.stderr).toMatch(/x-api-key/i); // the trace is there, and the key read from the keychain is redacted in it
    expect(stats.stderr + stats.stdout).not.toContain(key);
    expect(stats.stderr).toContain(`keychain: read ${account()} → found`);

    const toFile = await t0ken(['credentials', 'migrate', '--to', 'file', '--json']);
    expect(toFile.code, toFile.stderr).toBe(0);
    expect(JSON.parse(toFile.stdout).moved).toEqual([{ kind: 't0ken', api_url: sandbox.t0kenUrl, from: 'keyring', to: 'file' }]);
    expect(stored().t0ken[sandbox.t0kenUrl].api_key).toBe(key);
    expect(keyring.entry('get', account())).toBeNull();
    expect(JSON.parse((await t0ken(['credentials', 'status', '--json'])).stdout).secrets[0]).toMatchObject({ storage: 'file', state: 'ok' });

    const again = await t0ken(['credentials', 'migrate', '--to', 'file']);
    expect(again.stdout).toMatch(/Nothing to move/);

    const toKeyring = await t0ken(['credentials', 'migrate', '--to', 'keyring', '--json']);
    expect(toKeyring.code, toKeyring.stderr).toBe(0);
    expect(keyring.entry('get', account())).toBe(key);
    expect(configText()).not.toContain(key);
    expect((await t0ken(['token'])).stdout).toBe(`${key}\n`);

    const logout = await t0ken(['logout', '--yes']);
    expect(logout.code, logout.stderr).toBe(0);
    expect(logout.stdout).toMatch(/deleted its key from the keychain/);
    expect(keyring.entry('get', account())).toBeNull();
    const twice = await t0ken(['logout', '--yes']);
    expect(twice.code).toBe(0);
    expect(twice.stdout).toMatch(/Nothing to forget/);
  }, 90_000); // a dozen runs, each with its keychain child process: 34 s with four test files at once on 2 cores

  it('exec with the key in the keychain leaves the program no child of t0ken\'s (the keychain helper, killed before execve, is reaped first)', async () => {
    expect((await t0ken(['register'])).code).toBe(0);
    const listChildren = `const fs = require('fs'); console.log(JSON.stringify(fs.readFileSync('/proc/self/task/' + process.pid + '/children', 'utf8')))`;
    const result = await t0ken(['exec', '--only', 't0ken', '--', process.execPath, '-e', listChildren]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('""\n');
    expect((await t0ken(['logout', '--yes'])).code).toBe(0);
  });

  it('agent login stores the Mnemom key in the keychain; agent logout deletes it, twice is fine', async () => {
    const mnemomUrl = sandbox.mnemomUrl;
    const login = await t0ken(['agent', 'login', '--with-token', '--json'], { MNEMOM_API_URL: mnemomUrl }, MNEMOM_KEY);
    expect(login.code, login.stderr).toBe(0);
    expect(JSON.parse(login.stdout).storage).toBe('keyring');
    expect(keyring.entry('get', `mnemom:${mnemomUrl}`)).toBe(MNEMOM_KEY);
    expect(configText()).not.toContain(MNEMOM_KEY);
    const list = await t0ken(['agent', 'list', '--json'], { MNEMOM_API_URL: mnemomUrl });
    expect(list.code, list.stderr).toBe(0);
    const logout = await t0ken(['agent', 'logout'], { MNEMOM_API_URL: mnemomUrl });
    expect(logout.code).toBe(0);
    expect(keyring.entry('get', `mnemom:${mnemomUrl}`)).toBeNull();
    const twice = await t0ken(['agent', 'logout'], { MNEMOM_API_URL: mnemomUrl });
    expect(twice.code).toBe(0);
    expect(twice.stdout).toMatch(/Nothing to forget/);
  });

  it('migrate stops at a secret it cannot move, keeps what moved, and never leaves a secret in neither place', async () => {
    const [a, b] = ['http://127.0.0.1:21001', 'http://127.0.0.1:21002'];
    for (const url of [a, b]) expect((await t0ken(['agent', 'login', '--with-token'], { MNEMOM_API_URL: url }, `${MNEMOM_KEY}${url.slice(-1)}`)).code).toBe(0);
    expect(keyring.entry('delete', `mnemom:${b}`)).toBe(true); // b's secret is gone from the keychain
    const result = await t0ken(['credentials', 'migrate', '--to', 'file', '--json']);
    expect(result.code).toBe(7);
    expect(jsonError(result.stderr).code).toBe('keychain_entry_missing');
    const mnemom = stored().mnemom;
    expect(mnemom[a]).toMatchObject({ api_key: `${MNEMOM_KEY}1` }); // moved: in the file, its old entry deleted
    expect(keyring.entry('get', `mnemom:${a}`)).toBeNull();
    expect(mnemom[b].api_key_ref).toEqual({ store: 'keyring', service: 't0ken', account: `mnemom:${b}` }); // untouched
    await t0ken(['agent', 'logout'], { MNEMOM_API_URL: a });
    await t0ken(['agent', 'logout'], { MNEMOM_API_URL: b });
  });

  it('migrate killed at random moments: every secret stays readable from where config.json says it is', async () => {
    expect((await t0ken(['register'], { T0KEN_CREDENTIAL_STORE: 'file' })).code).toBe(0);
    expect((await t0ken(['agent', 'login', '--with-token'], { MNEMOM_API_URL: sandbox.mnemomUrl, T0KEN_CREDENTIAL_STORE: 'file' }, MNEMOM_KEY)).code).toBe(0);
    const key = stored().t0ken[sandbox.t0kenUrl].api_key;
    const childEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env({ MNEMOM_API_URL: sandbox.mnemomUrl }) };
    let killed = 0;
    for (let round = 0; round < 8; round++) {
      const to = round % 2 === 0 ? 'keyring' : 'file';
      const child = spawn(process.execPath, [BIN, 'credentials', 'migrate', '--to', to], { env: childEnv, stdio: 'ignore' });
      const killAfter = 20 + ((round * 37) % 200); // spread over the command's life, the same on every run
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), killAfter);
        child.on('exit', (_code, signal) => (clearTimeout(timer), signal === 'SIGKILL' ? killed++ : undefined, resolve()));
      });
      const status = JSON.parse((await t0ken(['credentials', 'status', '--json'])).stdout);
      expect(status.secrets.map((x: { state: string }) => x.state), `round ${round} (--to ${to}, killed after ${killAfter} ms)`).toEqual(['ok', 'ok']);
    }
    console.log(`migrate: ${killed} of 8 rounds killed before they finished`);
    expect((await t0ken(['token'])).stdout).toBe(`${key}\n`);
    await t0ken(['logout', '--yes']);
    await t0ken(['agent', 'logout'], { MNEMOM_API_URL: sandbox.mnemomUrl });
  });

  it('parallel writers lose nothing: 6 logins at once, each key in the keychain and referenced', async () => {
    const urls = Array.from({ length: 6 }, (_, i) => `http://127.0.0.1:${20000 + i}`);
    const results = await Promise.all(urls.map((url, i) => t0ken(['agent', 'login', '--with-token'], { MNEMOM_API_URL: url }, `${MNEMOM_KEY}${i}`)));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const mnemom = stored().mnemom;
    expect(Object.keys(mnemom).sort()).toEqual([...urls].sort());
    urls.forEach((url) => expect(mnemom[url].api_key_ref.account).toBe(`mnemom:${url}`));
    expect(keyring.entries('get', urls.map((url) => `mnemom:${url}`))).toEqual(urls.map((_, i) => `${MNEMOM_KEY}${i}`));
    const logouts = await Promise.all(urls.map((url) => t0ken(['agent', 'logout'], { MNEMOM_API_URL: url })));
    for (const r of logouts) expect(r.code, r.stderr).toBe(0);
    expect(keyring.entries('get', urls.map((url) => `mnemom:${url}`))).toEqual(urls.map(() => null));
    expect(stored().mnemom).toEqual({});
  });

  it('an entry deleted behind t0ken\'s back: exit 7 keychain_entry_missing with the command that recovers, and that command does', async () => {
    expect((await t0ken(['register'])).code).toBe(0);
    const key = keyring.entry('get', account());
    expect(keyring.entry('delete', account())).toBe(true);
    const token = await t0ken(['token', '--json']);
    expect(token.code).toBe(7);
    expect(token.stdout).toBe('');
    const error = jsonError(token.stderr);
    expect(error.code).toBe('keychain_entry_missing');
    expect(error.hint).toMatch(/t0ken register --force/);
    expect((await t0ken(['stats'])).code).toBe(7);
    // Not "every stored secret is already in the OS keychain": this one is in it no more.
    const migrate = await t0ken(['credentials', 'migrate', '--to', 'keyring', '--json']);
    expect(migrate.code, migrate.stdout).toBe(7);
    expect(jsonError(migrate.stderr).code).toBe('keychain_entry_missing');
    const recover = await t0ken(['register', '--force']);
    expect(recover.code, recover.stderr).toBe(0);
    expect((await t0ken(['token'])).stdout).toBe(`${key}\n`);
    // Deleted behind its back again: logout says the key was gone already, not that it deleted it.
    expect(keyring.entry('delete', account())).toBe(true);
    const logout = await t0ken(['logout', '--yes']);
    expect(logout.code, logout.stderr).toBe(0);
    expect(logout.stdout).toContain('its key was no longer in the keychain (removed outside t0ken)');
    expect(logout.stdout).not.toContain('deleted its key');
  });
});

describe.runIf(haveKeyring)('with a locked keyring', () => {
  let keyring: TestKeyring;
  beforeAll(async () => {
    keyring = await startKeyring();
  });
  afterAll(() => keyring?.stop());
  const { env, t0ken } = keyringCli(() => keyring);

  it('reads say locked (exit 7 keychain_locked), not logged out; auto writes fall back with the reason; keyring writes refuse', async () => {
    expect((await t0ken(['register'])).code).toBe(0);
    keyring.lock();
    for (const args of [['token', '--json'], ['stats', '--json'], ['register', '--show-key', '--json']]) {
      const result = await t0ken(args);
      expect(result.code, `${args[0]}: ${result.stderr}`).toBe(7);
      const error = jsonError(result.stderr);
      expect(error.code).toBe('keychain_locked');
      expect(error.hint).toMatch(/still logged in/);
    }
    // Locked is not logged out: whoami and an idempotent register still show the account.
    const whoami = await t0ken(['whoami', '--json']);
    expect(whoami.code, whoami.stderr).toBe(0);
    expect(JSON.parse(whoami.stdout)).toMatchObject({ storage: 'keyring', user_id: expect.any(String) });
    expect((await t0ken(['register'])).code).toBe(0);
    const status = JSON.parse((await t0ken(['credentials', 'status', '--json'])).stdout);
    expect(status.secrets[0]).toMatchObject({ storage: 'keyring', state: 'keychain_locked' });

    const logout = await t0ken(['logout', '--yes', '--json']);
    expect(logout.code).toBe(7);
    expect(jsonError(logout.stderr).code).toBe('keychain_locked');
    expect(stored().t0ken[sandbox.t0kenUrl].api_key_ref).toBeDefined(); // nothing forgotten half-way

    const auto = await t0ken(['agent', 'login', '--with-token'], { MNEMOM_API_URL: sandbox.mnemomUrl }, MNEMOM_KEY);
    expect(auto.code, auto.stderr).toBe(0);
    expect(auto.stderr).toMatch(/not the keychain: the keyring is locked/);
    expect(stored().mnemom[sandbox.mnemomUrl].api_key).toBe(MNEMOM_KEY);

    // A new key for an account whose old copy is locked in the keychain: to the file, the old entry named.
    const force = await t0ken(['register', '--force']);
    expect(force.code, force.stderr).toBe(0);
    expect(force.stderr).toMatch(/could not be deleted: the keyring is locked/);
    expect(stored().t0ken[sandbox.t0kenUrl].api_key).toMatch(/^omx_/);

    const strict = await t0ken(['agent', 'login', '--with-token', '--json'], { MNEMOM_API_URL: 'http://127.0.0.1:1', T0KEN_CREDENTIAL_STORE: 'keyring' }, MNEMOM_KEY);
    expect(strict.code).toBe(7);
    expect(jsonError(strict.stderr).code).toBe('keychain_locked');

    const none = await t0ken(['agent', 'logout', '--json'], { MNEMOM_API_URL: 'http://127.0.0.1:1' });
    expect(none.code).toBe(0); // nothing stored there: nothing to forget, even locked

  });
});

describe.runIf(haveKeyring)('with a Secret Service that never answers', () => {
  let hung: Awaited<ReturnType<typeof startHungSecretService>>;
  beforeAll(async () => {
    hung = await startHungSecretService();
  });
  afterAll(() => hung?.stop());

  it('costs seconds, not a hang: keyring refuses before any key is issued, auto falls back naming the hung service', async () => {
    const env = (mode: string) => ({ ...hung.env, T0KEN_CONFIG_DIR: config.dir, T0KEN_API_URL: sandbox.t0kenUrl, T0KEN_CREDENTIAL_STORE: mode });
    const registers = () => sandbox.requests.filter((r) => r.path.endsWith('/agents/auto-register')).length;
    const before = registers();
    const strict = await runCli(['register', '--json'], { env: env('keyring'), timeoutMs: 40_000 });
    expect(strict.code, strict.stderr).toBe(7);
    expect(jsonError(strict.stderr).code).toBe('keychain_unavailable');
    expect(registers()).toBe(before); // refused before the service was asked for a key
    const auto = await runCli(['register'], { env: env('auto'), timeoutMs: 40_000 });
    expect(auto.code, auto.stderr).toBe(0);
    // The ping's 3 s count only time the machine could answer in, so a busy machine stretches them;
    // the 20 s call limit still bounds it (libdbus alone would have waited 25 s).
    expect(auto.stderr).toMatch(/not the keychain: the (Secret Service did not answer within 3 s|keychain did not answer a write within 20 s)/);
    expect(auto.ms).toBeLessThan(22_000);
    expect(stored().t0ken[sandbox.t0kenUrl].api_key).toMatch(/^omx_/);
  }, 90_000);
});
