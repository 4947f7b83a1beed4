import type { Command } from 'commander';
import { completionScript, SHELLS } from '../completion/generate.js';
import { commandTree } from '../completion/tree.js';
import { environmentText, exitCodesText } from '../commands/help.js';
import { buildProgram } from '../program.js';
import { PLAIN_STYLE } from '../ui/style.js';

/**
 * Build-time only (scripts/build.mjs runs it, it is not shipped): every text that
 * src/core/static-argv.ts can name, exactly as the CLI prints it through commander, as JSON on stdout.
 */
const program = buildProgram(async () => {});
const texts: Record<string, string> = {};

const helpOf = (command: Command): string => {
  let text = '';
  command.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
  command.outputHelp();
  return text;
};

const walk = (command: Command, paths: string[][]): void => {
  const text = helpOf(command);
  for (const path of paths) texts[`help:${path.join(' ')}`] = text;
  for (const sub of command.commands) {
    const names = [sub.name(), ...sub.aliases()];
    walk(sub, paths.flatMap((path) => names.map((name) => [...path, name])));
  }
};
walk(program, [[]]);

const line = (text: string): string => PLAIN_STYLE.render(text.endsWith('\n') ? text : `${text}\n`);
texts['topic:exit-codes'] = line(exitCodesText());
texts['topic:environment'] = line(environmentText());
for (const shell of SHELLS) texts[`completion:${shell}`] = line(completionScript(shell, commandTree(program)).trimEnd());

process.stdout.write(JSON.stringify(texts));
