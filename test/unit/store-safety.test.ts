import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storeAnswer } from '../../src/identity/stored-answer.js';
import { Exit } from '../../src/core/exit-codes.js';
import { proveWritable, sweepTempFiles, writeFileAtomic } from '../../src/platform/fs/atomic-write.js';
import { LockTimeoutError, withFileLock } from '../../src/platform/fs/lock.js';
import { processStartTime } from '../../src/platform/fs/process-identity.js';
import { requireAbsoluteConfigDir } from '../../src/store/safety.js';
import { asFileSystemError, fileSystemError } from '../../src/platform/fs/errno.js';
import { CONFIG_VERSION, parseConfig } from '../../src/store/schema.js';
import { ConfigStore } from '../../src/store/store.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 't0ken-safety-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const onLinux = process.platform === 'linux';
const errno = (code: string, path: string) => Object.assign(new Error(`${code}: x, open '${path}'`), { code, path, syscall: 'open' });

describe('file-system errors are exit 7 with a hint that fits the errno', () => {
  it.each([
    ['ENOSPC', /is full: free some space \(df -h/],
    ['EDQUOT', /quota .* used up/],
    ['EROFS', /read-only file system/],
    ['EACCES', /chmod u\+rwx/],
    ['EPERM', /chmod u\+rwx/],
    ['ELOOP', /symbolic link is in the way: move it aside \(mv /],
    ['EIO', /I\/O error/],
  ])('%s', (code, hint) => {
    const error = fileSystemError(errno(code, '/c/config.json.lock'), 'write in the config directory:', '/c/config.json.lock', '/c');
    expect(error.exitCode).toBe(Exit.state);
    expect(error.message).toContain(`(${code})`);
    expect(error.hint).toMatch(hint);
    if (code === 'ENOSPC') expect(error.hint).not.toMatch(/permission|chmod/);
  });

  it('an errno that escaped a command is recognised at the top level (exit 7, not "a bug"); a network one is not', () => {
    expect(asFileSystemError(errno('EACCES', '/x/y'))?.exitCode).toBe(Exit.state);
    expect(asFileSystemError(Object.assign(new Error('connect'), { code: 'ECONNREFUSED', syscall: 'connect' }))).toBeUndefined();
    expect(asFileSystemError(new Error('plain'))).toBeUndefined();
    // A program that could not be started is not a file we write.
    expect(asFileSystemError(Object.assign(new Error('spawn secret-tool ENOENT'), { code: 'ENOENT', syscall: 'spawn secret-tool', path: 'secret-tool' }))).toBeUndefined();
  });

  it('a relative config dir names the variable at fault', () => {
    expect(() => requireAbsoluteConfigDir('.config/t0ken', { HOME: '' })).toThrow(/HOME is empty/);
    expect(() => requireAbsoluteConfigDir('rel', { T0KEN_CONFIG_DIR: 'rel' })).toThrow(/T0KEN_CONFIG_DIR is a relative path/);
    expect(() => requireAbsoluteConfigDir('x/t0ken', { XDG_CONFIG_HOME: 'x' })).toThrow(/XDG_CONFIG_HOME is a relative path/);
    // The example is under HOME when HOME is sound (it named the password database's home, /root as root, whatever HOME said)
    expect(() => requireAbsoluteConfigDir('x/t0ken', { XDG_CONFIG_HOME: 'x', HOME: '/srv/agent-home' })).toThrow(expect.objectContaining({ hint: expect.stringContaining('export T0KEN_CONFIG_DIR=/srv/agent-home/.config/t0ken') }));
    expect(() => requireAbsoluteConfigDir('/abs', {})).not.toThrow();
  });

  it('a UTF-8 byte-order mark is accepted', () => {
    expect(parseConfig('\uFEFF{"version": 1, "t0ken": {}, "mnemom": {}}').version).toBe(CONFIG_VERSION);
  });
});

describe('atomic write', () => {
  it('replaces the file, 0600, leaving no temp file; the sweep removes a killed writer\'s temp files only', () => {
    const target = join(root, 'config.json');
    writeFileSync(join(root, 'config.json.tmp-1-dead'), 'secret');
    writeFileSync(join(root, 'other.tmp-1-dead'), 'not ours');
    expect(sweepTempFiles(target)).toBe(1);
    writeFileAtomic(target, 'new\n');
    proveWritable(target, 4096);
    expect(readFileSync(target, 'utf8')).toBe('new\n');
    expect(readdirSync(root).sort()).toEqual(['config.json', 'other.tmp-1-dead']);
  });

  it('a failed write removes its temp file and leaves the old file', () => {
    const target = join(root, 'config.json');
    writeFileSync(target, 'old');
    mkdirSync(join(root, 'blocker'));
    // Renaming a file over a directory fails (EISDIR) after the temp file is written.
    expect(() => writeFileAtomic(join(root, 'blocker'), 'x')).toThrow();
    expect(readdirSync(root).sort()).toEqual(['blocker', 'config.json']);
    expect(readFileSync(target, 'utf8')).toBe('old');
  });
});

describe.runIf(onLinux)('lock identity (pid + start time)', () => {
  const lock = () => join(root, 'config.json.lock');

  it('a live pid with another start time (pid reused, PID 1 in a container) is taken over at once', async () => {
    writeFileSync(lock(), `1 123 ${Date.now()} reused`);
    const started = Date.now();
    expect(await withFileLock(lock(), () => 'ran')).toBe('ran');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(existsSync(lock())).toBe(false);
  });

  it('a lock from the future is taken over at once, even naming a live holder', async () => {
    writeFileSync(lock(), `${process.pid} ${processStartTime(process.pid)} ${Date.now() + 3_600_000} future`);
    const started = Date.now();
    expect(await withFileLock(lock(), () => 'ran')).toBe('ran');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('a live holder with its own start time is respected until waitMs, and only our own lock is removed', async () => {
    const holder = `${process.pid} ${processStartTime(process.pid)} ${Date.now()} live-holder`;
    writeFileSync(lock(), holder);
    await expect(withFileLock(lock(), () => 'never', { waitMs: 300 })).rejects.toBeInstanceOf(LockTimeoutError);
    expect(readFileSync(lock(), 'utf8')).toBe(holder);
  });
});

describe('storeAnswer: storing fails after the service acted', () => {
  it('exit 7 saying what the service did (sanitised) and how to recover, plus the file-system hint', async () => {
    const dir = join(root, 'config');
    const store = new ConfigStore({ dir, ownsDir: false });
    await store.prepareWrite();
    // Between the request and the write, someone plants a symlink where config.json goes.
    symlinkSync(join(root, 'elsewhere'), store.path);
    const failure = storeAnswer(store, (data) => void (data.mnemom.x = { api_key: 'mnm_x', saved_at: 'now' }), {
      serviceDid: 'the service issued verification code 123456 for a@b.example\u001b]0;pwned\u0007',
      recover: 'Run `t0ken verify --code 123456` before it expires.',
    });
    await expect(failure).rejects.toMatchObject({
      exitCode: Exit.state,
      message: expect.stringMatching(/^the service issued verification code 123456 for a@b\.example\]0;pwned, but t0ken could not store it: .*symbolic link/),
      hint: expect.stringMatching(/verify --code 123456[\s\S]*mv /),
    });
    expect(existsSync(join(root, 'elsewhere'))).toBe(false);
  });
});
