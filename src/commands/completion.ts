import type { CommandSpec } from '../core/command-spec.js';
import { quoteGiven } from '../core/mask.js';
import type { Context } from '../context.js';
import { usageError } from '../core/errors.js';
import { completionScript, SHELLS, type Shell } from '../completion/generate.js';
import { commandTree } from '../completion/tree.js';
import type { Manifest } from '../core/command-spec.js';

export const spec: CommandSpec = {
  path: ['completion'],
  group: 'Tools:',
  summary: 'print a shell completion script',
  description: 'Print a completion script for bash, zsh or fish.',
  arguments: [{ name: '<shell>', description: 'bash, zsh or fish', values: SHELLS }],
  examples: [
    'mkdir -p ~/.local/share/bash-completion/completions && t0ken completion bash > ~/.local/share/bash-completion/completions/t0ken',
    'mkdir -p ~/.zfunc && t0ken completion zsh > ~/.zfunc/_t0ken   # and in ~/.zshrc, before compinit: fpath=(~/.zfunc $fpath)',
    'mkdir -p ~/.config/fish/completions && t0ken completion fish > ~/.config/fish/completions/t0ken.fish',
  ],
};

/** Prints the completion script for a shell, generated from the command tree. */
export async function run(ctx: Context, _options: Record<string, unknown>, args: string[], specs: () => Promise<Manifest>): Promise<void> {
  const shell = args[0] ?? '';
  if (!(SHELLS as readonly string[]).includes(shell)) {
    throw usageError(`unknown shell ${quoteGiven(shell, 20)}`, `Use one of: ${SHELLS.join(', ')} (e.g. \`t0ken completion bash\`).`);
  }
  const script = completionScript(shell as Shell, commandTree(await specs()));
  ctx.out.result({ shell, script }, () => script.trimEnd());
}
