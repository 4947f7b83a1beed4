// `t0ken exec` has its own argv parser so that running a program through t0ken never loads
// commander: everything after the program's name belongs to the program, untouched. Its options and
// the global ones come from the specs; only `exec --help` goes to the help printers.
import { flagTable, type Flag } from './argv.js';
import { quoteGiven } from './mask.js';
import { commandKey, optionShape, type CommandSpec, type Manifest } from './command-spec.js';
import { usageError } from './errors.js';

export interface ExecArgv {
  /** The command's key ('exec'). */
  name: string;
  /** The global options given before or after the command (commander's keys: json, quiet, input…). */
  globals: Record<string, unknown>;
  /** Its own options (`--only`). */
  options: Record<string, unknown>;
  /** The program and its arguments, exactly as given. */
  command: string[];
}

const HELP = new Set(['-h', '--help']);

type Flags = Map<string, Flag>;

/**
 * 'not-exec' when argv does not run a command that runs a program (or asks for its help); the parsed
 * invocation otherwise. A usage mistake (no program, an unknown option, a bad value) throws exit 2.
 */
export function parseExecArgv(manifest: Manifest, args: readonly string[]): ExecArgv | 'not-exec' {
  const globalFlags = flagTable(manifest.program.options);
  const globals: Record<string, unknown> = {};
  for (const { shape } of globalFlags.values()) if (shape.negate) globals[shape.key] = true;
  let i = 0;
  // Global options may come before the command.
  for (; i < args.length; i++) {
    const taken = take(args, i, globalFlags, globals);
    if (taken === undefined) break;
    i = taken;
  }
  const spec = manifest.commands.find((c) => c.runsProgram && c.path.length === 1 && (c.path[0] === args[i] || c.aliases?.includes(args[i]!)));
  if (spec === undefined) return 'not-exec';
  const ownFlags = flagTable(spec.options);
  const options: Record<string, unknown> = {};
  for (i++; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    if (HELP.has(arg)) return 'not-exec';
    const taken = take(args, i, ownFlags, options, spec) ?? take(args, i, globalFlags, globals);
    if (taken === undefined) {
      const name = arg.split('=', 1)[0]!;
      throw usageError(`unknown option ${quoteGiven(name)} for ${commandKey(spec)}`, `Put -- before the program when its name starts with -: ${usage(spec)}`);
    }
    i = taken;
  }
  const command = args.slice(i);
  if (command.length === 0 || command[0] === '') {
    throw usageError(`${commandKey(spec)} needs a program to run`, 'For example: t0ken exec -- claude   (or t0ken exec -- node agent.js)');
  }
  return { name: commandKey(spec), globals, options, command };
}

/** `t0ken exec [--only t0ken|mnemom] -- <program> [args…]` */
const usage = (spec: CommandSpec): string =>
  `t0ken ${commandKey(spec)} ${(spec.options ?? []).map((o) => `[${optionShape(o).long}${o.values ? ` ${o.values.join('|')}` : ''}]`).join(' ')} -- <program> [args…]`.replace('  ', ' ');

/** Reads an option at `i` into `into`; returns the index of its last word, or undefined when it is not one of `flags`. */
function take(args: readonly string[], i: number, flags: Flags, into: Record<string, unknown>, owner?: CommandSpec): number | undefined {
  const arg = args[i]!;
  const at = arg.startsWith('--') ? arg.indexOf('=') : -1;
  const name = at > 2 ? arg.slice(0, at) : arg;
  const flag = flags.get(name);
  if (flag === undefined) return undefined;
  const { shape, spec } = flag;
  if (!shape.takesValue) {
    if (at > 2) throw usageError(`${name} takes no value`, `Give ${name} alone, without "="; \`t0ken ${owner ? `${commandKey(owner)} ` : ''}--help\` shows the options.`);
    into[shape.key] = !shape.negate;
    return i;
  }
  const value = at > 2 ? arg.slice(at + 1) : args[i + 1];
  // The parsers' specs carry no examples: a whole command for an option of exec's, a number for --timeout.
  const hint = owner && spec.values ? `For example: t0ken ${commandKey(owner)} ${name} ${spec.values[0]} -- my-agent` : `For example ${name} 30`;
  if (value === undefined) throw usageError(spec.values ? `${name} needs a value: ${spec.values.join(' or ')}` : `${name} needs a value`, hint);
  if (spec.values && !spec.values.includes(value)) throw usageError(`${name} takes ${spec.values.join(' or ')}, not ${quoteGiven(value, 20)}`, hint);
  into[shape.key] = value;
  return at > 2 ? i : i + 1;
}
