// Usage mistakes a newcomer makes (issue 23 item 5): each is exit 2 with what is wrong, the closest
// right words, and the help that lists them. In-process, but for one run through bin/t0ken.js (the
// shim answers help from build-time text: an unknown command must not get the root help there).
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { run } from '../helpers/run.js';

const t0ken = (args: string[]) => run(args, { env: { T0KEN_CONFIG_DIR: '/nonexistent/t0ken-usage-test' } });

describe('unknown commands', () => {
  it('with --help: exit 2 "unknown command", not the root help and exit 0', async () => {
    for (const args of [['nosuchcommand', '--help'], ['nosuchcommand', '-h'], ['agent', 'craete', '--help']]) {
      const result = await t0ken(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^t0ken: unknown command '(nosuchcommand|craete)'/);
    }
    const spawned = await runCli(['nosuchcommand', '--help']);
    expect(spawned.code).toBe(2);
    expect(spawned.stdout).toBe('');
  });

  it('a mistyped subcommand points to its parent\'s help and the closest command', async () => {
    const result = await t0ken(['agent', 'craete']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("t0ken: unknown command 'craete' of `t0ken agent` (did you mean `t0ken agent create`?)\nRun `t0ken agent --help` to see its commands.\n");
    const credentials = await t0ken(['credentials', 'statsu']);
    expect(credentials.stderr).toMatch(/did you mean `t0ken credentials status`\?/);
  });

  it('"did you mean" for a typo, words in the wrong order and help topics', async () => {
    expect((await t0ken(['regster'])).stderr).toMatch(/did you mean `t0ken register`\?/);
    const swapped = await t0ken(['create', 'agent', '--name', 'x']);
    expect(swapped.code).toBe(2);
    expect(swapped.stderr).toMatch(/unknown command 'create' \(did you mean `t0ken agent create`\?\)/);
    const help = await t0ken(['help', 'regster']);
    expect(help.code).toBe(2);
    expect(help.stderr).toMatch(/did you mean `t0ken help register`\?/);
    expect((await t0ken(['help', 'agent', 'craete'])).stderr).toMatch(/did you mean `t0ken help agent create`\?/);
  });

  it('a key typed where a command goes is not echoed', async () => {
    const result = await t0ken(['sk-ant-api03-AAAAbbbbCCCCddddEEEE1234']);
    expect(result.code).toBe(2);
    expect(result.stderr).not.toContain('AAAAbbbbCCCC');
  });
});

describe('values and arguments', () => {
  it('--client claude suggests both clients it could mean; env --format yaml has a hint', async () => {
    const client = await t0ken(['mcp', 'config', '--client', 'claude', '--', 'server']);
    expect(client.code).toBe(2);
    expect(client.stderr).toMatch(/Did you mean `--client claude-code` or `--client claude-desktop`\?/);
    const yaml = await t0ken(['env', '--format', 'yaml']);
    expect(yaml.code).toBe(2);
    expect(yaml.stderr.split('\n')[1]).toMatch(/dotenv for a \.env file/);
    expect((await t0ken(['env', '--format', 'jsn'])).stderr).toMatch(/Did you mean `--format json`\?/);
  });

  it('a stray argument is named, with the option it belongs to', async () => {
    const create = await t0ken(['agent', 'create', 'my-agent', '--key-env', 'K']);
    expect(create.code).toBe(2);
    expect(create.stderr).toBe("t0ken: unexpected argument 'my-agent': `t0ken agent create` takes no arguments\nDid you mean `--name my-agent`? See `t0ken agent create --help`.\n");
    expect((await t0ken(['claim', 'you@example.com'])).stderr).toMatch(/Did you mean `--email you@example\.com`\?/);
    expect((await t0ken(['verify', '123456'])).stderr).toMatch(/Did you mean `--code 123456`\?/);
  });

  it('a missing value names its option, also when another option follows (not taken as the value)', async () => {
    const followed = await t0ken(['hash-proof', '--name', '--key-stdin']);
    expect(followed.code).toBe(2);
    expect(followed.stderr).toMatch(/^t0ken: --name needs a value \(<name>\), but --key-stdin follows it\n/);
    const last = await t0ken(['agent', 'create', '--name']);
    expect(last.stderr).toMatch(/^t0ken: --name needs a value \(<name>\)\nGive the value right after it: `t0ken agent create --name <name>`/);
    const exec = await t0ken(['exec', '--only']);
    expect(exec.stderr).toMatch(/For example: t0ken exec --only t0ken -- my-agent/); // as before the specs
  });
});

describe('values a flag cannot use', () => {
  it.each([
    [['hash-proof', '--names-from=', '--key-env', 'PATH'], /^t0ken: --names-from is empty\nPass a file with one agent name a line/],
    [['agent', 'create', '--name', 'a1', '--key-env', 'PATH', '--card='], /^t0ken: --card is empty\nPass a file to --card\./],
  ])('%j: names the empty value (it said "--names-from  is not a file", two spaces)', async (args, message) => {
    const result = await run(args, { env: { T0KEN_CONFIG_DIR: '/nonexistent/t0ken-usage-test', MNEMOM_API_KEY: 'mnm_usage_test_key_0123456789', MNEMOM_API_URL: 'http://127.0.0.1:9/v1' } });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('sandbox --host with an address no interface has: the hint is about --host, not --port', async () => {
    const result = await t0ken(['sandbox', '--host', '192.0.2.1', '--port', '0']);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('(EADDRNOTAVAIL)');
    expect(result.stderr).toContain('No interface of this machine has the address 192.0.2.1: pass one it has with --host');
    expect(result.stderr).not.toContain('--port 0');
  });
});

describe('long words shown back', () => {
  it('an unknown option of 100,000 characters is cut at 40, as an unknown command is (it was echoed whole)', async () => {
    const option = `--${'a'.repeat(100_000)}`;
    const result = await t0ken(['token', option]);
    expect(result.code, result.stderr.slice(0, 200)).toBe(2);
    expect(result.stderr).toMatch(/^t0ken: unknown option '--a{40}…'\n/);
    expect(result.stderr.length).toBeLessThan(300);
  });
});
