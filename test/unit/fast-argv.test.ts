import type { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { FAST_COMMANDS, GLOBAL_FLAGS, parseFastArgv, type FlagSpec } from '../../src/core/fast-argv.js';
import { buildProgram, type CommandName } from '../../src/program.js';

type CommanderResult =
  | { ok: true; name: CommandName; options: Record<string, unknown>; all: Record<string, unknown>; args: string[] }
  | { ok: false; error: string };

function silence(command: Command): void {
  command.exitOverride();
  command.configureOutput({ writeOut: () => {}, writeErr: () => {}, outputError: () => {} });
  for (const sub of command.commands) silence(sub);
}

/** What commander makes of argv: the command it would run and the options it would hand over. */
async function commanderParse(args: string[]): Promise<CommanderResult> {
  let result: CommanderResult = { ok: false, error: 'no action ran' };
  const program = buildProgram(async (name, options, positional, command) => {
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

function flagsOf(options: readonly Option[]): Record<string, FlagSpec> {
  const flags: Record<string, FlagSpec> = {};
  for (const option of options) {
    if (option.long === '--help' || option.long === '--version') continue;
    const spec: FlagSpec = { key: option.attributeName(), takesValue: option.required || option.optional };
    if (option.negate) spec.sets = false;
    if (option.parseArg) spec.repeats = true; // the one parser in the tree collects repeated values
    for (const name of [option.short, option.long]) if (name) flags[name] = spec;
  }
  return flags;
}

function findCommand(program: Command, path: string): Command {
  let command = program;
  for (const word of path.split(' ')) {
    const next = command.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (!next) throw new Error(`no command ${path}`);
    command = next;
  }
  return command;
}

describe('fast argv tables match the commander tree', () => {
  const program = buildProgram(async () => {});

  it('global flags', () => {
    expect(GLOBAL_FLAGS).toEqual(flagsOf(program.options));
  });

  it.each(Object.keys(FAST_COMMANDS))('%s: same flags and arguments, no defaults or required options', (path) => {
    const command = findCommand(program, path);
    expect(FAST_COMMANDS[path]!.flags).toEqual(flagsOf(command.options));
    const args = command.registeredArguments;
    // A variadic argument is only ever the last one, optional, and taken after `--` (rest).
    const variadic = args.length > 0 && args[args.length - 1]!.variadic;
    expect(args.slice(0, -1).every((a) => !a.variadic)).toBe(true);
    if (variadic) expect(args.length === 1 && !args[0]!.required).toBe(true);
    expect(FAST_COMMANDS[path]!.rest).toBe(variadic ? true : undefined);
    const expected = args.length === 0 || variadic ? undefined : { min: args.filter((a) => a.required).length, max: args.length };
    expect(FAST_COMMANDS[path]!.args).toEqual(expected);
    for (const option of command.options) {
      expect(option.mandatory, option.flags).toBe(false);
      expect(option.defaultValue, option.flags).toBeUndefined();
      expect(option.argChoices, option.flags).toBeUndefined();
    }
  });
});

describe('parseFastArgv', () => {
  it.each([
    [['token'], 'token', {}, {}],
    [['status', '--json'], 'whoami', {}, { json: true }],
    [['--json', 'hash-proof', '--name=my-agent', '--key-stdin', '-q'], 'hash-proof', { name: 'my-agent', keyStdin: true }, { json: true, quiet: true }],
    [['agent', '--no-color', 'list', '--timeout', '5'], 'agent-list', {}, { color: false, timeout: '5' }],
    [['logout', '-y', '--no-input'], 'logout', { yes: true }, { input: false }],
    [['register', '--hostname', 'runner-1', '--hostname', 'runner-2', '--show-key'], 'register', { hostname: 'runner-2', showKey: true }, {}],
  ] as const)('%j → %s', (args, name, options, globals) => {
    expect(parseFastArgv(args)).toEqual({ name, options, globals: { input: true, color: true, ...globals }, args: [] });
  });

  it.each([
    [['agent', 'show', 'my-agent'], 'agent-show', {}, ['my-agent']],
    [['agent', 'claim', '--json', 'smolt-1a2b3c4d', '--org', 'org-1', '--key-env', 'K'], 'agent-claim', { org: 'org-1', keyEnv: 'K' }, ['smolt-1a2b3c4d']],
    [['agent', 'rekey', 'smolt-1a2b3c4d', '--key-stdin', '--name=x1'], 'agent-rekey', { keyStdin: true, name: 'x1' }, ['smolt-1a2b3c4d']],
    [['credentials'], 'credentials-status', {}, []],
    [['mcp', 'config', '--client', 'cursor', '--', 'node', '--json', '-y', '--', 'x'], 'mcp-config', { client: 'cursor' }, ['node', '--json', '-y', '--', 'x']],
    [['mcp', '--json', 'config', '--write'], 'mcp-config', { write: true }, []],
    [['mcp', 'config', '--env', 'A', '--scope', 'user', '--env=B', '--', 'x'], 'mcp-config', { env: ['A', 'B'], scope: 'user' }, ['x']],
    [['credentials', '--json', 'status'], 'credentials-status', {}, []],
  ] as const)('%j → %s with arguments', (args, name, options, positional) => {
    expect(parseFastArgv(args)).toMatchObject({ name, options, args: positional });
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
    [['agent', 'create', '--name', 'x']],
    [['-qq', 'token']],
    [['token', '--json=1']],
    [['token', '--']],
    [['agent', 'show']],
    [['agent', 'show', 'a1', 'b2']],
    [['agent', 'claim', 'smolt-1a2b3c4d', '--key-env', 'K', '--key-stdin']],
    [['tokn']],
    [['credentials', 'migrate', '--to', 'file']],
    [['mcp', 'config', 'node', 'server.js']],
    [['mcp']],
    [['credentials', 'status', 'status']],
    [['credentials', 'bogus']],
  ])('%j is left to commander', (args) => {
    expect(parseFastArgv(args)).toBeUndefined();
  });

  it('whatever it accepts, commander parses to the same command and options', async () => {
    // A seeded generator, so a failure names argv that can be replayed.
    let seed = 20261123;
    const random = (n: number): number => {
      // mulberry32
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    const pick = <T>(pool: readonly T[]): T => pool[random(pool.length)]!;
    const words = ['register', 'whoami', 'status', 'token', 'agent', 'list', 'create', 'show', 'claim', 'fingerprint', 'help', 'completion', 'bogus', 'smolt-1a2b3c4d', 'credentials', 'migrate', 'mcp', 'config'];
    const globals = Object.keys(GLOBAL_FLAGS);
    const odd = ['--help', '-h', '-V', '--version', '--bogus', '-qq', '-qy', '--', '--json=1', '--name=x', '--name=-x', '--timeout=5', '--timeout=-1', '--email=', '-'];
    const values = ['x', 'my-agent', '5', '-1', '', 'fingerprint', '--json', '--key-stdin', 'you@example.com', '123456'];
    const paths = Object.keys(FAST_COMMANDS);

    let accepted = 0;
    for (let run = 0; run < 5000; run++) {
      // Mostly well-formed: a command path with flags of its own, global flags and values around it.
      const path = pick(paths);
      const own = Object.keys(FAST_COMMANDS[path]!.flags);
      const flagsOf = (name: string): FlagSpec | undefined => GLOBAL_FLAGS[name] ?? FAST_COMMANDS[path]!.flags[name];
      const noise = (): string[] => {
        const roll = random(10);
        const word = roll < 4 && own.length > 0 ? pick(own) : roll < 6 ? pick(globals) : roll < 8 ? pick(values) : roll < 9 ? pick(odd) : pick(words);
        // A flag that takes a value is mostly followed by one.
        return flagsOf(word)?.takesValue && random(10) < 8 ? [word, pick(values)] : [word];
      };
      const args = [...Array.from({ length: random(2) }, () => pick(globals))];
      for (const word of path.split(' ')) args.push(...(random(3) === 0 ? noise() : []), word);
      if (FAST_COMMANDS[path]!.args && random(10) < 9) args.push(pick(['smolt-1a2b3c4d', 'my-agent', 'x']));
      for (let n = random(6); n > 0; n--) args.push(...noise());
      // A program's words after `--` (mcp config's server command), flags among them.
      if (FAST_COMMANDS[path]!.rest && random(2) === 0) args.push('--', ...Array.from({ length: random(4) }, () => pick([...values, ...odd, ...globals])));
      const fast = parseFastArgv(args);
      if (fast === undefined) continue;
      accepted++;
      const commander = await commanderParse(args);
      expect(commander, JSON.stringify(args)).toEqual({ ok: true, name: fast.name, options: fast.options, all: { ...fast.globals, ...fast.options }, args: fast.args });
    }
    expect(accepted).toBeGreaterThan(1000);
  });
});
