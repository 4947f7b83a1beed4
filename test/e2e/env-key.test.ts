import { readFileSync, writeFileSync } from 'node:fs';
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

describe('a T0KEN_API_KEY no request can carry', () => {
  it.each([['a line end after it (a key read from a file written on Windows)', '\r'], ['a space inside', ' x'], ['too short', null]])(
    '%s: a request is exit 2 naming T0KEN_API_KEY, with a next step, before anything is sent (not "cannot reach", retried)',
    async (_label, suffix) => {
      const { key, fp } = await registerElsewhere();
      const value = suffix === null ? 'omx_1' : `${key}${suffix}`;
      const env = { T0KEN_CONFIG_DIR: empty.dir, T0KEN_API_URL: sandbox.t0kenUrl, T0KEN_API_KEY: value, T0KEN_FINGERPRINT: fp };
      const requestsBefore = sandbox.requests.length;
      const result = await run(['stats'], { env });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^t0ken: T0KEN_API_KEY is not an API key: [^\n]+\nSet it to the key `t0ken token` prints where the machine registered, or unset it to use the stored key\.\n$/);
      expect(jsonError((await run(['stats', '--json'], { env })).stderr)).toMatchObject({ code: 'invalid_input' });
      const stored = await run(['stats'], { env: { ...env, T0KEN_CONFIG_DIR: registered.dir } }); // the stored account's session too
      expect(stored.code).toBe(2);
      expect(sandbox.requests.length).toBe(requestsBefore);
      // Handed on as it is, as before: `token --json` carries it exactly.
      expect(JSON.parse((await run(['token', '--json'], { env })).stdout)).toEqual({ api_key: value });
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

describe('a stored key that no request can carry (config.json edited by hand)', () => {
  /** Appends a control character to the stored key of `section` (t0ken or mnemom) for `url`. */
  function damage(section: 't0ken' | 'mnemom', url: string): void {
    const file = join(registered.dir, 'config.json');
    const config = JSON.parse(readFileSync(file, 'utf8'));
    config[section][url].api_key += '\u0001x';
    writeFileSync(file, JSON.stringify(config, null, 2), { mode: 0o600 });
  }

  it('stats: exit 7, one line naming the damaged key and how to store it again, and no request (it was exit 5 after three attempts, blaming the proxy)', async () => {
    await registerElsewhere();
    damage('t0ken', sandbox.t0kenUrl);
    const before = sandbox.requests.length;
    const result = await run(['stats'], { env: { T0KEN_CONFIG_DIR: registered.dir, T0KEN_API_URL: sandbox.t0kenUrl } });
    expect(result.code, result.stderr).toBe(7);
    expect(result.stderr).toMatch(/^t0ken: the t0ken API key for \S+ stored in config\.json is damaged: [^\n]+\nStore it again with `t0ken register --force`[^\n]*\n$/);
    expect(sandbox.requests.length).toBe(before);
  });

  it('agent list with a damaged stored Mnemom key: exit 7 the same way', async () => {
    const env = { T0KEN_CONFIG_DIR: registered.dir, MNEMOM_API_URL: sandbox.mnemomUrl, MNEMOM_API_KEY: '' };
    const login = await run(['agent', 'login', '--with-token'], { env, input: 'mnm_damaged_key_test_0123456789' });
    expect(login.code, login.stderr).toBe(0);
    damage('mnemom', sandbox.mnemomUrl);
    const before = sandbox.requests.length;
    const result = await run(['agent', 'list'], { env });
    expect(result.code, result.stderr).toBe(7);
    expect(result.stderr).toMatch(/^t0ken: the Mnemom key for \S+ stored in config\.json is damaged: [^\n]+\nStore it again with `printf %s "\$MNEMOM_API_KEY" \| t0ken agent login --with-token`\.\n$/);
    expect(sandbox.requests.length).toBe(before);
  });
});
