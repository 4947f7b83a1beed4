import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonError } from '../helpers/cli.js';
import { run } from '../helpers/run.js';
import { useConfigDir, useSandbox } from '../helpers/sandbox.js';
import { authHintFor } from '../../src/api/t0ken.js';

// A newcomer's first hour (issue 15, items 10 and 11): T0KEN_API_KEY alone, and logouts with nothing stored.

const sandbox = useSandbox();
const registered = useConfigDir(); // both fresh per test
const empty = useConfigDir();

/** Registers in one config dir and returns the key and the service's name for the machine. */
async function registerElsewhere(): Promise<{ key: string; fp: string }> {
  const result = await run(['register'], { env: { T0KEN_CONFIG_DIR: registered.dir, T0KEN_API_URL: sandbox.t0kenUrl } });
  expect(result.code, result.stderr).toBe(0);
  const account = JSON.parse(readFileSync(join(registered.dir, 'config.json'), 'utf8')).t0ken[sandbox.t0kenUrl];
  return { key: account.api_key, fp: account.machine_fingerprint };
}

describe('T0KEN_API_KEY with nothing stored', () => {
  it('whoami shows the key (masked), where it came from, and the fingerprint it would use', async () => {
    const { key } = await registerElsewhere();
    const env = { T0KEN_CONFIG_DIR: empty.dir, T0KEN_API_URL: sandbox.t0kenUrl, T0KEN_API_KEY: key };
    const human = await run(['whoami'], { env });
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/from T0KEN_API_KEY; nothing is stored/);
    expect(human.stdout).not.toContain(key);
    const doc = JSON.parse((await run(['whoami', '--json'], { env })).stdout);
    expect(doc).toMatchObject({ stored: false, api_key_source: 'T0KEN_API_KEY', machine_fingerprint: expect.stringMatching(/^fp_[0-9a-f]{32}$/) });
    const pinned = JSON.parse((await run(['whoami', '--json'], { env: { ...env, T0KEN_FINGERPRINT: `fp_${'c'.repeat(32)}` } })).stdout);
    expect(pinned).toMatchObject({ machine_fingerprint: `fp_${'c'.repeat(32)}`, fingerprint_source: 'T0KEN_FINGERPRINT' });
  });

  it('stats works with T0KEN_FINGERPRINT set to the service\'s name for the machine', async () => {
    const { key, fp } = await registerElsewhere();
    const result = await run(['stats', '--json'], { env: { T0KEN_CONFIG_DIR: empty.dir, T0KEN_API_URL: sandbox.t0kenUrl, T0KEN_API_KEY: key, T0KEN_FINGERPRINT: fp } });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toHaveProperty('total_memories');
  });

  it('stats with a fingerprint the service does not know says how to give it the right one', async () => {
    const { key } = await registerElsewhere();
    const result = await run(['stats', '--json'], { env: { T0KEN_CONFIG_DIR: empty.dir, T0KEN_API_URL: sandbox.t0kenUrl, T0KEN_API_KEY: key, T0KEN_FINGERPRINT: `fp_${'d'.repeat(32)}` } });
    expect(result.code).toBe(4);
    expect(jsonError(result.stderr).hint).toMatch(/set T0KEN_FINGERPRINT to the machine_fingerprint/);
  });

  it('claim, which needs the stored account, says T0KEN_API_KEY was seen and what else is needed', async () => {
    const result = await run(['claim', '--email', 'a@example.com'], { env: { T0KEN_CONFIG_DIR: empty.dir, T0KEN_API_URL: sandbox.t0kenUrl, T0KEN_API_KEY: 'omx_agent_whatever000000000000' } });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/T0KEN_API_KEY is set, but this command also needs/);
  });

  it('a rejected key\'s hint says truthfully what register --force does: a sandbox forgot it, the real service gives the same key', async () => {
    const result = await run(['stats'], { env: { T0KEN_CONFIG_DIR: empty.dir, T0KEN_API_URL: sandbox.t0kenUrl, T0KEN_API_KEY: 'omx_agent_notakey000000000000' } });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/sandbox restarted without --state/);
    expect(result.stderr).toMatch(/t0ken register --force/);
    expect(result.stderr).not.toMatch(/for a new one/);
    // The service this hint speaks of for a remote API is not reachable from a test: its text, as the command would print it.
    expect(authHintFor('https://t0ken.ai/api/v1')).toMatch(/same key for the same machine/);
    expect(authHintFor('https://t0ken.ai/api/v1')).not.toMatch(/sandbox/);
  });
});

describe('a T0KEN_API_KEY that is no key', () => {
  it('a line end around it (a key read from a file written on Windows) is not part of the key', async () => {
    const { key, fp } = await registerElsewhere();
    const env = { T0KEN_CONFIG_DIR: empty.dir, T0KEN_API_URL: sandbox.t0kenUrl, T0KEN_API_KEY: ` ${key}\r\n`, T0KEN_FINGERPRINT: fp };
    expect(await run(['token'], { env })).toMatchObject({ code: 0, stdout: `${key}\n` });
    expect((await run(['stats', '--json'], { env })).code).toBe(0);
    const handed = await run(['env', '--format', 'json'], { env });
    expect(JSON.parse(handed.stdout)).toMatchObject({ T0KEN_API_KEY: key, MEMORYX_API_KEY: key });
  });

  it.each([['a space inside', 'omx_agent_abc def_0123456789'], ['a carriage return inside', 'omx_agent_abc\rdef_0123456789'], ['too short', 'omx_1']])(
    '%s: exit 2 naming T0KEN_API_KEY, with a next step, before any request (not "cannot reach", retried)',
    async (_label, value) => {
      const env = { T0KEN_CONFIG_DIR: empty.dir, T0KEN_API_URL: sandbox.t0kenUrl, T0KEN_API_KEY: value, T0KEN_FINGERPRINT: `fp_${'d'.repeat(32)}` };
      const requestsBefore = sandbox.requests.length;
      for (const args of [['stats'], ['token'], ['whoami'], ['env'], ['exec', '--', 'true']]) {
        const result = await run(args, { env });
        expect(result.code, args.join(' ')).toBe(2);
        expect(result.stderr).toMatch(/^t0ken: T0KEN_API_KEY is not an API key: [^\n]+\nSet it to the key `t0ken token` prints where the machine registered, or unset it to use the stored key\.\n$/);
        expect(result.stdout).toBe('');
      }
      expect((await run(['stats', '--json'], { env })).stderr).toContain('"code":"invalid_input"');
      expect(sandbox.requests.length).toBe(requestsBefore);
    },
  );
});

describe('logout with nothing stored', () => {
  it.each([[['logout', '--yes']], [['agent', 'logout']]])('%j: exit 0, nothing to forget', async (args) => {
    const result = await run([...args], { env: { T0KEN_CONFIG_DIR: empty.dir, T0KEN_API_URL: sandbox.t0kenUrl, MNEMOM_API_URL: sandbox.mnemomUrl } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Nothing to forget/);
    const json = await run([...args, '--json'], { env: { T0KEN_CONFIG_DIR: empty.dir, T0KEN_API_URL: sandbox.t0kenUrl, MNEMOM_API_URL: sandbox.mnemomUrl } });
    expect(JSON.parse(json.stdout).logged_out).toBe(false);
  });
});
