import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv } from '../helpers/cli.js';

/**
 * bin/code-cache.cjs compiles the CLI from V8's code cache of an earlier run, on every Node line:
 * kept per Node version and build in <TMPDIR>/t0ken-code-cache-<uid>/, one file per source named by
 * its size and modification time, written when a file had none or V8 refused it. A cache that is
 * taken is not written again, so an unchanged inode means V8 accepted it. Which cache files a run
 * opens is logged by a preload that wraps fs.openSync.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 't0ken-code-cache-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const uid = process.getuid?.() ?? 0;
const buildId = /^"use strict";\/\*t0ken-build:(\w+)\*\//.exec(readFileSync(join(root, 'dist/cli.cjs'), 'utf8'))?.[1];
const KEY = 'omx_agent_codeCacheCheckKey0001';

const openLogger = join(work, 'log-cache-opens.cjs');
writeFileSync(openLogger, `const fs = require('node:fs');
const open = fs.openSync;
fs.openSync = function (file, ...rest) {
  if (String(file).includes('t0ken-code-cache')) fs.appendFileSync(process.env.T0KEN_OPEN_LOG, String(file) + '\\n');
  return open.call(this, file, ...rest);
};
`);

let counter = 0;
function freshTmp(mode = 0o700): string {
  const dir = join(work, `tmp-${counter++}`);
  mkdirSync(dir);
  chmodSync(dir, mode);
  return dir;
}
const cacheDirIn = (tmp: string) => join(tmp, `t0ken-code-cache-${uid}`, `${process.version}-${process.arch}-${buildId}`);
/** The cache file's name for a source file: its name, size and modification time. */
const cacheNameOf = (source: string) => {
  const { size, mtimeMs } = statSync(source);
  return `${source.split('/').at(-1)}.${size}.${Math.trunc(mtimeMs)}`;
};
const sourcesIn = (dir: string) => readdirSync(dir).map((name) => name.replace(/\.\d+\.\d+$/, '')).sort();

/** Runs `t0ken <args>` (the checkout's, or a copy's bin) with TMPDIR=tmp; `opened`: the cache files it opened. */
function run(args: string[], tmp: string, options: { bin?: string; env?: Record<string, string>; cwd?: string } = {}) {
  const log = join(work, `opens-${counter++}.log`);
  writeFileSync(log, '');
  const result = spawnSync(process.execPath, [options.bin ?? BIN, ...args], {
    cwd: options.cwd,
    encoding: 'utf8',
    env: cleanEnv({ TMPDIR: tmp, T0KEN_API_KEY: KEY, T0KEN_CONFIG_DIR: join(work, 'config'), NODE_OPTIONS: `--require=${openLogger}`, T0KEN_OPEN_LOG: log, ...options.env }),
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, pid: result.pid, opened: readFileSync(log, 'utf8').split('\n').filter(Boolean) };
}
const inode = (file: string) => statSync(file).ino;

describe.runIf(process.platform !== 'win32')(`V8's code cache on Node ${process.versions.node}`, () => {
  it('dist/cli.cjs carries the id of this build: a hash of every file loaded through the cache', () => {
    const files = [
      ...readdirSync(join(root, 'dist')).filter((file) => /^cli.*\.cjs$/.test(file)),
      ...readdirSync(join(root, 'dist/vendor')).filter((file) => file.endsWith('.cjs')).map((file) => `vendor/${file}`),
    ].sort();
    const hash = createHash('sha256');
    for (const file of files) {
      const text = readFileSync(join(root, 'dist', file), 'utf8');
      hash.update(`${file}\0`).update(file === 'cli.cjs' ? text.replace(/^("use strict";)\/\*t0ken-build:\w+\*\//, '$1') : text).update('\0');
    }
    expect(files.length).toBeGreaterThan(10);
    expect(buildId).toBe(hash.digest('hex').slice(0, 16));
  });

  it('the first run writes the cache of the files it loaded (0600 in a 0700 directory), the next takes it, another command adds its own', () => {
    const tmp = freshTmp();
    const first = run(['token'], tmp);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe(`${KEY}\n`);
    const dir = cacheDirIn(tmp);
    expect(sourcesIn(dir)).toEqual(['cli-commands-token.cjs', 'cli.cjs']);
    const cli = join(dir, cacheNameOf(join(root, 'dist/cli.cjs')));
    const token = join(dir, cacheNameOf(join(root, 'dist/cli-commands-token.cjs')));
    expect(statSync(join(tmp, `t0ken-code-cache-${uid}`)).mode & 0o777).toBe(0o700);
    expect(statSync(cli).mode & 0o777).toBe(0o600);
    const before = { cli: inode(cli), token: inode(token) };

    const second = run(['token'], tmp);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe(`${KEY}\n`);
    expect(second.opened.sort()).toEqual([cli, token].sort()); // read, and taken: not written again
    expect({ cli: inode(cli), token: inode(token) }).toEqual(before);

    // env's own pack is new: it is written, and so is cli.cjs's, which now holds what env ran.
    const third = run(['env'], tmp);
    expect(third.code, third.stderr).toBe(0);
    expect(sourcesIn(dir)).toEqual(['cli-commands-env.cjs', 'cli-commands-token.cjs', 'cli.cjs']);
    expect(inode(cli)).not.toBe(before.cli);
    expect(inode(token)).toBe(before.token);
  });

  it('a cache V8 refuses (not a cache at all), or one others may write, is replaced, and the command runs as usual', () => {
    const tmp = freshTmp();
    const dir = cacheDirIn(tmp);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(join(tmp, `t0ken-code-cache-${uid}`), 0o700);
    const cli = join(dir, cacheNameOf(join(root, 'dist/cli.cjs')));
    writeFileSync(cli, 'not a code cache');
    const result = run(['token'], tmp);
    expect(result).toMatchObject({ code: 0, stdout: `${KEY}\n`, stderr: '' });
    expect(statSync(cli).size).toBeGreaterThan(10_000);
    const replaced = inode(cli);
    expect(run(['token'], tmp).code).toBe(0);
    expect(inode(cli)).toBe(replaced); // the new one was taken

    chmodSync(cli, 0o620); // group-writable: anyone in the group could have put code there
    expect(run(['token'], tmp)).toMatchObject({ code: 0, stdout: `${KEY}\n`, stderr: '' });
    expect(inode(cli)).not.toBe(replaced);
    expect(statSync(cli).mode & 0o777).toBe(0o600);
  });

  it('a source changed after the build (same build id: a patched dist/ file, a reinstall) is not run from the old cache; an old cache no run wrote for a day goes, a fresh one (another install in use) stays', () => {
    const copy = join(work, 'package-copy');
    for (const part of ['bin', 'dist', 'package.json']) cpSync(join(root, part), join(copy, part), { recursive: true });
    const tmp = freshTmp();
    const bin = join(copy, 'bin/t0ken.js');
    expect(run(['token'], tmp, { bin }).code).toBe(0);
    const pack = join(copy, 'dist/cli-commands-token.cjs');
    const oldName = cacheNameOf(pack);
    expect(readdirSync(cacheDirIn(tmp))).toContain(oldName);
    utimesSync(pack, new Date(), new Date(Date.now() + 5_000));
    const patched = run(['token'], tmp, { bin });
    expect(patched.code, patched.stderr).toBe(0);
    expect(patched.opened).not.toContain(join(cacheDirIn(tmp), oldName));
    expect(readdirSync(cacheDirIn(tmp))).toContain(cacheNameOf(pack));
    expect(readdirSync(cacheDirIn(tmp))).toContain(oldName); // written a moment ago: maybe another install's
    // Patched again, with the first version's cache last written two days ago: it goes, the second's stays.
    const secondName = cacheNameOf(pack);
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000);
    utimesSync(join(cacheDirIn(tmp), oldName), twoDaysAgo, twoDaysAgo);
    utimesSync(pack, new Date(), new Date(Date.now() + 10_000));
    expect(run(['token'], tmp, { bin }).code).toBe(0);
    expect(readdirSync(cacheDirIn(tmp))).not.toContain(oldName);
    expect(readdirSync(cacheDirIn(tmp))).toContain(secondName);
    expect(readdirSync(cacheDirIn(tmp))).toContain(cacheNameOf(pack));
  });

  it('is not used, nor even opened, from a cache directory others may write, a link, or a temp directory others may rename things in', () => {
    const open = freshTmp();
    mkdirSync(join(open, `t0ken-code-cache-${uid}`));
    chmodSync(join(open, `t0ken-code-cache-${uid}`), 0o777);
    const elsewhere = freshTmp(); // 0700, this user's: only the link itself is wrong
    const linked = freshTmp();
    symlinkSync(elsewhere, join(linked, `t0ken-code-cache-${uid}`));
    const shared = freshTmp(0o777); // writable by all, no sticky bit
    for (const tmp of [open, linked, shared]) {
      const result = run(['token'], tmp);
      expect(result).toMatchObject({ code: 0, stdout: `${KEY}\n`, stderr: '' });
      expect(result.opened).toEqual([]);
    }
    expect(readdirSync(join(open, `t0ken-code-cache-${uid}`))).toEqual([]);
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(readdirSync(shared)).toEqual([]);
    // With the sticky bit (as /tmp has), others cannot rename what is ours: used.
    const sticky = freshTmp(0o1777);
    expect(run(['token'], sticky).code).toBe(0);
    expect(sourcesIn(cacheDirIn(sticky))).toEqual(['cli-commands-token.cjs', 'cli.cjs']);
  });

  it('a new Node version or build removes the caches no run has written to for a month, and keeps the others', () => {
    const tmp = freshTmp();
    expect(run(['token'], tmp).code).toBe(0);
    const root = join(tmp, `t0ken-code-cache-${uid}`);
    const old = join(root, 'v0.0.0-x64-0000000000000000');
    const recent = join(root, 'v0.0.1-x64-0000000000000000');
    for (const dir of [old, recent]) {
      mkdirSync(dir, { mode: 0o700 });
      writeFileSync(join(dir, 'cli.cjs.1.1'), 'an old cache');
    }
    const longAgo = new Date(Date.now() - 40 * 24 * 60 * 60 * 1000);
    utimesSync(old, longAgo, longAgo);
    // This build's cache is old too, but stays while nothing new comes.
    utimesSync(cacheDirIn(tmp), longAgo, longAgo);
    expect(run(['token'], tmp).code).toBe(0);
    expect(existsSync(old)).toBe(true);
    // A new build (here: this one's directory gone) prunes.
    rmSync(cacheDirIn(tmp), { recursive: true });
    expect(run(['token'], tmp).code).toBe(0);
    expect(readdirSync(root).sort()).toEqual([`${process.version}-${process.arch}-${buildId}`, 'v0.0.1-x64-0000000000000000'].sort());
  });

  it('TMPDIR with trailing slashes is the same place; a build stamp that is not a plain id (a hand-patched dist/cli.cjs) uses no cache', () => {
    const tmp = freshTmp();
    expect(run(['token'], `${tmp}///`).code).toBe(0);
    expect(sourcesIn(cacheDirIn(tmp))).toEqual(['cli-commands-token.cjs', 'cli.cjs']);
    expect(run(['token'], tmp).opened.sort()).toEqual(readdirSync(cacheDirIn(tmp)).map((name) => join(cacheDirIn(tmp), name)).sort());

    const copy = join(work, 'package-stamp');
    for (const part of ['bin', 'dist', 'package.json']) cpSync(join(root, part), join(copy, part), { recursive: true });
    const cli = join(copy, 'dist/cli.cjs');
    for (const stamp of ['../escape', '', `${buildId}/x`]) {
      writeFileSync(cli, readFileSync(join(root, 'dist/cli.cjs'), 'utf8').replace(`t0ken-build:${buildId}*/`, `t0ken-build:${stamp}*/`));
      const other = freshTmp();
      const result = run(['token'], other, { bin: join(copy, 'bin/t0ken.js') });
      expect(result, stamp).toMatchObject({ code: 0, stdout: `${KEY}\n`, stderr: '' });
      expect(result.opened.filter((file) => file.startsWith(other)), stamp).toEqual([]);
      expect(readdirSync(other), stamp).toEqual([]);
    }
  });

  it('a file that throws while it loads is run again by the next require, as Node does, not handed out half-loaded', () => {
    const copy = join(work, 'package-throws');
    for (const part of ['bin', 'package.json']) cpSync(join(root, part), join(copy, part), { recursive: true });
    mkdirSync(join(copy, 'dist'));
    writeFileSync(
      join(copy, 'dist/cli.cjs'),
      `"use strict";/*t0ken-build:0123456789abcdef*/
exports.main = () => {
  const outcomes = [];
  for (let i = 0; i < 2; i++) {
    try { outcomes.push('loaded ' + JSON.stringify(require('./cli-throws.cjs'))); } catch (error) { outcomes.push('threw ' + error.message); }
  }
  process.stdout.write(outcomes.join('\\n') + '\\n');
};
`,
    );
    writeFileSync(join(copy, 'dist/cli-throws.cjs'), `exports.half = true; globalThis.runs = (globalThis.runs ?? 0) + 1; throw new Error('run ' + globalThis.runs);\n`);
    const result = run(['anything'], freshTmp(), { bin: join(copy, 'bin/t0ken.js') });
    expect(result).toMatchObject({ code: 0, stdout: 'threw run 1\nthrew run 2\n', stderr: '' });
  });

  it('a relative TMPDIR, or --debug (source maps), uses no cache', () => {
    const cwd = freshTmp();
    const relative = run(['token'], 'relative-tmp', { cwd });
    expect(relative).toMatchObject({ code: 0, stdout: `${KEY}\n`, stderr: '', opened: [] });
    expect(readdirSync(cwd)).toEqual([]);
    const tmp = freshTmp();
    const debug = run(['token', '--debug'], tmp);
    expect(debug.code, debug.stderr).toBe(0);
    expect(debug.opened).toEqual([]);
    expect(existsSync(join(tmp, `t0ken-code-cache-${uid}`))).toBe(false);
  });

  it.runIf(typeof (process as { execve?: unknown }).execve === 'function')('exec that becomes the program (execve runs no exit handlers) writes its cache before it does', () => {
    const tmp = freshTmp();
    const result = run(['exec', '--', 'sh', '-c', 'echo $$'], tmp);
    expect(result.code, result.stderr).toBe(0);
    expect(Number(result.stdout.trim())).toBe(result.pid); // the program is t0ken's process: no exit handler ran
    expect(sourcesIn(cacheDirIn(tmp))).toContain('cli-commands-exec.cjs');
  });
});
