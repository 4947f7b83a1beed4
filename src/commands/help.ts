import type { CommandSpec, Manifest } from '../core/command-spec.js';
import { quoteGiven } from '../core/mask.js';
import type { Context } from '../context.js';
import { closest } from '../core/did-you-mean.js';
import { usageError } from '../core/errors.js';
import { EXIT_CODE_TABLE } from '../core/exit-codes.js';
import { ENVIRONMENT, environmentLines } from '../core/environment.js';
import { keyValueTable } from '../ui/table.js';
import { HELP_WIDTH } from '../core/wrap.js';
import type { Command } from 'commander';

export const spec: CommandSpec = {
  path: ['help'],
  group: 'Tools:',
  summary: 'show help for a command, or a table: exit-codes, environment',
  arguments: [{ name: '[topic...]', description: 'a command, or exit-codes, or environment' }],
  examples: ['t0ken help exit-codes', 't0ken help environment', 't0ken help agent create'],
};

/** `t0ken help [exit-codes | environment | <command>]`. */
export async function run(ctx: Context, _options: Record<string, unknown>, args: string[], specs: () => Promise<Manifest>): Promise<void> {
  const [topic, sub] = args;
  // Words after a whole topic were ignored (`help exit-codes extra` printed the table, exit 0): a typo is not a topic.
  const depth = topic === 'exit-codes' || topic === 'environment' ? 1 : 2;
  if (args.length > depth) {
    throw usageError(`no help topic ${quoteGiven(args.join(' '), 80)}: ${quoteGiven(args.slice(0, depth).join(' '))} is one, and nothing goes after it`, `Run \`t0ken help ${args.slice(0, depth).join(' ')}\`.`);
  }
  if (topic === 'exit-codes') {
    const rows = EXIT_CODE_TABLE.map(([code, meaning]) => ({ code, meaning }));
    ctx.out.result({ exit_codes: rows }, () => exitCodesText(Math.min(HELP_WIDTH, ctx.out.width)));
    return;
  }
  if (topic === 'environment') {
    ctx.out.result({ environment: ENVIRONMENT }, () => environmentText(Math.min(HELP_WIDTH, ctx.out.width)));
    return;
  }
  // commander renders a command's help; loaded only then (help exit-codes does not need it).
  const { commanderProgram } = await import('./commander-program.js');
  const width = Math.min(HELP_WIDTH, ctx.out.width);
  const program = commanderProgram(await specs(), async () => {}, width);
  let target: Command | undefined = program;
  if (topic !== undefined) target = program.commands.find((c) => c.name() === topic || c.aliases().includes(topic));
  if (target && sub !== undefined) target = target.commands.find((c) => c.name() === sub);
  if (!target) {
    const parent = target === undefined && sub !== undefined && program.commands.some((c) => c.name() === topic) ? program.commands.find((c) => c.name() === topic)! : program;
    const typo = parent === program ? topic! : sub!;
    const near = closest(typo, [...parent.commands.flatMap((c) => [c.name(), ...c.aliases()]), ...(parent === program ? ['exit-codes', 'environment'] : [])]);
    const prefix = parent === program ? 't0ken help' : `t0ken help ${topic}`;
    throw usageError(
      `no help topic ${quoteGiven(args.join(' '), 80)}${near ? ` (did you mean \`${prefix} ${near}\`?)` : ''}`,
      'Run `t0ken help` for the commands, or `t0ken help exit-codes` / `t0ken help environment`.',
    );
  }
  ctx.out.text(helpOf(target));
}

/** A command's help as commander prints it, the text added before and after included. */
export function helpOf(command: Command): string {
  let text = '';
  command.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
  command.outputHelp();
  return text;
}

/** The human text of `help exit-codes` (also printed from dist/static-text.json, see staticTextKey in core/argv.ts). */
export const exitCodesText = (width = HELP_WIDTH): string => `Exit codes:\n${keyValueTable(EXIT_CODE_TABLE.map(([c, m]) => [`  ${c}`, m] as const), undefined, width)}`;

export const environmentText = (width = HELP_WIDTH): string => `Environment variables:\n${environmentLines(Object.keys(ENVIRONMENT), width)}`;
