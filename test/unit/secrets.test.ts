import { describe, expect, it } from 'vitest';
import { parseConfig, serializeConfig } from '../../src/store/schema.js';
import { parseStoreMode, placeSecret, readPlaced } from '../../src/store/secrets/choose.js';
import { classify } from '../../src/store/secrets/keychain.js';
import { KeychainError, type Keychain, type KeychainProblem } from '../../src/store/secrets/types.js';

/** An in-memory keychain that can be made unavailable or locked (a locked one hides its entries). */
class FakeKeychain implements Keychain {
  entries = new Map<string, string>();
  state: 'ok' | KeychainProblem = 'ok';
  calls: string[] = [];
  private fail(): void {
    if (this.state === 'unavailable') throw new KeychainError('unavailable', 'no D-Bus session (DBUS_SESSION_BUS_ADDRESS is not set), so no Secret Service to ask');
    if (this.state === 'locked') throw new KeychainError('locked', 'the keyring is locked');
    if (this.state === 'failed') throw new KeychainError('failed', 'the keychain failed: boom');
  }
  async get(account: string) {
    this.calls.push(`get ${account}`);
    if (this.state === 'locked') return null; // what a locked Secret Service answers for an entry it hides
    this.fail();
    return this.entries.get(account) ?? null;
  }
  async set(account: string, secret: string) {
    this.calls.push(`set ${account}`);
    this.fail();
    this.entries.set(account, secret);
  }
  async delete(account: string) {
    this.calls.push(`delete ${account}`);
    this.fail();
    return this.entries.delete(account);
  }
  async probe() {
    this.calls.push('probe');
    this.fail();
  }
}

const URL_ = 'https://t0ken.ai/api/v1';
const LABEL = { kind: 't0ken', baseUrl: URL_ } as const;
const KEY = 'omx_agent_unit0000000000000000';
const account = (secret: Record<string, unknown>) => ({
  user_id: 'u', project_id: 'p', machine_fingerprint: 'fp_s', local_fingerprint: 'fp_l', fingerprint_source: 'x',
  hostname: 'h', created_at: '2026-01-01T00:00:00Z', registered_at: '2026-01-01T00:00:00Z', ...secret,
});
const ref = { store: 'keyring', service: 't0ken', account: `t0ken:${URL_}` };

describe('config format 2: a secret in the file or a reference to the keychain', () => {
  it('reads a version-1 file as version 2, its keys still in the file', () => {
    const data = parseConfig(JSON.stringify({ version: 1, t0ken: { [URL_]: account({ api_key: KEY }) }, mnemom: { m: { api_key: 'mnm_x', saved_at: 'now' } } }));
    expect(data.version).toBe(2);
    expect(data.t0ken[URL_]!.api_key).toBe(KEY);
    expect(data.mnemom.m!.api_key).toBe('mnm_x');
  });

  it('keeps a keychain reference and every non-secret field', () => {
    const text = serializeConfig({ version: 2, t0ken: { [URL_]: account({ api_key_ref: ref }) }, mnemom: {} } as never);
    expect(text).not.toContain('api_key"');
    const back = parseConfig(text);
    expect(back.t0ken[URL_]!.api_key_ref).toEqual(ref);
    expect(back.t0ken[URL_]!.user_id).toBe('u');
  });

  it.each([
    ['both homes', account({ api_key: KEY, api_key_ref: ref })],
    ['neither home', account({})],
    ['a reference to another store', account({ api_key_ref: { ...ref, store: 'keyutils' } })],
    ['a reference without an account', account({ api_key_ref: { store: 'keyring', service: 't0ken' } })],
  ])('refuses a record with %s as corrupt', (_name, record) => {
    expect(() => parseConfig(JSON.stringify({ version: 2, t0ken: { [URL_]: record }, mnemom: {} }))).toThrow(/api_key/);
  });
});

describe('T0KEN_CREDENTIAL_STORE', () => {
  it.each([[undefined, 'auto'], ['', 'auto'], ['auto', 'auto'], ['KEYRING', 'keyring'], [' file ', 'file']])('%j means %s', (value, mode) => {
    expect(parseStoreMode(value)).toBe(mode);
  });
  it('anything else is a usage error (exit 2)', () => {
    expect(() => parseStoreMode('keychain')).toThrow(expect.objectContaining({ exitCode: 2 }));
  });
});

describe('where a new secret goes', () => {
  it('auto: the keychain when a real write succeeds; the record holds only a reference', async () => {
    const chain = new FakeKeychain();
    const placed = await placeSecret('auto', () => chain, LABEL, KEY, '/c/config.json');
    expect(placed).toEqual({ placement: { api_key_ref: ref, api_key_masked: 'omx_agent_…0000' }, storage: 'keyring' });
    expect(chain.entries.get(`t0ken:${URL_}`)).toBe(KEY);
  });

  it.each(['unavailable', 'locked', 'failed'] as const)('auto with a keychain that is %s: the file, with one notice saying why', async (state) => {
    const chain = new FakeKeychain();
    chain.state = state;
    const placed = await placeSecret('auto', () => chain, LABEL, KEY, '/c/config.json');
    expect(placed.placement).toEqual({ api_key: KEY });
    expect(placed.storage).toBe('file');
    expect(placed.notice).toMatch(/\/c\/config\.json \(mode 600\), not the keychain: /);
    expect(placed.notice).not.toContain(KEY);
    expect(placed.notice!.split('\n')).toHaveLength(1);
  });

  it('keyring with no keychain: exit 7 keychain_unavailable, nothing placed', async () => {
    const chain = new FakeKeychain();
    chain.state = 'unavailable';
    await expect(placeSecret('keyring', () => chain, LABEL, KEY, '/c')).rejects.toMatchObject({ exitCode: 7, code: 'keychain_unavailable' });
  });

  it('keyring with a locked keychain: exit 7 keychain_locked', async () => {
    const chain = new FakeKeychain();
    chain.state = 'locked';
    await expect(placeSecret('keyring', () => chain, LABEL, KEY, '/c')).rejects.toMatchObject({ exitCode: 7, code: 'keychain_locked' });
  });

  it('file: the file, silently, without opening the keychain', async () => {
    let opened = false;
    const placed = await placeSecret('file', () => ((opened = true), new FakeKeychain()), LABEL, KEY, '/c');
    expect(placed).toEqual({ placement: { api_key: KEY }, storage: 'file' });
    expect(opened).toBe(false);
  });
});

describe('reading a secret back', () => {
  it('from the file without opening the keychain', async () => {
    let opened = false;
    const back = await readPlaced({ api_key: KEY }, () => ((opened = true), new FakeKeychain()), LABEL);
    expect(back).toEqual({ secret: KEY, storage: 'file' });
    expect(opened).toBe(false);
  });

  it('from the keychain', async () => {
    const chain = new FakeKeychain();
    chain.entries.set(ref.account, KEY);
    expect(await readPlaced({ api_key_ref: ref as never }, () => chain, LABEL)).toEqual({ secret: KEY, storage: 'keyring' });
  });

  it('a locked keyring that reads back nothing is locked, not logged out (exit 7, not 3)', async () => {
    const chain = new FakeKeychain();
    chain.entries.set(ref.account, KEY);
    chain.state = 'locked';
    const error = await readPlaced({ api_key_ref: ref as never }, () => chain, LABEL).catch((e: unknown) => e);
    expect(error).toMatchObject({ exitCode: 7, code: 'keychain_locked' });
    expect((error as Error & { hint: string }).hint).toMatch(/still logged in/);
    expect(chain.calls).toEqual([`get ${ref.account}`, 'probe']);
  });

  it('an entry deleted outside t0ken: exit 7 keychain_entry_missing, naming the command that recovers', async () => {
    const chain = new FakeKeychain();
    const error = await readPlaced({ api_key_ref: ref as never }, () => chain, LABEL).catch((e: unknown) => e);
    expect(error).toMatchObject({ exitCode: 7, code: 'keychain_entry_missing' });
    expect((error as Error & { hint: string }).hint).toMatch(/t0ken register --force/);
    const mnemom = await readPlaced({ api_key_ref: { ...ref, account: 'mnemom:x' } as never }, () => chain, { kind: 'mnemom', baseUrl: 'x' }).catch((e: unknown) => e);
    expect((mnemom as Error & { hint: string }).hint).toMatch(/agent login --with-token/);
  });

  it('a reference with no keychain reachable: exit 7 keychain_unavailable', async () => {
    const chain = new FakeKeychain();
    chain.state = 'unavailable';
    await expect(readPlaced({ api_key_ref: ref as never }, () => chain, LABEL)).rejects.toMatchObject({ exitCode: 7, code: 'keychain_unavailable' });
  });
});

describe('the library\'s errors, classified', () => {
  const env = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1/bus' };
  it.each([
    ["Couldn't access platform storage: Secret Service: unlock prompt was dismissed", env, 'locked'],
    ['Platform failure: DBus error: Using X11 for dbus-daemon autolaunch was disabled at compile time, set your DBUS_SESSION_BUS_ADDRESS instead', {}, 'unavailable'],
    ['Platform failure: DBus error: Failed to connect to socket /tmp/nope: No such file or directory', env, 'unavailable'],
    ["Couldn't access platform storage: Secret Service: no result found", env, 'unavailable'],
    ['something new', env, 'failed'],
  ] as const)('%s → %s', (message, environment, problem) => {
    expect(classify(new Error(message), environment).problem).toBe(problem);
  });
  it('names a missing D-Bus session plainly', () => {
    expect(classify(new Error('Platform failure: DBus error: Using X11 for dbus-daemon autolaunch was disabled at compile time, set your DBUS_SESSION_BUS_ADDRESS instead'), {}).reason).toMatch(/^no D-Bus session/);
  });
});
