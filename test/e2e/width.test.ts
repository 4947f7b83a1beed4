// Help and tables fit the terminal (issue 23 item 6): stdout's columns, else COLUMNS, else 80 for
// help (the build-time help is 80 wide, so a narrower terminal gets the CLI's own at its width).
import { describe, expect, it } from 'vitest';
import { manifest } from '../../src/commands/manifest.js';
import { runCli } from '../helpers/cli.js';
import { useCli } from '../helpers/run.js';

const { t0ken } = useCli();
// Visible width: without the colour a terminal run gets.
const longest = (text: string) => Math.max(...text.replace(/\x1b\[[0-9;]*m/g, '').split('\n').map((line) => line.length));

describe('help', () => {
  it('every command\'s help fits 80 columns, its Environment lines included', async () => {
    const specs = await manifest();
    for (const spec of [specs.program, ...specs.commands]) {
      const help = await t0ken([...spec.path, '--help']);
      expect(help.code, spec.path.join(' ')).toBe(0);
      expect(longest(help.stdout), `${spec.path.join(' ')} --help`).toBeLessThanOrEqual(80);
    }
    for (const topic of ['environment', 'exit-codes']) expect(longest((await t0ken(['help', topic])).stdout)).toBeLessThanOrEqual(80);
  });

  it('at a 60-column terminal (in-process) and with COLUMNS=60 (through bin/t0ken.js and its build-time help), it fits 60', async () => {
    const atTerminal = await t0ken(['register', '--help'], { isTTY: true, columns: 60 });
    expect(longest(atTerminal.stdout)).toBeLessThanOrEqual(60);
    expect(atTerminal.stdout).toMatch(/Environment:\n {2}T0KEN_API_URL/);
    for (const args of [['verify', '--help'], ['--help'], ['help', 'exit-codes'], ['help', 'environment']]) {
      const spawned = await runCli(args, { env: { COLUMNS: '60' } });
      expect(spawned.code).toBe(0);
      expect(longest(spawned.stdout), args.join(' ')).toBeLessThanOrEqual(60);
    }
    // Wider than 80: the 80-column text, as built.
    expect((await runCli(['verify', '--help'], { env: { COLUMNS: '200' } })).stdout).toBe((await runCli(['verify', '--help'])).stdout);
  });
});

describe('tables', () => {
  it('whoami and agent list fit a 60-column terminal (agent list one block per agent, not a broken header)', async () => {
    const env = { MNEMOM_API_KEY: 'mnm_width_test_0123456789abcdef', PROVIDER_KEY: 'sk-ant-width-0123456789' };
    expect((await t0ken(['register', '-q'])).code).toBe(0);
    const whoami = await t0ken(['whoami'], { isTTY: { stdout: true }, columns: 60 });
    expect(longest(whoami.stdout)).toBeLessThanOrEqual(60);
    expect((await t0ken(['agent', 'create', '--name', 'wide-table', '--key-env', 'PROVIDER_KEY', '-q'], { env })).code).toBe(0);
    const list = await t0ken(['agent', 'list'], { env, isTTY: { stdout: true }, columns: 60 });
    expect(longest(list.stdout)).toBeLessThanOrEqual(60);
    expect(list.stdout.replace(/\x1b\[[0-9;]*m/g, ''), list.stderr).toMatch(/^id +mnm-\S+\nname +wide-table\ncreated +\d{4}/m);
    // A pipe without COLUMNS: rows stay whole, for grep and awk.
    expect((await t0ken(['agent', 'list'], { env })).stdout).toMatch(/^ID +NAME +CREATED +LAST SEEN\n/);
  });
});
