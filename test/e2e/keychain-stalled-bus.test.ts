import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, jsonError, runCli } from '../helpers/cli.js';
import { startFirstConnectionOnlyBus, type FakeBus } from '../helpers/fake-bus.js';
import { ENDED_BY_THE_LIMIT_MS } from '../helpers/keyring.js';
import { useConfigDir, useSandbox } from '../helpers/sandbox.js';

// Issue 22 item 1: a bus whose Secret Service answers t0ken's own connection (the ping, and any
// question) and never answers the keychain library's, not even its authentication. libdbus then
// waits for ever, inside `new AsyncEntry()`, on whatever thread called it: t0ken's main thread
// hung for good (no 20 s deadline, deaf to SIGINT/SIGTERM/SIGHUP). Every library call now runs in
// a child process that is killed at the deadline, on a signal, or when t0ken exits.

const config = useConfigDir('each', 't0ken-keychain-stalled-');
const sandbox = useSandbox();

let buses: FakeBus[] = [];
afterEach(() => {
  for (const bus of buses) bus.stop();
  buses = [];
});
/** One bus per command: it answers only its first connection, the command's ping. */
const startBus = async (): Promise<FakeBus> => {
  const bus = await startFirstConnectionOnlyBus();
  buses.push(bus);
  return bus;
};

/** A config.json whose t0ken key, for `apiUrl`, is a reference into the keychain. */
function writeKeychainAccount(dir: string, apiUrl: string): string {
  const record = {
    user_id: 'usr_stalled', project_id: 'prj_stalled', machine_fingerprint: 'fp_stalled', local_fingerprint: 'lfp_stalled', fingerprint_source: 'test', hostname: 'stalled-host',
    created_at: '2026-01-01T00:00:00.000Z', registered_at: '2026-01-01T00:00:00.000Z', api_key_ref: { store: 'keyring', service: 't0ken', account: `t0ken:${apiUrl}` }, api_key_masked: 'omx_agent_…abcd',
  };
  const text = `${JSON.stringify({ version: 2, t0ken: { [apiUrl]: record }, mnemom: {} })}\n`;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, 'config.json'), text, { mode: 0o600 });
  chmodSync(join(dir, 'config.json'), 0o600);
  return text;
}

const until = async (what: string, check: () => boolean, ms = 10_000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe('a bus that never answers the keychain library\'s connection', () => {
  it('register falls back to the file (auto) or stops before its request (keyring), token exits 7: all by the 20 s limit, the issued key kept', async () => {
    const bus = { auto: await startBus(), keyring: await startBus(), read: await startBus() };
    const dirs = { auto: join(config.dir, 'auto'), keyring: join(config.dir, 'keyring'), read: join(config.dir, 'read') };
    const before = writeKeychainAccount(dirs.read, sandbox.t0kenUrl);
    const env = (dir: keyof typeof dirs, store: string) => ({ DBUS_SESSION_BUS_ADDRESS: bus[dir].address, T0KEN_CONFIG_DIR: dirs[dir], T0KEN_API_URL: sandbox.t0kenUrl, T0KEN_CREDENTIAL_STORE: store });
    const registered = () => sandbox.requests.filter((r) => r.path.endsWith('/agents/auto-register')).length;
    const requestsBefore = registered();
    const [auto, keyring, read] = await Promise.all([
      runCli(['register', '--json'], { env: env('auto', 'auto'), timeoutMs: 40_000 }),
      runCli(['register', '--json'], { env: env('keyring', 'keyring'), timeoutMs: 40_000 }),
      runCli(['token', '--json'], { env: env('read', 'keyring'), timeoutMs: 40_000 }),
    ]);
    console.log(`a bus silent on the library's connection: register (auto) ended after ${auto.ms} ms, register (keyring) after ${keyring.ms} ms, token after ${read.ms} ms`);
    for (const result of [auto, keyring, read]) {
      expect(result.signal, `still running after ${result.ms} ms: ${result.stderr}`).toBeNull();
      expect(result.ms).toBeLessThan(ENDED_BY_THE_LIMIT_MS);
    }
    // auto: the key the service issued went to the file, and the notice says why.
    expect(auto.code, auto.stderr).toBe(0);
    const shown = JSON.parse(auto.stdout);
    const stored = JSON.parse(readFileSync(join(dirs.auto, 'config.json'), 'utf8')).t0ken[sandbox.t0kenUrl];
    expect(shown.storage).toBe('file');
    expect(stored.user_id).toBe(shown.user_id);
    expect(stored.api_key).toMatch(/^omx_/);
    expect(auto.stderr).toContain('not the keychain: the keychain did not answer a write within 20 s');
    expect(existsSync(join(dirs.auto, 'config.json.lock'))).toBe(false);
    // keyring: the write probe before the request fails, so no key was issued to be lost.
    expect(keyring.code, keyring.stderr).toBe(7);
    expect(jsonError(keyring.stderr)).toMatchObject({ code: 'keychain_failed', message: expect.stringContaining('did not answer a write within 20 s') });
    expect(registered() - requestsBefore).toBe(1); // auto's alone
    expect(existsSync(join(dirs.keyring, 'config.json.lock'))).toBe(false);
    // A read: exit 7, the file as it was.
    expect(read.code, read.stderr).toBe(7);
    expect(read.stdout).toBe('');
    expect(jsonError(read.stderr)).toMatchObject({ code: 'keychain_failed', message: expect.stringContaining('did not answer a read within 20 s') });
    expect(readFileSync(join(dirs.read, 'config.json'), 'utf8')).toBe(before);
    for (const one of Object.values(bus)) {
      expect(one.calls(1)).toEqual(['Hello', 'GetConnectionUnixProcessID', 'Ping']); // the ping was answered...
      expect(one.connections()).toBe(2); // ...and the library's connection never got a byte
    }
  }, 60_000);

  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', null], ['SIGHUP', null]] as const) {
    it(`${signal} while the library waits: t0ken ends at once, and so does its keychain process`, async () => {
      const bus = await startBus();
      writeKeychainAccount(config.dir, sandbox.t0kenUrl);
      const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', DBUS_SESSION_BUS_ADDRESS: bus.address, T0KEN_CONFIG_DIR: config.dir, T0KEN_API_URL: sandbox.t0kenUrl, T0KEN_CREDENTIAL_STORE: 'keyring' };
      const child = spawn(process.execPath, [BIN, 'token'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const ended = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
      await until('the library to connect', () => bus.connections() >= 2);
      await new Promise((r) => setTimeout(r, 200)); // into its wait for an answer that never comes
      const helpers = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
      const sent = Date.now();
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const [exitCode, exitSignal] = await ended;
      clearTimeout(timer);
      expect([exitCode, exitSignal], stderr).toEqual(code === null ? [null, signal] : [code, null]);
      expect(Date.now() - sent).toBeLessThan(3_000);
      if (signal === 'SIGINT') expect(stderr.trim()).toBe('t0ken: interrupted');
      expect(helpers).toHaveLength(1); // the process that runs the library
      await until('the keychain process to end', () => !existsSync(`/proc/${helpers[0]}`) || /\) Z /.test(readFileSync(`/proc/${helpers[0]}/stat`, 'utf8')), 3_000);
    }, 30_000);
  }
});

describe('a session bus address no socket can be named by', () => {
  it('escaped bytes that are not UTF-8 (%ff): no keychain, so auto falls back to the file and keyring is exit 7, not "URI malformed" exit 1', async () => {
    const runtimeDir = join(config.dir, 'run%e9'); // a bus there is named escaped: %25e9
    mkdirSync(runtimeDir, { recursive: true });
    writeFileSync(join(runtimeDir, 'bus'), '');
    for (const bus of [{ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/%ff/bus' }, { DBUS_SESSION_BUS_ADDRESS: '', XDG_RUNTIME_DIR: runtimeDir }]) {
      const env = { ...bus, T0KEN_CONFIG_DIR: config.dir, T0KEN_API_URL: sandbox.t0kenUrl, T0KEN_FINGERPRINT: `fp_${'e'.repeat(32)}` };
      const status = await runCli(['credentials', 'status'], { env });
      expect(status.code, status.stderr).toBe(0);
      const keyring = await runCli(['register'], { env: { ...env, T0KEN_CREDENTIAL_STORE: 'keyring' } });
      expect(keyring.code, keyring.stderr).toBe(7);
      expect(keyring.stderr).toMatch(/keychain/i);
      const auto = await runCli(['register'], { env: { ...env, T0KEN_CREDENTIAL_STORE: 'auto' } });
      expect(auto.code, auto.stderr).toBe(0);
      expect(JSON.parse(readFileSync(join(config.dir, 'config.json'), 'utf8')).t0ken[sandbox.t0kenUrl].api_key).toMatch(/^omx_/);
      expect((await runCli(['logout', '--yes'], { env })).code).toBe(0);
    }
  });
});
