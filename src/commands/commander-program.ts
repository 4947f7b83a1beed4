import { Command, Help, Option } from 'commander';
import type { CommandSpec, Manifest } from '../core/command-spec.js';
import { environmentLines } from '../core/environment.js';
import { hanging, HELP_WIDTH, itemUnderTerm, MIN_DESCRIPTION_WIDTH, wrapWords } from '../core/wrap.js';
import { VERSION } from '../version.js';

/** What an action receives: the command's key, its own options, its positional arguments, its Command. */
export type Runner = (name: string, options: Record<string, unknown>, args: string[], command: Command) => Promise<void>;

/**
 * The commander tree for the specs: help, usage errors, and the argv the fast path leaves to it.
 * Actions hand over to `run`, which loads the command's module only then.
 */
export function commanderProgram(manifest: Manifest, run: Runner, width = HELP_WIDTH, json = false): Command {
  const program = new Command('t0ken')
    .description(manifest.program.summary)
    // With --json, one JSON document as for every result; help stays text (it is for people).
    .version(json ? JSON.stringify({ version: VERSION }) : VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help');
  describe(program, manifest.program, width);
  // Help is 80 columns wide on a terminal at least that wide (the same bytes as the build-time text,
  // core/argv.ts), narrower on a narrower one.
  program.configureHelp({
    helpWidth: width,
    minWidthToWrap: 20,
    // On a narrow terminal (COLUMNS=40) commander leaves a description that has no room beside its
    // term unwrapped, 100 columns wide: put it under the term instead, wrapped to what is left.
    formatItem(term, termWidth, description, helper) {
      if (!description || width - termWidth - 4 >= MIN_DESCRIPTION_WIDTH) return Help.prototype.formatItem.call(helper, term, termWidth, description, helper);
      return itemUnderTerm(term, description, width).join('\n');
    },
  }).showSuggestionAfterError(true);

  const byKey = new Map<string, Command>([['', program]]);
  for (const spec of manifest.commands) {
    const parent = byKey.get(spec.path.slice(0, -1).join(' '))!;
    const command = parent.command(spec.path.at(-1)!).aliases(spec.aliases ?? []).summary(spec.summary);
    if (spec.group !== undefined) command.helpGroup(spec.group);
    if (spec.description !== undefined) command.description(spec.description);
    for (const argument of spec.arguments ?? []) command.argument(argument.name, argument.description);
    describe(command, spec, width);
    if (spec.runsProgram) command.allowUnknownOption();
    const key = spec.path.join(' ');
    if (!spec.groupOnly) command.action(async (...params: unknown[]) => {
      const self = params[params.length - 1] as Command;
      const args = params.slice(0, -2).flat().filter((p): p is string => typeof p === 'string');
      await run(key, self.opts(), args, self);
    });
    byKey.set(key, command);
  }
  return program;
}

/**
 * A line of the text after the options, fitted to `width`: an example (`  $ …`) continues on the
 * next line after a ` \\` (still one command when pasted), prose under its own first word's indent.
 */
function fitLine(line: string, width: number): string {
  if (line.length <= width) return line;
  const example = /^( *\$ )(.*)$/.exec(line);
  if (example) {
    const parts = wrapWords(example[2]!, width - example[1]!.length - 4); // room for the deeper indent and the ` \\`
    return parts.map((part, i) => `${i === 0 ? example[1] : ' '.repeat(example[1]!.length + 2)}${part}${i < parts.length - 1 ? ' \\' : ''}`).join('\n');
  }
  const lead = /^( *(?:\d+\. )?)/.exec(line)![1]!;
  return hanging(lead, line.slice(lead.length), width).join('\n');
}

function describe(command: Command, spec: CommandSpec, width: number): void {
  command.helpCommand(false);
  for (const o of spec.options ?? []) {
    const option = new Option(o.flags, o.description);
    if (o.choices) option.choices(o.choices);
    if (o.default !== undefined) option.default(o.default);
    if (o.required) option.makeOptionMandatory();
    if (o.conflicts !== undefined) option.conflicts(o.conflicts);
    if (o.hidden) option.hideHelp();
    if (o.repeatable) option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
    command.addOption(option);
  }
  const sections: string[] = [];
  if (spec.examples) sections.push(`\nExamples:\n${spec.examples.map((e) => `  $ ${e}`).join('\n')}`);
  if (spec.environment && spec.environment.length > 0) sections.push(`\nEnvironment:\n${environmentLines(spec.environment, width)}`);
  const after = `${spec.helpBefore ?? ''}${sections.join('\n')}${spec.helpAfter ?? ''}`;
  if (after !== '') command.addHelpText('after', after.split('\n').map((line) => fitLine(line, width)).join('\n'));
}
