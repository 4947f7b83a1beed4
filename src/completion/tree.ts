import { optionShape, type CommandSpec as Spec, type Manifest } from '../core/command-spec.js';

/** The command tree as the completion scripts see it. */
export interface OptionSpec {
  flags: string[];          // e.g. ['-q', '--quiet']
  takesValue: boolean;
  choices?: string[];
  files?: boolean;          // the value is a file path
  envVar?: boolean;         // the value names an environment variable
  description: string;
}

export interface CommandSpec {
  path: string[];           // [] for the program, ['agent', 'create'] for a subcommand
  names: string[];          // name and aliases
  description: string;
  options: OptionSpec[];
  subcommands: CommandSpec[];
  argChoices: string[];     // fixed values of the first positional argument
  runsProgram: boolean;     // its arguments are a program and that program's own arguments (exec)
}

const HELP: OptionSpec = { flags: ['-h', '--help'], takesValue: false, description: 'show help' };
const VERSION: OptionSpec = { flags: ['-V', '--version'], takesValue: false, description: 'print the version' };

function node(manifest: Manifest, spec: Spec): CommandSpec {
  const options: OptionSpec[] = (spec.options ?? [])
    .filter((o) => !o.hidden)
    .map((o) => {
      const shape = optionShape(o);
      const option: OptionSpec = { flags: [shape.short, shape.long].filter((f): f is string => f !== undefined), takesValue: shape.takesValue, description: o.description };
      const choices = o.choices ?? o.values;
      if (choices) option.choices = [...choices];
      if (o.file) option.files = true;
      if (o.envVar) option.envVar = true;
      return option;
    });
  if (spec.path.length === 0) options.unshift(VERSION);
  options.push(HELP);
  const depth = spec.path.length;
  const subcommands = manifest.commands
    .filter((c) => c.path.length === depth + 1 && spec.path.every((w, i) => c.path[i] === w))
    .map((c) => node(manifest, c));
  const key = spec.path.join(' ');
  // `help` completes the tables and the top-level commands.
  const argChoices = key === 'help'
    ? ['exit-codes', 'environment', ...manifest.commands.filter((c) => c.path.length === 1 && c.path[0] !== 'help').map((c) => c.path[0]!)]
    : [...(spec.arguments?.[0]?.values ?? [])];
  const name = spec.path.at(-1) ?? 't0ken';
  return { path: [...spec.path], names: [name, ...(spec.aliases ?? [])], description: spec.summary, options, subcommands, argChoices, runsProgram: spec.runsProgram === true };
}

export const commandTree = (manifest: Manifest): CommandSpec => node(manifest, manifest.program);

/** Every command in the tree, the program first. */
export function flatten(spec: CommandSpec): CommandSpec[] {
  return [spec, ...spec.subcommands.flatMap(flatten)];
}
