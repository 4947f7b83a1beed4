import type { Command } from 'commander';
import type { Context } from '../context.js';
import { usageError } from '../core/errors.js';
import { EXIT_CODE_TABLE } from '../core/exit-codes.js';
import { ENVIRONMENT, environmentLines } from '../core/environment.js';
import { keyValueTable } from '../ui/table.js';

/** `t0ken help [exit-codes | environment | <command>]`. */
export async function run(ctx: Context, _options: Record<string, unknown>, args: string[], command: Command): Promise<void> {
  const program = command.parent!;
  const [topic, sub] = args;
  if (topic === undefined) {
    program.outputHelp();
    return;
  }
  if (topic === 'exit-codes') {
    const rows = EXIT_CODE_TABLE.map(([code, meaning]) => ({ code, meaning }));
    ctx.out.result({ exit_codes: rows }, exitCodesText);
    return;
  }
  if (topic === 'environment') {
    ctx.out.result({ environment: ENVIRONMENT }, environmentText);
    return;
  }
  let target = program.commands.find((c) => c.name() === topic || c.aliases().includes(topic));
  if (target && sub !== undefined) target = target.commands.find((c) => c.name() === sub);
  if (!target) {
    throw usageError(`no help topic ${JSON.stringify(args.join(' '))}`, 'Run `t0ken help` for the commands, or `t0ken help exit-codes` / `t0ken help environment`.');
  }
  target.outputHelp();
}

/** The human text of `help exit-codes` (also printed from dist/static-text.json, see static-argv.ts). */
export const exitCodesText = (): string => `Exit codes:\n${keyValueTable(EXIT_CODE_TABLE.map(([c, m]) => [`  ${c}`, m] as const))}`;

export const environmentText = (): string => `Environment variables:\n${environmentLines(Object.keys(ENVIRONMENT))}`;
