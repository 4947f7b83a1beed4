import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli, type RunResult } from '../helpers/cli.js';
import { useConfigDir, useSandbox } from '../helpers/sandbox.js';

// A trailing `--` is something only commander handles, so `args` and `[...args, '--']` run the same
// command through the fast path and through commander. Both must behave alike, byte for byte.
const root = fileURLToPath(new URL('../..', import.meta.url));
const logRequires = join(root, 'test/helpers/log-requires.cjs');

const sandbox = useSandbox();
const config = useConfigDir('shared', 't0ken-fast-path-');
let counter = 0;

async function run(args: string[], input: string, extraEnv: Record<string, string>): Promise<RunResult & { commander: boolean }> {
  const log = join(config.dir, '..', `requires-${counter++}.log`);
  const result = await runCli(args, {
    env: sandbox.env(config.dir, { NODE_OPTIONS: `--require=${logRequires}`, T0KEN_IMPORT_LOG: log, ...extraEnv }),
    input,
  });
  const commander = existsSync(log) && readFileSync(log, 'utf8').includes('/dist/vendor/commander.cjs');
  rmSync(log, { force: true });
  return { ...result, commander };
}

async function expectAlike(args: string[], input = '', extraEnv: Record<string, string> = {}): Promise<RunResult> {
  const fast = await run(args, input, extraEnv);
  const slow = await run([...args, '--'], input, extraEnv);
  expect(fast.commander, `${args.join(' ')} loaded commander`).toBe(false);
  expect(slow.commander, `${args.join(' ')} -- did not load commander`).toBe(true);
  // Mnemom names each request differently: request ids are the one thing allowed to differ.
  const same = (text: string) => text.replace(/req_[0-9a-f]{24}/g, 'req_…');
  expect({ code: fast.code, stdout: fast.stdout, stderr: same(fast.stderr) }, args.join(' ')).toEqual({ code: slow.code, stdout: slow.stdout, stderr: same(slow.stderr) });
  return fast;
}

describe('the fast path and commander run a command alike', () => {
  it('before any account exists', async () => {
    expect((await expectAlike(['token'])).code).toBe(3);
    expect((await expectAlike(['whoami', '--json'])).code).toBe(3);
    expect((await expectAlike(['agent', 'list', '--json'])).code).toBe(3);
  });

  it('once an account is stored', async () => {
    const registered = await run(['register', '--json'], '', { T0KEN_FINGERPRINT: 'fp_00112233445566778899aabbccddeeff' });
    expect(registered.code, registered.stderr).toBe(0);
    expect((await expectAlike(['token'])).stdout).toMatch(/^omx_agent_/);
    expect((await expectAlike(['--json', 'status'])).code).toBe(0);
    expect((await expectAlike(['whoami', '-q', '--no-color'])).code).toBe(0);
    expect((await expectAlike(['logout', '--no-input'])).code).toBe(2); // asks for --yes, deletes nothing
    expect((await expectAlike(['token', '--json'])).code).toBe(0);
  });

  it('for local commands and for bad values', async () => {
    expect((await expectAlike(['fingerprint', '--explain'])).code).toBe(0);
    expect((await expectAlike(['hash-proof', '--name=my-agent', '--key-stdin', '--json'], 'sk-fast-path-test-key\n')).stdout).toContain('"hash_proof"');
    expect((await expectAlike(['hash-proof', '--key-env', 'T0KEN_FAST_PATH_UNSET'])).code).toBe(2);
    expect((await expectAlike(['hash-proof', '--name', 'no spaces allowed', '--key-stdin'], 'sk-x\n')).code).toBe(2);
    expect((await expectAlike(['claim', '--email', 'not-an-email', '--json'])).code).toBe(2);
    expect((await expectAlike(['verify', '--code', '12', '--json'])).code).toBe(2);
    expect((await expectAlike(['token', '--timeout', 'soon'])).code).toBe(2);
  });

  it('for the agent commands that take an id or a name', async () => {
    const env = { MNEMOM_API_KEY: 'mnm_fast_path_agent_key_0123456789', PK: 'sk-fast-path-provider' };
    expect((await expectAlike(['agent', 'show', 'smolt-00000000', '--json'], '', env)).code).toBe(4);
    expect((await expectAlike(['agent', 'show', 'no-such-name'], '', env)).code).toBe(4);
    expect((await expectAlike(['agent', 'claim', 'not-an-id', '--key-env', 'PK'], '', env)).code).toBe(2);
    expect((await expectAlike(['agent', 'rekey', 'smolt-0000abcd', '--key-stdin', '--json'], 'sk-new\n', env)).code).toBe(4);
  });
});
