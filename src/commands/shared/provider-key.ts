import type { Context } from '../../context.js';
import { usageError } from '../../core/errors.js';
import { ask } from '../../ui/prompt.js';

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
  if (options.keyStdin) {
    const value = firstLine(await readStdin()).trim();
    if (!value) throw usageError('no provider key on stdin', 'Pipe the key in: printf %s "$KEY" | t0ken … --key-stdin');
    return value;
  }
  const value = await ask(ctx.prompt, { message: 'Provider API key (hidden):', flag: FLAGS, secret: true, validate: (v) => (v.trim() ? undefined : 'the key is empty') });
  return value.trim();
}

export async function readStdin(limitBytes = 64 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > limitBytes) throw usageError('stdin is too large for a key', 'Pipe only the key, on one line.');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const firstLine = (text: string): string => text.split(/\r?\n/, 1)[0] ?? '';
