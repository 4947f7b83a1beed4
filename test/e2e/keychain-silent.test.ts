import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, jsonError, runCli } from '../helpers/cli.js';
import { ENDED_BY_THE_LIMIT_MS, silentSecretServiceProbe, startSilentSecretService, type SilentSecretService } from '../helpers/keyring.js';
import { requirePart } from '../helpers/real-part.js';
import { useConfigDir, useSandbox } from '../helpers/sandbox.js';

// A Secret Service that answers the ping t0ken sends first (src/platform/dbus-ping.ts) but then
// never answers: the keychain calls' own limits must end the command with exit 7, not a hang.

const config = useConfigDir('each', 't0ken-keychain-silent-');
const sandbox = useSandbox();
const haveService = requirePart('a Secret Service stand-in (dbus-daemon + python3-dbus + python3-gi)', silentSecretServiceProbe);

const API_URL = 'http://127.0.0.1:9'; // never asked: these commands read or write a stored key only
const ACCOUNT = `t0ken:${API_URL}`;
const MNEMOM_URL = 'http://127.0.0.1:10';
const MNEMOM_KEY = 'mnm_silent_keychain_0123456789abcdef';

/** A format-2 config.json: a t0ken account whose key is in the keychain, a Mnemom key in the file. */
function writeConfig(dir: string): string {
  const text = `${JSON.stringify({
    version: 2,
    t0ken: {
      [API_URL]: {
        user_id: 'usr_silent', project_id: 'prj_silent', machine_fingerprint: 'fp_silent', local_fingerprint: 'lfp_silent',
        fingerprint_source: 'test', hostname: 'silent-host', created_at: '2026-01-01T00:00:00.000Z', registered_at: '2026-01-01T00:00:00.000Z',
        api_key_ref: { store: 'keyring', service: 't0ken', account: ACCOUNT }, api_key_masked: 'omx_agent_…abcd',
      },
    },
    mnemom: { [MNEMOM_URL]: { api_key: MNEMOM_KEY, saved_at: '2026-01-01T00:00:00.000Z' } },
  }, null, 2)}\n`;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, 'config.json'), text, { mode: 0o600 });
  chmodSync(join(dir, 'config.json'), 0o600);
  return text;
}

let service: SilentSecretService | undefined;
afterEach(() => {
  service?.stop();
  service = undefined;
});

const cliEnv = () => ({ ...service!.env, T0KEN_CONFIG_DIR: config.dir, T0KEN_API_URL: API_URL, MNEMOM_API_URL: MNEMOM_URL, T0KEN_CREDENTIAL_STORE: 'keyring' });
const t0ken = (args: string[]) => runCli(args, { env: cliEnv(), timeoutMs: 45_000 });

const until = async (what: string, check: () => boolean, ms = 10_000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe.runIf(haveService)('with a Secret Service that answers the ping, then never answers', () => {
  it('silent from the first call: a read and a write end in seconds with exit 7 naming the keychain', async () => {
    service = await startSilentSecretService('silent');
    const before = writeConfig(config.dir);
    const [read, write] = await Promise.all([t0ken(['token']), t0ken(['credentials', 'migrate', '--to', 'keyring', '--json'])]);
    for (const result of [read, write]) {
      expect(result.signal, result.stderr).toBeNull();
      expect(result.code, result.stderr).toBe(7);
      expect(result.ms).toBeLessThan(15_000);
    }
    expect(read.stdout).toBe('');
    expect(read.stderr.trim().split('\n')).toEqual([
      `t0ken: cannot read the t0ken API key for ${API_URL} in the keychain: the Secret Service did not answer on the D-Bus session (it may be hung, or still starting)`,
      expect.stringMatching(/^Run it from a session whose keychain holds the key .*`t0ken credentials migrate --to file`/),
    ]);
    expect(write.stderr.trim().split('\n')).toHaveLength(1);
    expect(jsonError(write.stderr)).toMatchObject({ code: 'keychain_unavailable', message: expect.stringMatching(/Secret Service did not answer/), hint: expect.stringMatching(/Run the migration in a session with a keychain/) });
    expect(write.stderr).not.toContain(MNEMOM_KEY);
    expect(readFileSync(join(config.dir, 'config.json'), 'utf8')).toBe(before);
    expect(service.calls()).toContain('org.freedesktop.Secret.Service.OpenSession');
  });

  it('an unlock prompt nobody answers: a read and a write end after the 20 s limit with exit 7, nothing lost', async () => {
    service = await startSilentSecretService('prompt');
    const before = writeConfig(config.dir);
    const [read, write] = await Promise.all([t0ken(['token']), t0ken(['credentials', 'migrate', '--to', 'keyring', '--json'])]);
    console.log(`unlock prompt never answered: token ended after ${read.ms} ms (exit ${read.code ?? read.signal}), migrate after ${write.ms} ms (exit ${write.code ?? write.signal})`);
    for (const result of [read, write]) {
      expect(result.signal, `still running after ${result.ms} ms: ${result.stderr}`).toBeNull();
      expect(result.code, result.stderr).toBe(7);
      expect(result.ms).toBeGreaterThanOrEqual(19_000);
      expect(result.ms).toBeLessThan(ENDED_BY_THE_LIMIT_MS);
    }
    expect(read.stdout).toBe('');
    expect(read.stderr.trim().split('\n')).toEqual([
      `t0ken: cannot read the t0ken API key for ${API_URL}: the keychain did not answer a read within 20 s (an unlock prompt may be waiting)`,
      expect.stringMatching(/^Check the keychain \(is it running and unlocked\?\), then run the command again/),
    ]);
    expect(write.stderr.trim().split('\n')).toHaveLength(1);
    expect(jsonError(write.stderr)).toMatchObject({ code: 'keychain_failed', message: expect.stringMatching(/did not answer a write within 20 s/), hint: expect.stringMatching(/T0KEN_CREDENTIAL_STORE=file/) });
    expect(write.stderr).not.toContain(MNEMOM_KEY);
    expect(readFileSync(join(config.dir, 'config.json'), 'utf8')).toBe(before); // the Mnemom key is still in the file
    expect(service.calls()).toEqual(expect.arrayContaining(['org.freedesktop.Secret.Service.Unlock', 'org.freedesktop.Secret.Prompt.Prompt']));
  }, 60_000);

  it('Ctrl-C while the unlock prompt waits: exit 130 at once, and no keychain process is left behind', async () => {
    service = await startSilentSecretService('prompt');
    writeConfig(config.dir);
    const child = spawn(process.execPath, [BIN, 'token'], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...cliEnv() }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const ended = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (code, signal) => resolve([code, signal])));
    await until('the unlock prompt', () => service!.calls().includes('org.freedesktop.Secret.Prompt.Prompt'));
    const helpers = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    const interrupted = Date.now();
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const [code, signal] = await ended;
    clearTimeout(timer);
    expect([code, signal], stderr).toEqual([130, null]);
    expect(Date.now() - interrupted).toBeLessThan(3_000);
    expect(stderr.trim()).toBe('t0ken: interrupted');
    expect(helpers).toHaveLength(1); // the process that ran the keychain library, stuck in the prompt
    await until('the keychain process to end', () => !existsSync(`/proc/${helpers[0]}`) || /\) Z /.test(readFileSync(`/proc/${helpers[0]}/stat`, 'utf8')), 5_000);
  }, 30_000);

  it('answers the questions on its own connection, never the library\'s: register falls back (auto) or stops before the request (keyring), token exits 7, all within the limit', async () => {
    service = await startSilentSecretService('questions');
    const dirs = { auto: join(config.dir, 'auto'), keyring: join(config.dir, 'keyring'), read: join(config.dir, 'read') };
    writeConfig(dirs.read);
    const env = (dir: string, store: string) => ({ ...service!.env, T0KEN_CONFIG_DIR: dir, T0KEN_API_URL: sandbox.t0kenUrl, T0KEN_CREDENTIAL_STORE: store });
    const registered = () => sandbox.requests.filter((r) => r.path.endsWith('/agents/auto-register')).length;
    const before = registered();
    const [auto, keyring, read] = await Promise.all([
      runCli(['register', '--json'], { env: env(dirs.auto, 'auto'), timeoutMs: 45_000 }),
      runCli(['register', '--json'], { env: env(dirs.keyring, 'keyring'), timeoutMs: 45_000 }),
      runCli(['token'], { env: { ...env(dirs.read, 'keyring'), T0KEN_API_URL: API_URL }, timeoutMs: 45_000 }),
    ]);
    console.log(`a Secret Service silent on the library's connection: register (auto) ended after ${auto.ms} ms, register (keyring) after ${keyring.ms} ms, token after ${read.ms} ms`);
    for (const result of [auto, keyring, read]) {
      expect(result.signal, `still running after ${result.ms} ms: ${result.stderr}`).toBeNull();
      expect(result.ms).toBeLessThan(ENDED_BY_THE_LIMIT_MS);
    }
    // auto: the key the service issued is in the file, and the notice says why it is not in the keychain.
    expect(auto.code, auto.stderr).toBe(0);
    const issued = JSON.parse(auto.stdout);
    const stored = JSON.parse(readFileSync(join(dirs.auto, 'config.json'), 'utf8')).t0ken[sandbox.t0kenUrl];
    expect(stored.api_key).toMatch(/^omx_/);
    expect(stored.user_id).toBe(issued.user_id);
    expect(issued.storage).toBe('file');
    expect(auto.stderr).toMatch(/not the keychain: the (keychain did not answer a write within 20 s|Secret Service did not answer on the D-Bus session)/);
    expect(existsSync(join(dirs.auto, 'config.json.lock'))).toBe(false);
    // keyring: the write probe fails before the request, so no key was issued to be lost.
    expect(keyring.code, keyring.stderr).toBe(7);
    expect(jsonError(keyring.stderr)).toMatchObject({ code: expect.stringMatching(/^keychain_(failed|unavailable)$/), message: expect.stringMatching(/did not answer/) });
    expect(registered() - before).toBe(1); // auto's alone
    expect(existsSync(join(dirs.keyring, 'config.json.lock'))).toBe(false);
    expect(read.code, read.stderr).toBe(7);
    expect(read.stdout).toBe('');
    expect(read.stderr).toMatch(/did not answer/);
    expect(service.calls()).toContain('org.freedesktop.Secret.Service.OpenSession'); // the library's, held
  }, 60_000);
});
