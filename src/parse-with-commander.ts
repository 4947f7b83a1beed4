import { CommanderError, type Command } from 'commander';
import { CliError } from './core/errors.js';
import { Exit } from './core/exit-codes.js';
import { buildProgram, type Runner } from './program.js';

/**
 * Parses argv with the full command tree and runs the chosen command. Help and version are printed
 * here; commander's own errors become usage errors (exit 2) with a hint.
 */
export async function parseWithCommander(argv: string[], run: Runner): Promise<void> {
  const program = buildProgram(run);
  quietCommander(program);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return;
    const message = error.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ');
    throw new CliError('invalid_input', message, Exit.usage, { hint: 'Run `t0ken --help` (or `t0ken <command> --help`) to see the options.' });
  }
}

/** Commander's own errors are thrown to us (not printed, not exited), at every level of the tree. */
function quietCommander(command: Command): void {
  command.exitOverride();
  command.configureOutput({ outputError: () => {} });
  for (const sub of command.commands) quietCommander(sub);
}
