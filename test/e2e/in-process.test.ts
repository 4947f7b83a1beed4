import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run, useCli } from '../helpers/run.js';

// runCli(argv, io) takes everything from its caller: these runs share one process, so whatever leaked
// (the process's env, stdout, stdin, cwd or clock) would show here.

const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const { sandbox, config, t0ken } = useCli();
const work = mkdtempSync(join(tmpdir(), 't0ken-inproc-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('runCli with io from its caller', () => {
  it('writes the result to the io stdout and the error to the io stderr, with the exit code', async () => {
    const ok = await t0ken(['fingerprint', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).fingerprint).toMatch(/^fp_[0-9a-f]{32}$/);
    const missing = await t0ken(['whoami']);
    expect(missing.code).toBe(3);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(/^t0ken: /);
  });

  it('reads stdin from io: --key-stdin hashes what the test typed', async () => {
    const result = await t0ken(['hash-proof', '--name', 'bot-1', '--key-stdin'], { input: 'sk-in-process\n' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`${sha('sk-in-process|bot-1')}\n`);
  });

  it('reads relative paths from io cwd', async () => {
    writeFileSync(join(work, 'names.txt'), 'alpha\nbeta\n');
    const result = await t0ken(['hash-proof', '--names-from', 'names.txt', '--key-env', 'KEY'], { cwd: work, env: { KEY: 'k' } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`${sha('k|alpha')}\n${sha('k|beta')}\n`);
  });

  it('takes env per run: two runs with different config dirs do not see each other', async () => {
    expect((await t0ken(['register'])).code).toBe(0);
    const other = join(work, 'other-config');
    const elsewhere = await run(['whoami'], { env: sandbox.env(other) });
    expect(elsewhere.code).toBe(3);
    expect((await t0ken(['whoami', '--json'])).code).toBe(0);
  });

  it('reads the clock from io: a pending claim is expired when io.now says so', async () => {
    expect((await t0ken(['register'])).code).toBe(0);
    expect((await t0ken(['claim', '--email', 'owner@example.com'])).code).toBe(0);
    const now = await t0ken(['whoami', '--json']);
    expect(JSON.parse(now.stdout).claim).toMatchObject({ state: 'pending', expired: false });
    const later = await t0ken(['whoami', '--json'], { now: () => Date.now() + 365 * 24 * 3600_000 });
    expect(JSON.parse(later.stdout).claim).toMatchObject({ state: 'pending', expired: true });
  });

  it('sends commander help and usage errors to the io streams', async () => {
    const help = await t0ken(['agent', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: t0ken agent');
    const bad = await t0ken(['whoami', '--no-such-flag']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--no-such-flag');
  });

  it('colours only a terminal the io says is one', async () => {
    const plain = await t0ken(['whoami']);
    const coloured = await t0ken(['whoami'], { isTTY: { stderr: true } });
    expect(plain.stderr).not.toContain('\u001b[');
    expect(coloured.stderr).toContain('\u001b[');
    expect(config.dir).toContain('t0ken-test-');
  });
});
