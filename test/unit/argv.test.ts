import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { mayNameStaticText, parseArgv, staticTextKey } from '../../src/core/argv.js';
import { argvView, optionShape, type Manifest } from '../../src/core/command-spec.js';
import { commanderProgram } from '../../src/commands/commander-program.js';
import { collectManifest } from '../../src/commands/manifest.js';
import { mulberry32 } from '../helpers/random.js';

const manifest = await collectManifest();
// What the build inlines for the parsers: the same specs without their prose.
const specs = argvView(manifest);
const fastRun = (args: readonly string[]) => {
  const parsed = parseArgv(specs, args);
  if (parsed?.kind !== 'run') return undefined;
  return { name: parsed.command, options: parsed.options, globals: parsed.globals, args: parsed.args };
};

type CommanderResult =
  | { ok: true; name: string; options: Record<string, unknown>; all: Record<string, unknown>; args: string[] }
  | { ok: false; error: string };

function silence(command: Command): void {
  command.exitOverride();
  command.configureOutput({ writeOut: () => {}, writeErr: () => {}, outputError: () => {} });
  for (const sub of command.commands) silence(sub);
}

/** What commander makes of argv: the command it would run and the options it would hand over. */
async function commanderParse(args: string[]): Promise<CommanderResult> {
  let result: CommanderResult = { ok: false, error: 'no action ran' };
  const program = commanderProgram(manifest, async (name, options, positional, command) => {
    result = { ok: true, name, options: { ...options }, all: { ...command.optsWithGlobals() }, args: positional };
  });
  silence(program);
  try {
    await program.parseAsync(['node', 't0ken', ...args]);
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
  return result;
}

describe('the specs make the commander tree', () => {
  const program = commanderProgram(manifest, async () => {});

  it('every command in commands/index.ts, under its path, with its aliases', () => {
    const paths = (command: Command, path: string[] = []): string[] =>
      command.commands.flatMap((c) => [[...path, c.name()].join(' '), ...c.aliases().map((a) => [...path, a].join(' ')), ...paths(c, [...path, c.name()])]);
    const expected = manifest.commands.flatMap((c) => [c.path.join(' '), ...(c.aliases ?? []).map((a) => [...c.path.slice(0, -1), a].join(' '))]);
    expect(paths(program).sort()).toEqual(expected.sort());
  });

  it('every option, with the key commander gives it', () => {
    for (const spec of [manifest.program, ...manifest.commands]) {
      let command = program;
      for (const word of spec.path) command = command.commands.find((c) => c.name() === word)!;
      const own = command.options.filter((o) => o.long !== '--help' && o.long !== '--version');
      expect(own.map((o) => [o.short, o.long, o.attributeName(), o.required, o.negate]), spec.path.join(' ')).toEqual(
        (spec.options ?? []).map((o) => optionShape(o)).map((s) => [s.short, s.long, s.key, s.takesValue, s.negate]),
      );
    }
  });
});

describe('parseArgv', () => {
  it.each([
    [['token'], 'token', {}, {}],
    [['status', '--json'], 'whoami', {}, { json: true }],
    [['--json', 'hash-proof', '--name=my-agent', '--key-stdin', '-q'], 'hash-proof', { name: 'my-agent', keyStdin: true }, { json: true, quiet: true }],
    [['agent', '--no-color', 'list', '--timeout', '5'], 'agent list', {}, { color: false, timeout: '5' }],
    [['logout', '-y', '--no-input'], 'logout', { yes: true }, { input: false }],
    [['register', '--hostname', 'runner-1', '--hostname', 'runner-2', '--show-key'], 'register', { hostname: 'runner-2', showKey: true }, {}],
  ] as const)('%j → %s', (args, name, options, globals) => {
    expect(fastRun(args)).toEqual({ name, options, globals: { input: true, color: true, ...globals }, args: [] });
  });

  it.each([
    [['agent', 'show', 'my-agent'], 'agent show', {}, ['my-agent']],
    [['agent', 'claim', '--json', 'smolt-1a2b3c4d', '--org', 'org-1', '--key-env', 'K'], 'agent claim', { org: 'org-1', keyEnv: 'K' }, ['smolt-1a2b3c4d']],
    [['agent', 'rekey', 'smolt-1a2b3c4d', '--key-stdin', '--name=x1'], 'agent rekey', { keyStdin: true, name: 'x1' }, ['smolt-1a2b3c4d']],
    [['credentials'], 'credentials', {}, []],
    [['mcp', 'config', '--client', 'cursor', '--', 'node', '--json', '-y', '--', 'x'], 'mcp config', { client: 'cursor' }, ['node', '--json', '-y', '--', 'x']],
    [['mcp', '--json', 'config', '--write'], 'mcp config', { write: true }, []],
    [['credentials', '--json', 'status'], 'credentials status', {}, []],
    [['mcp', 'config', '--env', 'A', '--scope', 'user', '--env=B', '--', 'x'], 'mcp config', { env: ['A', 'B'], scope: 'user' }, ['x']],
    [['agent', 'create', '--name', 'x'], 'agent create', { name: 'x', ifExists: 'fail' }, []],
    [['agent', 'create', '--if-exists=ok', '--name', 'x', '--key-stdin'], 'agent create', { name: 'x', ifExists: 'ok', keyStdin: true }, []],
    [['credentials', 'migrate', '--to', 'file'], 'credentials migrate', { to: 'file' }, []],
    [['mcp', 'config', 'node', 'server.js'], 'mcp config', {}, ['node', 'server.js']],
    [['help', 'agent', 'create'], 'help', {}, ['agent', 'create']],
  ] as const)('%j → %s with arguments', (args, name, options, positional) => {
    expect(fastRun(args)).toMatchObject({ name, options, args: positional });
  });

  it.each([
    [[]],
    [['--help']],
    [['token', '--help']],
    [['token', '-h']],
    [['--version']],
    [['token', 'extra']],
    [['hash-proof', '--name']],
    [['hash-proof', '--name', '--json']],
    [['hash-proof', '--key-env', 'KEY', '--key-stdin']],
    [['--explain', 'fingerprint']],
    [['agent']],
    [['agent', 'create', '--key-env', 'K']],
    [['agent', 'create', '--name', 'x', '--if-exists', 'maybe']],
    [['-qq', 'token']],
    [['token', '--json=1']],
    [['token', '--']],
    [['agent', 'show']],
    [['agent', 'show', 'a1', 'b2']],
    [['agent', 'claim', 'smolt-1a2b3c4d', '--key-env', 'K', '--key-stdin']],
    [['tokn']],
    [['credentials', 'migrate']],
    [['credentials', 'migrate', '--to', 'cloud']],
    [['mcp', 'config', '-y', 'server.js']],
    [['exec', '--', 'true']],
    [['mcp']],
    [['credentials', 'status', 'status']],
    [['credentials', 'bogus']],
  ])('%j is left to commander', (args) => {
    expect(fastRun(args)).toBeUndefined();
  });

  it('whatever it accepts, commander parses to the same command and options', async () => {
    // A seeded generator, so a failure names argv that can be replayed.
    const next = mulberry32(20261123);
    const random = (n: number): number => Math.floor(next() * n);
    const pick = <T>(pool: readonly T[]): T => pool[random(pool.length)]!;
    const words = ['register', 'whoami', 'status', 'token', 'agent', 'list', 'create', 'show', 'claim', 'fingerprint', 'help', 'completion', 'bogus', 'smolt-1a2b3c4d', 'credentials', 'migrate', 'mcp', 'config'];
    const flagsOf = (options: Manifest['program']['options']): Map<string, boolean> =>
      new Map((options ?? []).flatMap((o) => {
        const shape = optionShape(o);
        return [shape.long, shape.short].filter((f): f is string => f !== undefined).map((f) => [f, shape.takesValue] as const);
      }));
    const globalFlags = flagsOf(manifest.program.options);
    const globals = [...globalFlags.keys()];
    const odd = ['--help', '-h', '-V', '--version', '--bogus', '-qq', '-qy', '--', '--json=1', '--name=x', '--name=-x', '--timeout=5', '--timeout=-1', '--email=', '-'];
    const values = ['x', 'my-agent', '5', '-1', '', 'fingerprint', '--json', '--key-stdin', 'you@example.com', '123456'];
    const runnable = manifest.commands.filter((c) => !c.groupOnly && !c.runsProgram);
    const paths = runnable.map((c) => c.path.join(' '));
    const choices = runnable.flatMap((c) => (c.options ?? []).flatMap((o) => o.choices ?? []));

    let accepted = 0;
    for (let run = 0; run < 5000; run++) {
      // Mostly well-formed: a command path with flags of its own, global flags and values around it.
      const path = pick(paths);
      const spec = runnable.find((c) => c.path.join(' ') === path)!;
      const ownFlags = flagsOf(spec.options);
      const own = [...ownFlags.keys()];
      const takesValue = (name: string): boolean => globalFlags.get(name) ?? ownFlags.get(name) ?? false;
      const noise = (): string[] => {
        const roll = random(10);
        const word = roll < 4 && own.length > 0 ? pick(own) : roll < 6 ? pick(globals) : roll < 8 ? pick(values) : roll < 9 ? pick(odd) : pick(words);
        // A flag that takes a value is mostly followed by one.
        return takesValue(word) && random(10) < 8 ? [word, pick(random(2) === 0 ? choices : values)] : [word];
      };
      const args = [...Array.from({ length: random(2) }, () => pick(globals))];
      for (const word of path.split(' ')) args.push(...(random(3) === 0 ? noise() : []), word);
      for (const argument of spec.arguments ?? []) if (random(10) < 9) args.push(pick(['smolt-1a2b3c4d', 'my-agent', 'x', 'bash', 'exit-codes']));
      // Required options, mostly given: else the command is never accepted.
      for (const option of spec.options ?? []) if (option.required && random(10) < 8) args.push(optionShape(option).long, pick(option.choices ?? values));
      for (let n = random(6); n > 0; n--) args.push(...noise());
      // A program's words after `--` (mcp config's server command), flags among them.
      if (spec.arguments?.at(-1)?.name.endsWith('...]') && random(2) === 0) args.push('--', ...Array.from({ length: random(4) }, () => pick([...values, ...odd, ...globals])));
      const fast = fastRun(args);
      if (fast === undefined) continue;
      accepted++;
      const commander = await commanderParse(args);
      expect(commander, JSON.stringify(args)).toEqual({ ok: true, name: fast.name, options: fast.options, all: { ...fast.globals, ...fast.options }, args: fast.args });
    }
    expect(accepted).toBeGreaterThan(1000);
  });
});

describe('staticTextKey: which argv the shim prints a build-time text for (dist/static.cjs)', () => {
  it.each([
    [[], 'help:'],
    [['--help'], 'help:'],
    [['-h'], 'help:'],
    [['help'], 'help:'],
    [['agent', 'claim', '--help'], 'help:agent claim'],
    [['status', '-h'], 'help:status'],
    [['exec', '--help'], 'help:exec'],
    [['help', 'agent', 'rekey'], 'help:agent rekey'],
    [['help', 'exit-codes'], 'topic:exit-codes'],
    [['help', 'environment'], 'topic:environment'],
    [['completion', 'fish'], 'completion:fish'],
    [['completion', 'tcsh'], 'completion:tcsh'], // no such text: the CLI says so
  ] as const)('%j → %s', (args, key) => {
    expect(staticTextKey(specs, args)).toBe(key);
  });

  it.each([
    [['--json', '--help']],
    [['agent', 'show', '--name', 'x', '--help']],
    [['agent', 'show', 'x', '--help']],
    [['help', 'exit-codes', '--json']],
    [['help', '--', 'exit-codes']],
    [['completion']],
    [['completion', 'bash', '--json']],
    [['token']],
    [['exec', '--', 'prog', '--help']],
    [['token', '--help', 'x']],
  ])('%j is the CLI\'s', (args) => {
    expect(staticTextKey(specs, args)).toBeUndefined();
  });

  it('whatever names a text passes the first look that spares most runs parsing the specs', () => {
    const texts = [[], ['--help'], ['agent', 'claim', '-h'], ['help', 'agent'], ['completion', 'zsh']];
    for (const args of texts) expect(mayNameStaticText(args), JSON.stringify(args)).toBe(true);
    for (const args of [['token'], ['agent', 'list', '--json'], ['exec', '--', 'x']]) expect(mayNameStaticText(args), JSON.stringify(args)).toBe(false);
  });
});
