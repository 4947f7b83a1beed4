// What each command file declares about itself (its `spec`), as plain data. From these come the
// commander tree (help, errors), the fast argv parser, the static help texts and the completions.

export interface OptionSpec {
  /** Commander's syntax: '--force', '-y, --yes', '--name <name>', '--no-color'. */
  flags: string;
  description: string;
  /** The only values accepted; anything else is a usage error before the command runs. */
  choices?: readonly string[];
  /** Values offered by completion that the command checks itself (with its own message). */
  values?: readonly string[];
  default?: string;
  required?: boolean;
  /** Each use adds its value to a list (`--env A --env B`). */
  repeatable?: boolean;
  /** The key of an option that cannot be given with this one. */
  conflicts?: string;
  hidden?: boolean;
  /** The value is a file path (completion offers files). */
  file?: boolean;
  /** The value names an environment variable (completion offers the exported ones). */
  envVar?: boolean;
}

export interface ArgumentSpec {
  /** Commander's syntax: '<id>' required, '[topic...]' optional and variadic. */
  name: string;
  description: string;
  /** Values offered by completion; the command checks them. */
  values?: readonly string[];
}

export interface CommandSpec {
  /** [] for the program itself, ['agent', 'create'] for `t0ken agent create`. */
  path: readonly string[];
  aliases?: readonly string[];
  /** The heading it is listed under in its parent's help. */
  group?: string;
  summary: string;
  description?: string;
  options?: readonly OptionSpec[];
  arguments?: readonly ArgumentSpec[];
  examples?: readonly string[];
  /** The environment variables it reads, listed in its help. */
  environment?: readonly string[];
  /** Help text before the examples (after the options), and after the environment. */
  helpBefore?: string;
  helpAfter?: string;
  /** Its arguments are a program and that program's own words (exec): unknown options are the program's. */
  runsProgram?: boolean;
  /** It only groups others: naming it alone shows its help. */
  groupOnly?: boolean;
}

/** Every spec, in help order, the program's first: made at build time, read at run time. */
export interface Manifest {
  program: CommandSpec;
  commands: readonly CommandSpec[];
}

export interface OptionShape {
  short: string | undefined;
  long: string;
  /** The options key commander gives it: camelCase, without `no-`. */
  key: string;
  takesValue: boolean;
  /** `--no-…`: sets false, and defaults to true. */
  negate: boolean;
}

const FLAGS = /^(?:(-[A-Za-z]), )?(--[a-z][a-z0-9-]*)(?: [<[][^>\]]+[>\]])?$/;

/** The parts of an option's `flags` ('-y, --yes', '--name <name>'). */
export function optionShape(option: OptionSpec): OptionShape {
  const match = FLAGS.exec(option.flags);
  if (match === null) throw new Error(`option flags not understood: ${option.flags}`);
  const long = match[2]!;
  const negate = long.startsWith('--no-');
  const bare = long.slice(negate ? 5 : 2);
  return { short: match[1], long, key: bare.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()), takesValue: option.flags.includes(' <'), negate };
}

export interface ArgumentShape {
  required: boolean;
  variadic: boolean;
}

export const argumentShape = (argument: ArgumentSpec): ArgumentShape => ({ required: argument.name.startsWith('<'), variadic: argument.name.endsWith('...>') || argument.name.endsWith('...]') });

export const commandKey = (spec: CommandSpec): string => spec.path.join(' ');

/** What the argv parsers read: the specs without their prose (a tenth of the size, parsed at every run). */
export function argvView(manifest: Manifest): Manifest {
  const view = (spec: CommandSpec): CommandSpec => ({
    path: spec.path,
    summary: '',
    ...(spec.aliases && { aliases: spec.aliases }),
    ...(spec.options && { options: spec.options.map(({ description: _, ...option }) => ({ ...option, description: '' })) }),
    ...(spec.arguments && { arguments: spec.arguments.map(({ description: _, values: __, ...argument }) => ({ ...argument, description: '' })) }),
    ...(spec.runsProgram && { runsProgram: true }),
    ...(spec.groupOnly && { groupOnly: true }),
  });
  return { program: view(manifest.program), commands: manifest.commands.map(view) };
}
