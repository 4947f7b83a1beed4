import { CliError, usageError } from '../core/errors.js';
import { sanitizeLine } from '../core/sanitize.js';
import { isCI } from './spinner.js';
import type { TerminalStreams } from '../platform/io.js';

export interface PromptGate {
  input: boolean; // false with --no-input
  env: NodeJS.ProcessEnv;
  stdinIsTTY: boolean;
  /** Prompts are drawn on stderr: stdout may be captured (`X=$(t0ken hash-proof)`) and still we may ask. */
  stderrIsTTY: boolean;
  /** Where a prompt reads and draws (the process's stdin and stderr, or a test's). */
  terminal(): TerminalStreams;
}

/**
 * Prompts appear when stdin and stderr are the terminal (stdout may be captured, as with git and gh),
 * --no-input is absent and CI is unset.
 */
export function canPrompt(gate: PromptGate): boolean {
  return gate.input && gate.stdinIsTTY && gate.stderrIsTTY && !isCI(gate.env);
}

export interface AskOptions {
  message: string;
  flag: string; // the flag that supplies the value without a prompt, named in the error
  secret?: boolean;
  validate?: (value: string) => string | undefined; // returns an error message or undefined
}

/** Asks for a value, or fails with a usage error naming the flag when no prompt may be shown. */
export async function ask(gate: PromptGate, options: AskOptions): Promise<string> {
  if (!canPrompt(gate)) {
    throw usageError(`a value is missing and no prompt can be shown`, `Pass ${options.flag}.`);
  }
  const prompts = await import('@inquirer/prompts');
  const { input, output } = gate.terminal();
  const validate = (value: string): string | true => options.validate?.(value) ?? true;
  try {
    // The hidden prompt: no mask characters (they give the key's length away), and cleared when it
    // ends, so its "ctrl+t toggle visibility" line never stays behind (after Ctrl-C either).
    // An invalid answer is cleared, so a retyped one does not end up appended to it.
    return options.secret
      ? await prompts.password({ message: sanitizeLine(options.message), mask: false, validate }, { input, output, clearPromptOnDone: true })
      : await prompts.input({ message: sanitizeLine(options.message), validate, theme: { validationFailureMode: 'clear' } }, { input, output });
  } catch (error) {
    throw promptAborted(error);
  }
}

export async function confirm(gate: PromptGate, message: string, flag: string): Promise<boolean> {
  if (!canPrompt(gate)) {
    throw usageError('confirmation needed but no prompt can be shown', `Pass ${flag} to confirm.`);
  }
  const prompts = await import('@inquirer/prompts');
  const { input, output } = gate.terminal();
  try {
    // The question may quote server text (a user id): it reaches the terminal through the sanitiser too.
    return await prompts.confirm({ message: sanitizeLine(message), default: false }, { input, output });
  } catch (error) {
    throw promptAborted(error);
  }
}

function promptAborted(error: unknown): unknown {
  if (error instanceof Error && error.name === 'ExitPromptError') {
    return new CliError('interrupted', 'interrupted');
  }
  return error;
}
