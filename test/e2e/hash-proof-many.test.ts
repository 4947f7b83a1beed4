import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonError } from '../helpers/cli.js';
import { run as t0ken } from '../helpers/run.js';

// `hash-proof --names-from <file|->`: a fleet's proofs in one process, the key read once.

const KEY = 'sk-ant-MANY-proofs-k3y-Zz1';
const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 't0ken-names-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const run = (args: string[], input?: string) => t0ken(['hash-proof', ...args], { env: { KEY, T0KEN_CONFIG_DIR: join(dir, 'config') }, input });

describe('hash-proof --names-from', () => {
  it('prints one proof a line, in order, exactly as --name would; CRLF and blank lines are fine', async () => {
    const names = ['alpha', 'bot-2', 'x9', 'Fleet-Agent-0042'];
    const result = await run(['--names-from', file('names.txt', `${names[0]}\r\n${names[1]}\n\n${names[2]}\n${names[3]}`), '--key-env', 'KEY']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(names.map((n) => `${sha(`${KEY}|${n}`)}\n`).join(''));
    const single = await run(['--name', 'bot-2', '--key-env', 'KEY']);
    expect(result.stdout.split('\n')[1]).toBe(single.stdout.trim());
    expect(result.stdout + result.stderr).not.toContain(KEY);
  });

  it('--json prints JSON Lines {hash_proof, agent_hash, name}; --short the agent hashes', async () => {
    const path = file('two.txt', 'a1\nb2\n');
    const json = await run(['--names-from', path, '--key-env', 'KEY', '--json']);
    expect(json.code).toBe(0);
    const lines = json.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual(['a1', 'b2'].map((n) => ({ hash_proof: sha(`${KEY}|${n}`), agent_hash: sha(`${KEY}|${n}`).slice(0, 16), name: n })));
    const short = await run(['--names-from', path, '--key-env', 'KEY', '--short']);
    expect(short.stdout).toBe(`${sha(`${KEY}|a1`).slice(0, 16)}\n${sha(`${KEY}|b2`).slice(0, 16)}\n`);
  });

  it('reads the names from stdin with -, the key from --key-env (or a file of names with --key-stdin)', async () => {
    const fromStdin = await run(['--names-from', '-', '--key-env', 'KEY'], 'one1\ntwo2\n');
    expect(fromStdin.code, fromStdin.stderr).toBe(0);
    expect(fromStdin.stdout).toBe(`${sha(`${KEY}|one1`)}\n${sha(`${KEY}|two2`)}\n`);
    const keyOnStdin = await run(['--names-from', file('k.txt', 'one1\n'), '--key-stdin'], `${KEY}\n`);
    expect(keyOnStdin.stdout).toBe(`${sha(`${KEY}|one1`)}\n`);
    const both = await run(['--names-from', '-', '--key-stdin'], `${KEY}\none1\n`);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--key-env');
    expect(both.stdout).toBe('');
  });

  it('a bad name stops the run with its line number: the proofs before it are printed, nothing after it', async () => {
    const path = file('bad.txt', 'good-1\ngood-2\nbad name\nnever-printed\n');
    const result = await run(['--names-from', path, '--key-env', 'KEY']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe(`${sha(`${KEY}|good-1`)}\n${sha(`${KEY}|good-2`)}\n`);
    expect(result.stderr).toMatch(/^t0ken: .*bad\.txt line 3: invalid agent name "bad name"/m);
    const json = await run(['--names-from', path, '--key-env', 'KEY', '--json']);
    expect(json.code).toBe(2);
    expect(json.stdout.trimEnd().split('\n')).toHaveLength(2);
    expect(jsonError(json.stderr).message).toContain('line 3');
    const fromStdin = await run(['--names-from', '-', '--key-env', 'KEY'], '-leading-hyphen\nok-1\n');
    expect(fromStdin.stdout).toBe('');
    expect(fromStdin.stderr).toContain('stdin line 1');
  });

  it('refuses --name with it, a missing file, a directory (exit 2)', async () => {
    expect((await run(['--names-from', file('n.txt', 'a1\n'), '--name', 'a1', '--key-env', 'KEY'])).code).toBe(2);
    const missing = await run(['--names-from', join(dir, 'missing.txt'), '--key-env', 'KEY']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('ENOENT');
    expect((await run(['--names-from', dir, '--key-env', 'KEY'])).code).toBe(2);
  });

  it('both digests (plain below 32 names, node:crypto from 32) give the same proofs, for a key with non-ASCII characters too', async () => {
    const key = 'sk-ключ-🔑-key';
    for (const count of [31, 32, 33]) {
      const names = Array.from({ length: count }, (_, i) => `n-${i}`);
      const result = await t0ken(['hash-proof', '--names-from', file(`n${count}.txt`, names.join('\n')), '--key-env', 'UKEY'], { env: { UKEY: key, T0KEN_CONFIG_DIR: join(dir, 'config') } });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe(names.map((n) => `${sha(`${key}|${n}`)}\n`).join(''));
    }
  });

  it('10,000 names in one process', async () => {
    const names = Array.from({ length: 10_000 }, (_, i) => `agent-${i}`);
    const result = await run(['--names-from', file('fleet.txt', `${names.join('\n')}\n`), '--key-env', 'KEY', '--short']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(10_000);
    expect(lines).toEqual(names.map((n) => sha(`${KEY}|${n}`).slice(0, 16)));
  });
});
