import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonError, runCli } from '../helpers/cli.js';
import { ENDED_BY_THE_LIMIT_MS, keyringProbe, silentSecretServiceProbe, startKeyring, startSilentSecretService, type TestKeyring } from '../helpers/keyring.js';
import { commandProbe, requirePart } from '../helpers/real-part.js';
import { useSandbox } from '../helpers/sandbox.js';

// Every keychain call runs in one child process per command (killed at the 20 s limit, on a signal,
// or when t0ken exits), never in t0ken's own: the library blocks the thread that calls it
// (src/store/secrets/keychain.ts). Seen from outside: strace -f lists every program t0ken's process
// tree executes: t0ken's node, and one more for the keychain, however many calls the command makes.

const haveParts =
  requirePart('gnome-keyring over D-Bus', keyringProbe) &&
  requirePart('strace (apt-get install strace)', commandProbe('strace', ['-f', '-qq', '-e', 'trace=execve', '-o', '/dev/null', 'true'])) &&
  requirePart('a Secret Service stand-in (dbus-daemon + python3-dbus + python3-gi)', silentSecretServiceProbe);

const sandbox = useSandbox();
const work = mkdtempSync(join(tmpdir(), 't0ken-keychain-fast-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let runs = 0;
/** t0ken under strace: its result, and the programs its process tree executed (argv[0] of each). */
async function traced(args: string[], env: Record<string, string>, input?: string) {
  const log = join(work, `execve-${runs++}.log`);
  const result = await runCli(args, { env, input, wrap: ['strace', '-f', '-qq', '-e', 'trace=execve', '-o', log], timeoutMs: 45_000 });
  const programs = readFileSync(log, 'utf8').split('\n').filter((line) => /execve\(/.test(line) && / = 0$/.test(line)).map((line) => /execve\("([^"]+)"/.exec(line)![1]!);
  return { ...result, programs };
}

describe.runIf(haveParts).concurrent('which process runs the keychain library', () => {
  let keyring: TestKeyring;
  beforeAll(async () => {
    keyring = await startKeyring();
  });
  afterAll(() => keyring?.stop());

  it('a real keyring, unlocked or locked: register, token, agent login, migrate each start one keychain process', async () => {
    const config = join(work, 'config');
    const env = (store = 'keyring') => ({ ...keyring.env, T0KEN_CONFIG_DIR: config, T0KEN_API_URL: sandbox.t0kenUrl, MNEMOM_API_URL: sandbox.mnemomUrl, T0KEN_CREDENTIAL_STORE: store });
    const node = [process.execPath, process.execPath]; // t0ken, and its keychain process

    const register = await traced(['register'], env()); // probe, then a write
    expect(register.code, register.stderr).toBe(0);
    expect(register.programs).toEqual(node);
    const stored = JSON.parse(readFileSync(join(config, 'config.json'), 'utf8')).t0ken[sandbox.t0kenUrl];
    expect(stored.api_key_ref).toBeDefined();
    const key = keyring.entry('get', stored.api_key_ref.account) as string;
    expect(key).toMatch(/^omx_/);

    const token = await traced(['token'], env());
    expect(token.code, token.stderr).toBe(0);
    expect(token.stdout).toBe(`${key}\n`);
    expect(token.programs).toEqual(node);

    const login = await traced(['agent', 'login', '--with-token'], env(), 'mnm_fast_path_0123456789abcdef\n');
    expect(login.code, login.stderr).toBe(0);
    expect(login.programs).toEqual(node);

    const migrate = await traced(['credentials', 'migrate', '--to', 'file'], env('auto')); // reads and deletes
    expect(migrate.code, migrate.stderr).toBe(0);
    expect(migrate.programs).toEqual(node);
    expect(keyring.entry('get', stored.api_key_ref.account)).toBeNull();
    const back = await traced(['credentials', 'migrate', '--to', 'keyring'], env('auto'));
    expect(back.code, back.stderr).toBe(0);
    expect(back.programs).toEqual(node);

    // Locked: the read may show an unlock prompt (here dismissed at once, as gnome-keyring does
    // without a prompter).
    keyring.lock();
    const locked = await traced(['token', '--json'], env());
    expect(locked.code, locked.stderr).toBe(7);
    expect(jsonError(locked.stderr).code).toBe('keychain_locked');
    expect(locked.programs).toEqual(node);
    const write = await traced(['agent', 'login', '--with-token', '--json'], env(), 'mnm_fast_path_locked_0123456789ab\n');
    expect(write.code, write.stderr).toBe(7);
    expect(jsonError(write.stderr).code).toBe('keychain_locked');
    expect(write.programs).toEqual(node);
  });

  it('an item locked behind an unlock prompt nobody answers: the child runs the read, and is ended at the 20 s limit (exit 7)', async () => {
    const service = await startSilentSecretService('prompt');
    try {
      const config = join(work, 'prompt-config');
      const account = `t0ken:${sandbox.t0kenUrl}`;
      mkdirSync(config, { recursive: true, mode: 0o700 });
      const record = {
        user_id: 'usr_fast', project_id: 'prj_fast', machine_fingerprint: 'fp_fast', local_fingerprint: 'lfp_fast', fingerprint_source: 'test', hostname: 'fast-host',
        created_at: '2026-01-01T00:00:00.000Z', registered_at: '2026-01-01T00:00:00.000Z', api_key_ref: { store: 'keyring', service: 't0ken', account }, api_key_masked: 'omx_agent_…abcd',
      };
      writeFileSync(join(config, 'config.json'), `${JSON.stringify({ version: 2, t0ken: { [sandbox.t0kenUrl]: record }, mnemom: {} })}\n`, { mode: 0o600 });
      chmodSync(join(config, 'config.json'), 0o600);
      const read = await traced(['token', '--json'], { ...service.env, T0KEN_CONFIG_DIR: config, T0KEN_API_URL: sandbox.t0kenUrl, T0KEN_CREDENTIAL_STORE: 'keyring' });
      expect(read.code, read.stderr).toBe(7);
      expect(jsonError(read.stderr)).toMatchObject({ code: 'keychain_failed', message: expect.stringMatching(/did not answer a read within 20 s/) });
      expect(read.ms).toBeGreaterThanOrEqual(19_000);
      expect(read.ms).toBeLessThan(ENDED_BY_THE_LIMIT_MS);
      expect(read.programs).toEqual([process.execPath, process.execPath]);
      expect(service.calls()).toEqual(expect.arrayContaining(['org.freedesktop.Secret.Service.SearchItems', 'org.freedesktop.Secret.Prompt.Prompt']));
    } finally {
      service.stop();
    }
  }, 60_000);
});
