import type { Command } from 'commander';
import { MEMORYX_CLIENTS } from '../core/memoryx-clients.js';

/** The command tree as plain data: what the completion scripts are generated from. */
export interface OptionSpec {
  flags: string[];          // e.g. ['-q', '--quiet']
  takesValue: boolean;
  choices?: string[];
  files?: boolean;          // the value is a file path
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

const FILE_OPTIONS = new Set(['--card', '--policy', '--names-from']);
/** Values of options checked by the command rather than by commander (the fast path takes no choices). */
const OPTION_CHOICES: Record<string, string[]> = {
  '--only': ['t0ken', 'mnemom'],
  '--format': ['sh', 'fish', 'dotenv', 'json'],
  '--client': ['claude-code', 'cursor', 'vscode', 'codex', 'windsurf', 'claude-desktop', 'generic', 'detected'],
  '--scope': ['project', 'user'],
};
const ARG_CHOICES: Record<string, string[]> = {
  completion: ['bash', 'zsh', 'fish'],
  link: MEMORYX_CLIENTS.filter((c) => c.reach === 'file').map((c) => c.id),
};
/** Commands that run a program: after their options, a program name, then that program's words. */
const RUNS_PROGRAM = new Set(['exec']);

export function commandTree(command: Command, path: string[] = []): CommandSpec {
  const options: OptionSpec[] = command.options
    .filter((o) => !o.hidden)
    .map((o) => {
      const flags = [o.short, o.long].filter((f): f is string => typeof f === 'string');
      const spec: OptionSpec = { flags, takesValue: o.required || o.optional, description: o.description };
      if (o.argChoices) spec.choices = [...o.argChoices];
      else if (o.long && OPTION_CHOICES[o.long]) spec.choices = OPTION_CHOICES[o.long];
      if (o.long && FILE_OPTIONS.has(o.long)) spec.files = true;
      return spec;
    });
  options.push({ flags: ['-h', '--help'], takesValue: false, description: 'show help' });
  const visible = command.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden);
  const subcommands = visible.map((c) => commandTree(c, [...path, c.name()]));
  const name = path.join(' ');
  let argChoices = ARG_CHOICES[name] ?? [];
  if (name === 'help') argChoices = ['exit-codes', 'environment', ...command.parent!.commands.map((c) => c.name()).filter((n) => n !== 'help')];
  return { path, names: [command.name(), ...command.aliases()], description: command.summary() || command.description(), options, subcommands, argChoices, runsProgram: RUNS_PROGRAM.has(name) };
}

/** Every command in the tree, the program first. */
export function flatten(spec: CommandSpec): CommandSpec[] {
  return [spec, ...spec.subcommands.flatMap(flatten)];
}
