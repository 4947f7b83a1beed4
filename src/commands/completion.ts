import type { Command } from 'commander';
import type { Context } from '../context.js';
import { usageError } from '../core/errors.js';
import { completionScript, SHELLS, type Shell } from '../completion/generate.js';
import { commandTree } from '../completion/tree.js';

/** Prints the completion script for a shell, generated from the command tree. */
export async function run(ctx: Context, _options: Record<string, unknown>, args: string[], command: Command): Promise<void> {
  const shell = args[0] ?? '';
  if (!(SHELLS as readonly string[]).includes(shell)) {
    throw usageError(`unknown shell ${JSON.stringify(shell.slice(0, 20))}`, `Use one of: ${SHELLS.join(', ')} (e.g. \`t0ken completion bash\`).`);
  }
  const script = completionScript(shell as Shell, commandTree(command.parent!));
  ctx.out.result({ shell, script }, () => script.trimEnd());
}
