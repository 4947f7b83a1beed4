import { CommanderError, type Command } from 'commander';
import { CliError } from './core/errors.js';
import { commanderProgram, type Runner } from './commands/commander-program.js';
import type { Manifest } from './core/command-spec.js';
import { usageHint, usageMessage } from './core/usage-hints.js';
import { usageProblem } from './core/usage-check.js';
import type { StdioWriter } from './platform/stdio.js';

/**
 * Parses argv with the full command tree and runs the chosen command. Help and version are printed
 * here; commander's own errors become usage errors (exit 2) with a hint.
 */
export async function parseWithCommander(manifest: Manifest, argv: string[], stdout: Pick<StdioWriter, 'write'>, width: number, run: Runner): Promise<void> {
  const problem = usageProblem(manifest, argv.slice(2));
  if (problem) throw new CliError('invalid_input', problem.message, { hint: problem.hint });
  const options = argv.slice(2, argv.includes('--') ? argv.indexOf('--') : undefined);
  const program = commanderProgram(manifest, run, width, options.includes('--json'));
  const failedIn = { path: '' }; // the command whose parse failed, for the hint's `t0ken <it> --help`
  quietCommander(program, stdout, failedIn);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return;
    const message = usageMessage(error.message, flagsWithoutValue(program));
    throw new CliError('invalid_input', message, { hint: usageHint(message, failedIn.path) });
  }
}

/** Every long flag of the tree that takes no value (--json, --write, --no-color…). */
function flagsWithoutValue(command: Command, into = new Set<string>()): Set<string> {
  for (const option of command.options) if (!option.required && !option.optional && option.long) into.add(option.long);
  for (const sub of command.commands) flagsWithoutValue(sub, into);
  return into;
}

/** Commander's own errors are thrown to us (not printed, not exited), at every level of the tree. */
function quietCommander(command: Command, stdout: Pick<StdioWriter, 'write'>, failedIn: { path: string }): void {
  command.exitOverride((error) => {
    failedIn.path = commandPath(command);
    throw error;
  });
  // Help shown because no command was given (`t0ken`, `t0ken agent`) is help asked for: stdout, exit 0.
  const write = (text: string) => void stdout.write(text);
  command.configureOutput({ outputError: () => {}, writeOut: write, writeErr: write });
  for (const sub of command.commands) quietCommander(sub, stdout, failedIn);
}

/** `agent create` for that command; '' for the program itself. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at?.parent; at = at.parent) names.unshift(at.name());
  return names.join(' ');
}
