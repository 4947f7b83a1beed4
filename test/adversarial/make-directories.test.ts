import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDirectories } from '../../src/platform/fs/make-directories.js';
import { BIN, cleanEnv } from '../helpers/cli.js';

// Node's mkdirSync(dir, { recursive: true }) loops forever at full CPU where mkdir answers ENOENT for
// a parent that exists (anything under /proc): t0ken with its config directory there hung.

const work = mkdtempSync(join(tmpdir(), 't0ken-mkdir-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const hasProc = existsSync('/proc/self/status');
if (!hasProc) console.log('skipped: no /proc on this system (the hang needs one)');

describe('makeDirectories (mkdir -p)', () => {
  it('creates the missing parents with the mode, returns the first it created; undefined when there', () => {
    const dir = join(work, 'a', 'b', 'c');
    expect(makeDirectories(dir, 0o700)).toBe(join(work, 'a'));
    expect(statSync(dir).isDirectory()).toBe(true);
    expect(statSync(join(work, 'a', 'b')).mode & 0o777).toBe(0o700 & ~process.umask());
    expect(makeDirectories(dir)).toBeUndefined();
  });

  it('a file in the way is ENOTDIR, as mkdir says', () => {
    writeFileSync(join(work, 'file'), '');
    expect(() => makeDirectories(join(work, 'file', 'x'))).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
  });

  it.skipIf(!hasProc)('under /proc: ENOENT at once, not a loop', () => {
    expect(() => makeDirectories('/proc/t0ken-test/x')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });
});

describe.skipIf(!hasProc)('a directory t0ken must create under /proc', () => {
  it.each([
    [['register'], { T0KEN_CONFIG_DIR: '/proc/t0ken' }],
    [['mcp', 'config', '--client', 'cursor', '--write', '--', 'x'], { HOME: '/proc/self', T0KEN_CONFIG_DIR: join(work, 'config') }],
  ])('%j: exit 7 in one line at once; it spun at full CPU until killed', (args, env) => {
    const started = Date.now();
    const result = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 20_000, env: cleanEnv({ T0KEN_API_URL: 'http://127.0.0.1:9/api/v1', T0KEN_FINGERPRINT: `fp_${'d'.repeat(32)}`, ...env }) });
    expect(result.signal, 'killed by the timeout: it hung').toBeNull();
    expect(result.status, result.stderr).toBe(7);
    expect(result.stderr).toMatch(/no such file or directory/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
