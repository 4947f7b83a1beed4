import type { Context } from '../context.js';
import { usageError } from '../core/errors.js';
import { StdinTooLarge } from '../platform/stdin.js';
import { ask, canPrompt } from '../ui/prompt.js';

export interface ProviderKeyOptions {
  keyEnv?: string;
  keyStdin?: boolean;
}

const FLAGS = '--key-stdin (pipe the key) or --key-env <VAR>';

/**
 * The provider key, from stdin, an environment variable, or a hidden prompt on a terminal. Never
 * from argv, never stored, never printed.
 */
export async function readProviderKey(ctx: Context, options: ProviderKeyOptions): Promise<string> {
  if (options.keyEnv !== undefined) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(options.keyEnv)) {
      throw usageError(`--key-env takes the NAME of an environment variable, not ${JSON.stringify(options.keyEnv.slice(0, 3))}…`, 'For example --key-env ANTHROPIC_API_KEY; never put the key itself on the command line.');
    }
    const value = ctx.env[options.keyEnv]?.trim();
    if (!value) throw usageError(`the environment variable ${options.keyEnv} is not set or empty`, `Export ${options.keyEnv} first, or use --key-stdin.`);
    return value;
  }
  if (options.keyStdin) return readSecretFromStdin(ctx, { what: 'provider key', message: 'Provider API key:', pipe: 'printf %s "$KEY" | t0ken … --key-stdin' });
  const value = await ask(ctx.prompt, { message: 'Provider API key:', flag: FLAGS, secret: true, validate: (v) => (v.trim() ? undefined : 'the key is empty') });
  return value.trim();
}

/**
 * A secret read from stdin (`--key-stdin`, `--with-token`). When stdin is the terminal itself, the
 * user would type it in clear, echoed, without being asked: ask with a hidden prompt instead.
 */
export async function readSecretFromStdin(ctx: Context, options: { what: string; message: string; pipe: string }): Promise<string> {
  if (ctx.prompt.stdinIsTTY) {
    if (!canPrompt(ctx.prompt)) throw usageError(`stdin is a terminal: the ${options.what} would be echoed as you type`, `Pipe it in: ${options.pipe}`);
    const value = await ask(ctx.prompt, { message: options.message, flag: 'it on stdin', secret: true, validate: (v) => (v.trim() ? undefined : `the ${options.what} is empty`) });
    return value.trim();
  }
  return singleLine(readStdin(ctx), options.what, options.pipe);
}

/** The one non-empty line of what was piped in; several are refused rather than silently cut. */
export function singleLine(text: string, what: string, pipe: string): string {
  const lines = text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '');
  if (lines.length === 0) throw usageError(`no ${what} on stdin`, `Pipe it in: ${pipe}`);
  if (lines.length > 1) throw usageError(`stdin holds ${lines.length} non-empty lines; expected the ${what} alone on one line`, `Pipe only the key: ${pipe}`);
  return lines[0]!;
}

function readStdin(ctx: Context, limitBytes = 64 * 1024): string {
  try {
    return ctx.stdin.read(limitBytes).toString('utf8');
  } catch (error) {
    if (error instanceof StdinTooLarge) throw usageError('stdin is too large for a key', 'Pipe only the key, on one line.');
    throw error;
  }
}
