import { completionScript, SHELLS } from '../completion/generate.js';
import { commandTree } from '../completion/tree.js';
import { commanderProgram } from '../commands/commander-program.js';
import { environmentText, exitCodesText, helpOf } from '../commands/help.js';
import { collectManifest } from '../commands/manifest.js';
import type { Command } from 'commander';
import { argvView } from '../core/command-spec.js';
import { PLAIN_STYLE } from '../ui/style.js';

/**
 * Build-time only (scripts/build.mjs runs it, it is not shipped): the manifest (every command's
 * spec) and every text that core/argv.ts's staticTextKey can name, exactly as the CLI prints it
 * through commander, as JSON on stdout.
 */
void collectManifest().then((manifest) => {
  const program = commanderProgram(manifest, async () => {});
  const texts: Record<string, string> = {};

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
  for (const shell of SHELLS) texts[`completion:${shell}`] = line(completionScript(shell, commandTree(manifest)).trimEnd());

  process.stdout.write(JSON.stringify({ manifest, argvView: argvView(manifest), texts }));
});
