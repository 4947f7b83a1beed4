import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

/**
 * bin/code-cache.cjs compiles the CLI from V8's code cache of an earlier run, on every Node line:
 * kept per Node version and build in <TMPDIR>/t0ken-code-cache-<uid>/, written when a file had none
 * or V8 refused it. A cache that is taken is not written again, so an unchanged inode means V8
 * accepted it.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 't0ken-code-cache-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const uid = process.getuid?.() ?? 0;
const buildId = /^"use strict";\/\*t0ken-build:(\w+)\*\//.exec(readFileSync(join(root, 'dist/cli.cjs'), 'utf8'))?.[1];
const KEY = 'omx_agent_codeCacheCheckKey0001';

let counter = 0;
function freshTmp(): string {
  const dir = join(work, `tmp-${counter++}`);
  mkdirSync(dir);
  return dir;
}
const cacheDirIn = (tmp: string) => join(tmp, `t0ken-code-cache-${uid}`, `${process.version}-${process.arch}-${buildId}`);
const run = (args: string[], tmp: string, env: Record<string, string> = {}) =>
  runCli(args, { env: { TMPDIR: tmp, T0KEN_API_KEY: KEY, T0KEN_CONFIG_DIR: join(work, 'config'), ...env } });
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

  it('the first run writes the cache of the files it loaded (0600 in a 0700 directory), the next takes it, another command adds its own', async () => {
    const tmp = freshTmp();
    const first = await run(['token'], tmp);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe(`${KEY}\n`);
    const dir = cacheDirIn(tmp);
    expect(readdirSync(dir).sort()).toEqual(['cli-commands-token.cjs', 'cli.cjs']);
    expect(statSync(join(tmp, `t0ken-code-cache-${uid}`)).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'cli.cjs')).mode & 0o777).toBe(0o600);
    const before = { cli: inode(join(dir, 'cli.cjs')), token: inode(join(dir, 'cli-commands-token.cjs')) };

    const second = await run(['token'], tmp);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe(`${KEY}\n`);
    expect({ cli: inode(join(dir, 'cli.cjs')), token: inode(join(dir, 'cli-commands-token.cjs')) }).toEqual(before);

    // env's own pack is new: it is written, and so is cli.cjs's, which now holds what env ran.
    const third = await run(['env'], tmp);
    expect(third.code, third.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['cli-commands-env.cjs', 'cli-commands-token.cjs', 'cli.cjs']);
    expect(inode(join(dir, 'cli.cjs'))).not.toBe(before.cli);
    expect(inode(join(dir, 'cli-commands-token.cjs'))).toBe(before.token);
  });

  it('a cache V8 refuses (not a cache at all) is replaced, and the command runs as usual', async () => {
    const tmp = freshTmp();
    const dir = cacheDirIn(tmp);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(join(tmp, `t0ken-code-cache-${uid}`), 0o700);
    writeFileSync(join(dir, 'cli.cjs'), 'not a code cache');
    writeFileSync(join(dir, 'cli-commands-token.cjs'), Buffer.alloc(4096, 7));
    const result = await run(['token'], tmp);
    expect(result).toMatchObject({ code: 0, stdout: `${KEY}\n`, stderr: '' });
    expect(statSync(join(dir, 'cli.cjs')).size).toBeGreaterThan(10_000);
    const replaced = inode(join(dir, 'cli.cjs'));
    expect((await run(['token'], tmp)).code).toBe(0);
    expect(inode(join(dir, 'cli.cjs'))).toBe(replaced); // the new one was taken
  });

  it('a cache directory others may write, or a symbolic link, is not used (its files could be anyone\'s code); the command runs as usual', async () => {
    const open = freshTmp();
    mkdirSync(join(open, `t0ken-code-cache-${uid}`));
    chmodSync(join(open, `t0ken-code-cache-${uid}`), 0o777);
    const elsewhere = freshTmp();
    const linked = freshTmp();
    symlinkSync(elsewhere, join(linked, `t0ken-code-cache-${uid}`));
    for (const tmp of [open, linked]) {
      const result = await run(['token'], tmp);
      expect(result).toMatchObject({ code: 0, stdout: `${KEY}\n`, stderr: '' });
    }
    expect(readdirSync(join(open, `t0ken-code-cache-${uid}`))).toEqual([]);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('a relative TMPDIR, or --debug (source maps), writes no cache', async () => {
    const cwd = freshTmp();
    const relative = await runCli(['token'], { cwd, env: { TMPDIR: 'relative-tmp', T0KEN_API_KEY: KEY, T0KEN_CONFIG_DIR: join(work, 'config') } });
    expect(relative).toMatchObject({ code: 0, stdout: `${KEY}\n`, stderr: '' });
    expect(readdirSync(cwd)).toEqual([]);
    const tmp = freshTmp();
    const debug = await run(['token', '--debug'], tmp);
    expect(debug.code, debug.stderr).toBe(0);
    expect(existsSync(join(tmp, `t0ken-code-cache-${uid}`))).toBe(false);
  });

  it.runIf(typeof (process as { execve?: unknown }).execve === 'function')('exec that becomes the program (execve runs no exit handlers) writes its cache before it does', async () => {
    const tmp = freshTmp();
    const result = await run(['exec', '--', 'true'], tmp);
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(cacheDirIn(tmp))).toContain('cli-commands-exec.cjs');
  });
});
