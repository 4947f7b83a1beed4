import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LockTimeoutError, withFileLock } from '../../src/platform/fs/lock.js';
import { parseConfig } from '../../src/store/schema.js';
import { ConfigStore } from '../../src/store/store.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 't0ken-store-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const account = (user: string) => ({
  user_id: user, api_key: `omx_agent_${user}`, project_id: 'default', machine_fingerprint: 'fp_server', local_fingerprint: 'fp_local',
  fingerprint_source: 'linux-machine-id', hostname: 'h', created_at: '2026-01-01T00:00:00Z', registered_at: '2026-01-01T00:00:00Z',
});
const mode = (path: string) => statSync(path).mode & 0o777;

describe('config store', () => {
  it('creates a 0700 directory and a 0600 file, keyed by base URL', async () => {
    const dir = join(root, 'new', 'config');
    const store = new ConfigStore({ dir, ownsDir: false });
    await store.update((d) => void (d.t0ken['https://a.example/api/v1'] = account('a')));
    await store.update((d) => void (d.t0ken['http://127.0.0.1:1/api/v1'] = account('b')));
    expect(mode(dir)).toBe(0o700);
    expect(mode(store.path)).toBe(0o600);
    const data = store.read();
    expect(Object.keys(data.t0ken).sort()).toEqual(['http://127.0.0.1:1/api/v1', 'https://a.example/api/v1']);
    expect(data.version).toBe(2);
  });

  it('leaves the mode of a directory the user chose, but re-tightens its own', async () => {
    const chosen = join(root, 'chosen');
    mkdirSync(chosen, { mode: 0o755 });
    chmodSync(chosen, 0o755);
    await new ConfigStore({ dir: chosen, ownsDir: false }).update(() => {});
    expect(mode(chosen)).toBe(0o755);
    await new ConfigStore({ dir: chosen, ownsDir: true }).update(() => {});
    expect(mode(chosen)).toBe(0o700);
  });

  it('re-tightens a 0644 file on read, with a warning', async () => {
    const warnings: string[] = [];
    const store = new ConfigStore({ dir: root, ownsDir: false, onWarning: (w) => warnings.push(w) });
    await store.update((d) => void (d.t0ken.x = account('x')));
    chmodSync(store.path, 0o644);
    store.read();
    expect(mode(store.path)).toBe(0o600);
    expect(warnings.join()).toMatch(/644.*600/);
  });

  it.each([
    ['truncated JSON', '{"version": 1, "t0ken": {'],
    ['a JSON array', '[]'],
    ['wrong field types', JSON.stringify({ version: 1, t0ken: { u: { ...account('x'), api_key: 42 } }, mnemom: {} })],
    ['an empty file', ''],
    ['a newer format', JSON.stringify({ version: 99, t0ken: {}, mnemom: {} })],
  ])('refuses %s with exit 7 naming the path, and never rewrites it', async (_label, text) => {
    const store = new ConfigStore({ dir: root, ownsDir: false });
    writeFileSync(store.path, text, { mode: 0o600 });
    expect(() => store.read()).toThrow(expect.objectContaining({ exitCode: 7, message: expect.stringContaining(store.path) }));
    await expect(store.update((d) => void (d.t0ken.y = account('y')))).rejects.toMatchObject({ exitCode: 7 });
    expect(readFileSync(store.path, 'utf8')).toBe(text);
  });

  it('refuses a directory in place of the file with exit 7', () => {
    const store = new ConfigStore({ dir: root, ownsDir: false });
    mkdirSync(store.path);
    expect(() => store.read()).toThrow(expect.objectContaining({ exitCode: 7 }));
  });

  it('migrates a file written before "version" existed', () => {
    const data = parseConfig(JSON.stringify({ t0ken: { u: account('u') } }));
    expect(data.version).toBe(2);
    expect(data.t0ken.u!.user_id).toBe('u');
    expect(data.mnemom).toEqual({});
  });

  it('loses no update among 20 concurrent writers', async () => {
    const store = new ConfigStore({ dir: root, ownsDir: false });
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.update((d) => void (d.t0ken[`https://h${i}.example`] = account(`u${i}`)))));
    expect(Object.keys(store.read().t0ken)).toHaveLength(20);
  });
});

describe('lock file', () => {
  it('takes over a lock whose process is gone, quickly', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const lock = join(root, 'config.json.lock');
    writeFileSync(lock, `${dead.stdout} ${Date.now()} x`);
    const started = Date.now();
    expect(await withFileLock(lock, () => 'ran')).toBe('ran');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('takes over a garbage lock older than 2 s', async () => {
    const lock = join(root, 'config.json.lock');
    writeFileSync(lock, '');
    const old = new Date(Date.now() - 5000);
    const { utimesSync } = await import('node:fs');
    utimesSync(lock, old, old);
    expect(await withFileLock(lock, () => 'ran')).toBe('ran');
  });

  it('times out on a live lock, and removes only its own lock', async () => {
    const lock = join(root, 'config.json.lock');
    writeFileSync(lock, `${process.pid} ${Date.now()} other-holder`);
    await expect(withFileLock(lock, () => 'never', { waitMs: 200 })).rejects.toBeInstanceOf(LockTimeoutError);
    expect(readFileSync(lock, 'utf8')).toContain('other-holder');
  });
});
