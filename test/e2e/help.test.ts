import { describe, expect, it } from 'vitest';
import { collectManifest } from '../../src/commands/manifest.js';
import { ENVIRONMENT } from '../../src/core/environment.js';
import { jsonError, runCli } from '../helpers/cli.js';
import { run } from '../helpers/run.js';
import { useConfigDir, useSandbox } from '../helpers/sandbox.js';

const COMMANDS: Array<[string[], boolean]> = [
  [['register'], true], [['whoami'], true], [['token'], true], [['claim'], true], [['verify'], true], [['stats'], true], [['logout'], true],
  [['hash-proof'], false], [['agent'], true], [['agent', 'create'], true], [['agent', 'list'], true], [['agent', 'login'], true], [['agent', 'logout'], true],
  [['agent', 'show'], true], [['agent', 'claim'], true], [['agent', 'rekey'], true],
  [['fingerprint'], true], [['completion'], false], [['sandbox'], false], [['help'], false],
];

describe('help', () => {
  it.each(COMMANDS)('%j --help: summary, options, examples (and the env vars it reads)', async (command, readsEnv) => {
    const result = await run([...command, '--help']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^Usage: t0ken /);
    expect(result.stdout).toMatch(/\nOptions:\n/);
    expect(result.stdout).toMatch(/\nExamples:\n {2}\$ t0ken|\nExamples:\n {2}\$ \S+.*t0ken/);
    if (readsEnv) expect(result.stdout).toMatch(/\nEnvironment:\n {2}[A-Z0-9_]+ /);
  });

  it('t0ken --help groups commands and ends with the docs pointer', async () => {
    const result = await run(['--help']);
    expect(result.stdout).toContain('Machine account:');
    expect(result.stdout).toContain('Agents (Mnemom):');
    expect(result.stdout).toContain('Tools:');
    expect(result.stdout.trimEnd().split('\n').at(-1)).toMatch(/^Docs: https:\/\//);
  });

  it('help exit-codes and help environment print the contract tables', async () => {
    const codes = await run(['help', 'exit-codes']);
    for (const code of [0, 1, 2, 3, 4, 5, 6, 7, 130]) expect(codes.stdout).toMatch(new RegExp(`^\\s+${code}\\s+\\S`, 'm'));
    const envs = await run(['help', 'environment']);
    for (const name of ['T0KEN_API_URL', 'T0KEN_API_KEY', 'T0KEN_CONFIG_DIR', 'T0KEN_FINGERPRINT', 'T0KEN_DEBUG', 'MNEMOM_API_URL', 'MNEMOM_TOKEN', 'MNEMOM_API_KEY', 'NO_COLOR', 'FORCE_COLOR', 'CI', 'HTTPS_PROXY']) {
      expect(envs.stdout).toContain(name);
    }
    expect((await run(['help', 'agent', 'create'])).stdout).toMatch(/^Usage: t0ken agent create/);
    expect((await run(['help', 'nope'])).code).toBe(2);
    for (const extra of [['help', 'exit-codes', 'extra'], ['help', 'environment', 'x'], ['help', 'agent', 'create', 'x']]) {
      const result = await run(extra);
      expect(result.code, extra.join(' ')).toBe(2); // was exit 0, the word after the topic ignored
      expect(result.stderr).toContain('nothing goes after it');
    }
  });

  it('no help text breaks a sentence after a few words (a line break written into the text, then wrapped again)', async () => {
    const { commands } = await collectManifest();
    for (const spec of commands) {
      const lines = (await run([...spec.path, '--help'], { env: { COLUMNS: '80' } })).stdout.split('\n');
      for (let i = 0; i + 1 < lines.length; i++) {
        const [line, next] = [lines[i]!, lines[i + 1]!];
        // Prose, not an indented option or example: a short line whose sentence goes on below was cut.
        if (line !== '' && !line.startsWith(' ') && line.length < 40 && /^[a-z$]/.test(next)) {
          expect.fail(`t0ken ${spec.path.join(' ')} --help breaks after ${JSON.stringify(line)}, then ${JSON.stringify(next)}`);
        }
      }
    }
  });

  it('fits a narrow terminal (COLUMNS=40): descriptions go under their option or variable, wrapped, not out to 100 columns', async () => {
    const { commands } = await collectManifest();
    for (const path of [[], ...commands.map((spec) => spec.path)]) {
      const text = (await run([...path, '--help'], { env: { COLUMNS: '40' } })).stdout;
      // What cannot be broken may stand out: the usage line, or a line holding one word too long for the room.
      const over = text.split('\n').filter((line) => line.length > 40 && !line.startsWith('Usage:') && !/^ *\S+ ?\\?$/.test(line) && !line.trim().split(' ').some((word) => word.length > 18));
      expect(over, `t0ken ${path.join(' ')} --help`).toEqual([]);
    }
  });

  it('every variable a command\'s help lists is described there and in help environment', async () => {
    const { commands } = await collectManifest();
    const listed = new Set(commands.flatMap((spec) => spec.environment ?? []));
    expect(listed.size).toBeGreaterThan(5);
    const all = (await run(['help', 'environment'])).stdout;
    for (const name of listed) {
      expect(ENVIRONMENT[name], name).toMatch(/\S/);
      expect(all, name).toMatch(new RegExp(`^ {2}${name} +\\S`, 'm'));
    }
    const codex = await run(['mcp', 'config', '--help']);
    expect(codex.stdout).toMatch(/^ {2}CODEX_HOME +\S/m);
  });
});

describe('every error path says what to do next', () => {
  const config = useConfigDir('shared');
  const cases: Array<[string, string[], Record<string, string>, number]> = [
    ['unknown flag', ['stats', '--bogus'], {}, 2],
    ['unknown command', ['frobnicate'], {}, 2],
    ['bad agent name', ['hash-proof', '--name', '-x-', '--key-env', 'HOME'], {}, 2],
    ['missing value off a terminal', ['hash-proof'], {}, 2],
    ['http:// to a remote host', ['stats'], { T0KEN_API_URL: 'http://example.com/api' }, 2],
    ['unknown shell', ['completion', 'tcsh'], {}, 2],
    ['nothing stored', ['whoami'], {}, 3],
    ['refused connection', ['register'], { T0KEN_API_URL: 'http://127.0.0.1:9/api/v1', T0KEN_FINGERPRINT: `fp_${'f'.repeat(32)}` }, 5],
    ['unreadable config', ['whoami'], { T0KEN_CONFIG_DIR: '/dev/null/x' }, 7],
  ];
  it.each(cases)('%s: "t0ken: …" then a hint; with --json an error object with a hint', async (_label, args, env, code) => {
    const base = { T0KEN_CONFIG_DIR: config.dir, ...env };
    const human = await run(args, { env: base });
    expect(human.code).toBe(code);
    const lines = human.stderr.trimEnd().split('\n');
    expect(lines.at(-2)).toMatch(/^t0ken: \S/);
    expect(lines.at(-1)!.trim().length).toBeGreaterThan(5);
    const json = await run([...args, '--json'], { env: base });
    expect(json.code).toBe(code);
    expect(json.stdout).toBe('');
    const error = jsonError(json.stderr);
    expect(error.code).toMatch(/^[a-z_]+$/);
    expect(error.hint?.length).toBeGreaterThan(5);
  });
});

describe('service errors carry hints too', () => {
  const sandbox = useSandbox();
  const config = useConfigDir('shared');

  it('a rejected code (4) and a conflict (6)', async () => {
    const env = sandbox.env(config.dir, { T0KEN_FINGERPRINT: `fp_${'9'.repeat(32)}`, MNEMOM_API_KEY: 'mnm_hint_test_key_0123456789', PK: 'sk-hint' });
    await run(['register'], { env });
    await run(['claim', '--email', 'h@example.com'], { env });
    const code = JSON.parse((await run(['whoami', '--json'], { env })).stdout).claim.state === 'pending' ? '000001' : '000000';
    const rejected = await run(['verify', '--code', code], { env });
    expect(rejected.code).toBe(4);
    expect(rejected.stderr).toMatch(/^t0ken: .+\n.*t0ken (verify|claim)/);
    await run(['agent', 'create', '--name', 'hint-agent', '--key-env', 'PK'], { env });
    const conflict = await run(['agent', 'create', '--name', 'hint-agent', '--key-env', 'PK', '--json'], { env });
    expect(conflict.code).toBe(6);
    expect(jsonError(conflict.stderr).hint).toContain('--if-exists ok');
  });
});

describe('help and completion scripts from build-time text', () => {
  // The shim prints them without loading the CLI; in-process, runCli has commander print them (as
  // T0KEN_NO_STATIC_TEXT=1 does in a process).
  it.each([[[]], [['--help']], [['agent', 'claim', '--help']], [['help', 'agent', 'rekey']], [['help', 'exit-codes']], [['help', 'environment']], [['status', '-h']], [['completion', 'fish']]])(
    '%j: the same bytes and exit code as through commander',
    async (args) => {
      const fixed = await runCli(args);
      const live = await run(args);
      expect(fixed.code).toBe(0);
      expect({ code: fixed.code, stdout: fixed.stdout, stderr: fixed.stderr }).toEqual({ code: live.code, stdout: live.stdout, stderr: live.stderr });
    },
  );
});
