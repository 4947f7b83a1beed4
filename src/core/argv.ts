// The fast path: argv of the shapes most runs use, parsed from the command specs without loading
// commander (about a sixth of node's own start-up). It accepts only what it recognises completely
// and says "not mine" (undefined) for anything else: unknown or combined flags, missing values, a
// value outside its choices, a missing required option, conflicts, extra or missing arguments.
// Commander then parses it and writes the usual errors. A unit test checks that whatever this
// accepts, commander (built from the same specs) parses to the same command and options.
import { argumentShape, commandKey, optionShape, type CommandSpec, type Manifest, type OptionShape, type OptionSpec } from './command-spec.js';

export interface ParsedRun {
  kind: 'run';
  /** The command's key in the index (its path: 'agent create'). */
  command: string;
  /** The command's own options, as commander's `command.opts()` would give them. */
  options: Record<string, unknown>;
  /** The global options, as commander's `program.opts()` would give them. */
  globals: Record<string, unknown>;
  /** The positional arguments, in order. */
  args: string[];
  /** Whether any option (global or own) was given. */
  flagged: boolean;
}

/** `[<command words>] --help` and nothing else: the words as typed (aliases too). */
export interface ParsedHelp {
  kind: 'help';
  path: string[];
}

export interface Flag {
  shape: OptionShape;
  spec: OptionSpec;
}

/** Each option by its long and short names. */
export const flagTable = (options: readonly OptionSpec[] = []): Map<string, Flag> => {
  const table = new Map<string, Flag>();
  for (const spec of options) {
    const shape = optionShape(spec);
    table.set(shape.long, { shape, spec });
    if (shape.short) table.set(shape.short, { shape, spec });
  }
  return table;
};

/** What commander reports for options before any is given: negatable flags true, declared defaults. */
function defaults(options: readonly OptionSpec[] = []): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const spec of options) {
    const shape = optionShape(spec);
    if (shape.negate) values[shape.key] = true;
    else if (spec.default !== undefined) values[shape.key] = spec.default;
  }
  return values;
}

function child(manifest: Manifest, parent: CommandSpec, word: string): CommandSpec | undefined {
  const depth = parent.path.length;
  return manifest.commands.find(
    (c) => c.path.length === depth + 1 && parent.path.every((w, i) => c.path[i] === w) && (c.path[depth] === word || c.aliases?.includes(word) === true),
  );
}

/** Parses argv (without node and the script) when it has a plain shape; undefined otherwise. */
export function parseArgv(manifest: Manifest, args: readonly string[]): ParsedRun | ParsedHelp | undefined {
  const globalFlags = flagTable(manifest.program.options);
  const globals = defaults(manifest.program.options);
  const options: Record<string, unknown> = {};
  let command = manifest.program;
  let ownFlags = new Map<string, Flag>();
  const typed: string[] = [];
  const positional: string[] = [];
  let flagged = false;
  let ownGiven = false;

  if (args.length === 0) return { kind: 'help', path: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--help' || arg === '-h') {
      return i === args.length - 1 && !flagged && positional.length === 0 ? { kind: 'help', path: typed } : undefined;
    }
    if (command.runsProgram) return undefined; // exec has its own parser
    const variadic = command.arguments !== undefined && command.arguments.length > 0 && argumentShape(command.arguments.at(-1)!).variadic;
    if (arg === '--') {
      if (!variadic || command === manifest.program) return undefined;
      positional.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith('-')) {
      const [name, inline] = splitInline(arg);
      const global = globalFlags.get(name);
      const flag = global ?? ownFlags.get(name);
      if (flag === undefined) return undefined;
      const target = global ? globals : options;
      flagged = true;
      if (!global) ownGiven = true;
      if (!flag.shape.takesValue) {
        if (inline !== undefined) return undefined;
        target[flag.shape.key] = !flag.shape.negate;
        continue;
      }
      const given = inline ?? args[++i];
      if (given === undefined || (given.startsWith('-') && given !== '-')) return undefined; // `-` is stdin
      if (flag.spec.choices && !flag.spec.choices.includes(given)) return undefined;
      target[flag.shape.key] = flag.spec.repeatable ? [...((target[flag.shape.key] as string[] | undefined) ?? []), given] : given;
      continue;
    }
    // A command that also groups others (`credentials status`): its subcommand, before anything of its own.
    const sub = ownGiven || positional.length > 0 ? undefined : child(manifest, command, arg);
    if (sub !== undefined) {
      command = sub;
      ownFlags = flagTable(sub.options);
      typed.push(arg);
      continue;
    }
    if (command === manifest.program || command.groupOnly) return undefined; // an unknown command
    // An argument: taken up to the command's maximum; one more is left to commander to refuse.
    if (!variadic && positional.length >= (command.arguments?.length ?? 0)) return undefined;
    positional.push(arg);
    ownGiven = true;
  }

  if (command === manifest.program || command.groupOnly || command.runsProgram) return undefined;
  const own = command.options ?? [];
  for (const spec of own) {
    const shape = optionShape(spec);
    if (spec.required && !(shape.key in options)) return undefined;
    if (spec.conflicts !== undefined && shape.key in options && spec.conflicts in options) return undefined;
  }
  const required = (command.arguments ?? []).filter((a) => argumentShape(a).required).length;
  if (positional.length < required) return undefined;
  return { kind: 'run', command: commandKey(command), options: { ...defaults(own), ...options }, globals, args: positional, flagged };
}

/** `--flag=value` → ['--flag', 'value']; anything else → [arg, undefined]. */
function splitInline(arg: string): [string, string | undefined] {
  const at = arg.startsWith('--') ? arg.indexOf('=') : -1;
  return at > 2 ? [arg.slice(0, at), arg.slice(at + 1)] : [arg, undefined];
}

/**
 * Whether argv could name a text at all, before the specs are read: every command but help and
 * completion prints one only when asked for help. Most runs stop here (the shim asks on every run).
 */
export function mayNameStaticText(args: readonly string[]): boolean {
  const last = args.at(-1);
  return last === undefined || last === '--help' || last === '-h' || args.includes('help') || args.includes('completion');
}

/**
 * Which argv print a fixed text made at build time (dist/static-text.json), so that these runs load
 * neither commander nor the CLI: help (`t0ken`, `[<command>] --help`, `help [<command>]`,
 * `help exit-codes|environment`) and `completion <shell>`, without any option. A key the file does not
 * hold (an unknown shell or command) is left to the CLI, which says what is wrong.
 */
export function staticTextKey(manifest: Manifest, args: readonly string[]): string | undefined {
  if (!mayNameStaticText(args)) return undefined;
  const parsed = parseArgv(manifest, args);
  if (parsed === undefined) return undefined;
  if (parsed.kind === 'help') return `help:${parsed.path.join(' ')}`;
  if (parsed.flagged || args.includes('--')) return undefined;
  if (parsed.command === 'help') {
    const [topic, ...more] = parsed.args;
    if (more.length === 0 && (topic === 'exit-codes' || topic === 'environment')) return `topic:${topic}`;
    return `help:${parsed.args.join(' ')}`;
  }
  if (parsed.command === 'completion') return `completion:${parsed.args[0]}`;
  return undefined;
}
