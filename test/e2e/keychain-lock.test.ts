import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonError, runCli } from '../helpers/cli.js';
import { keyringProbe, silentSecretServiceProbe, startKeyring, startSilentSecretService } from '../helpers/keyring.js';
import { requirePart } from '../helpers/real-part.js';
import { useConfigDir, useSandbox } from '../helpers/sandbox.js';

// Issue 22 item 2: the config lock was held across the keychain call, so writers queued behind a
// slow keychain and gave up after the lock's 10 s ("locked by another t0ken process"). The lock is
// now held only for the file's read-modify-write; the keychain is asked before it.

const haveStandIn = requirePart('a Secret Service stand-in (dbus-daemon + python3-dbus + python3-gi)', silentSecretServiceProbe);
const haveKeyring = requirePart('gnome-keyring over D-Bus', keyringProbe);
const sandbox = useSandbox();
const config = useConfigDir('each', 't0ken-keychain-lock-');
const stored = () => JSON.parse(readFileSync(join(config.dir, 'config.json'), 'utf8'));
const mnemomKey = (i: number) => `mnm_parallel_login_${String(i).padStart(2, '0')}_0123456789abcdef`;
const mnemomUrl = (i: number) => `http://127.0.0.1:${20000 + i}`; // never asked: login only stores
const LOCK_TIMEOUT = /locked by another t0ken process/;

const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

/** `agent login` of key i under MNEMOM_API_URL i, all in the test's config dir. */
const login = (i: number, env: Record<string, string>) =>
  runCli(['agent', 'login', '--with-token', '--json'], { env: { ...env, T0KEN_CONFIG_DIR: config.dir, MNEMOM_API_URL: mnemomUrl(i), T0KEN_CREDENTIAL_STORE: 'auto' }, input: mnemomKey(i), timeoutMs: 90_000 });

describe.runIf(haveStandIn)('a Secret Service that takes 20 s to fail every write (an unlock prompt nobody answers)', () => {
  it('3 parallel agent logins all succeed: each waits for the keychain on its own, then falls back to the file', async () => {
    const service = await startSilentSecretService('prompt');
    stops.push(service.stop);
    const results = await Promise.all([0, 1, 2].map((i) => login(i, service.env)));
    console.log(`3 parallel agent login against a keychain that never answers: ${results.map((r) => `exit ${r.code} after ${r.ms} ms`).join(', ')}`);
    for (const [i, result] of results.entries()) {
      expect(result.stderr).not.toMatch(LOCK_TIMEOUT);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain('not the keychain: the keychain did not answer a write within 20 s');
      expect(stored().mnemom[mnemomUrl(i)].api_key).toBe(mnemomKey(i));
    }
  }, 90_000);
});

describe.runIf(haveKeyring)('real gnome-keyring, its collection locked', () => {
  it('15 writers and 15 readers at once: writers fall back to the file, readers exit 7 naming the keychain; none waits out the config lock', async () => {
    const keyring = await startKeyring();
    stops.push(keyring.stop);
    const env = { ...keyring.env, T0KEN_API_URL: sandbox.t0kenUrl };
    const registered = await runCli(['register'], { env: { ...env, T0KEN_CONFIG_DIR: config.dir, T0KEN_CREDENTIAL_STORE: 'keyring' }, timeoutMs: 60_000 });
    expect(registered.code, registered.stderr).toBe(0);
    keyring.lock();
    const started = Date.now();
    const [writers, readers] = await Promise.all([
      Promise.all(Array.from({ length: 15 }, (_, i) => login(i, env))),
      Promise.all(Array.from({ length: 15 }, () => runCli(['token', '--json'], { env: { ...env, T0KEN_CONFIG_DIR: config.dir, T0KEN_CREDENTIAL_STORE: 'keyring' }, timeoutMs: 90_000 }))),
    ]);
    console.log(`15 writers + 15 readers, keyring locked: all ended after ${Date.now() - started} ms; writers ${writers.map((r) => r.code).join('')}, readers ${readers.map((r) => r.code).join('')}`);
    for (const result of [...writers, ...readers]) expect(result.stderr).not.toMatch(LOCK_TIMEOUT);
    for (const [i, result] of writers.entries()) {
      expect(result.code, result.stderr).toBe(0);
      // Locked, or (gnome-keyring shows one unlock prompt at a time, each dismissed in turn) not answered in time.
      expect(result.stderr).toMatch(/went to .* not the keychain: /);
      expect(stored().mnemom[mnemomUrl(i)].api_key).toBe(mnemomKey(i));
    }
    for (const result of readers) {
      expect(result.code, result.stderr).toBe(7);
      expect(jsonError(result.stderr).code).toMatch(/^keychain_(locked|failed)$/);
    }
    expect(stored().t0ken[sandbox.t0kenUrl].api_key_ref).toBeDefined(); // the account is still there, in the keychain
  }, 120_000);
});
