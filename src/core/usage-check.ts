// Usage mistakes commander reports poorly or not at all, found from the specs before it parses:
// an unknown command given with --help (commander prints the parent's help and exits 0), a
// mistyped subcommand (its hint named the root help), words in the wrong order (`create agent`),
// an option whose value is missing because the next word is another option (commander takes that
// option as the value), and a stray argument (commander: "Expected 0 arguments but got 1"). Pure.
import { argumentShape, optionShape, type CommandSpec, type Manifest } from './command-spec.js';
import { flagTable } from './argv.js';
import { closest } from './did-you-mean.js';
import { shownGiven } from './mask.js';

export interface UsageProblem {
  message: string;
  hint: string;
}

const children = (manifest: Manifest, parent: CommandSpec): CommandSpec[] =>
  manifest.commands.filter((c) => c.path.length === parent.path.length + 1 && parent.path.every((w, i) => c.path[i] === w));

const findChild = (manifest: Manifest, parent: CommandSpec, word: string): CommandSpec | undefined =>
  children(manifest, parent).find((c) => c.path.at(-1) === word || c.aliases?.includes(word) === true);

const name = (command: CommandSpec): string => ['t0ken', ...command.path].join(' ');

/** The first usage mistake in `args` (argv without node and the script), or undefined. */
export function usageProblem(manifest: Manifest, args: readonly string[]): UsageProblem | undefined {
  const globals = flagTable(manifest.program.options);
  let command = manifest.program;
  let own = flagTable(command.options);
  let positional = 0;
  const given = new Set<string>();

  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--' || command.runsProgram) return undefined; // the rest is a program's or a server's
    if (arg === '--help' || arg === '-h') continue;
    if (arg.startsWith('-') && arg !== '-') {
      const at = arg.startsWith('--') ? arg.indexOf('=') : -1;
      const flagName = at > 2 ? arg.slice(0, at) : arg;
      const flag = globals.get(flagName) ?? own.get(flagName);
      if (flag === undefined) return undefined; // commander names an unknown option well
      given.add(flag.shape.long);
      if (!flag.shape.takesValue || at > 2) continue;
      const next = args[i + 1];
      if (next === undefined || next === '--help' || next === '-h' || globals.has(next) || own.has(next)) {
        const placeholder = /[<[]([^>\]]+)[>\]]/.exec(flag.spec.flags)?.[1] ?? 'value';
        const where = globals.has(flagName) ? 't0ken' : name(command);
        return {
          message: `${flag.shape.long} needs a value (<${placeholder}>)${next === undefined ? '' : `, but ${next} follows it`}`,
          hint: `Give the value right after it: \`${where} ${flag.shape.long} <${placeholder}>\`; see \`${where} --help\`.`,
        };
      }
      const value = next;
      i++;
      if (flag.spec.choices && !flag.spec.choices.includes(value)) {
        const near = closest(value, flag.spec.choices);
        return {
          message: `${flag.shape.long} takes ${flag.spec.choices.join(', ')}, not ${JSON.stringify(shownGiven(value))}`,
          hint: near ? `Did you mean \`${flag.shape.long} ${near}\`?` : `See \`${name(command)} --help\`.`,
        };
      }
      continue;
    }
    const sub = positional === 0 ? findChild(manifest, command, arg) : undefined;
    if (sub !== undefined) {
      command = sub;
      own = flagTable(sub.options);
      continue;
    }
    const declared = command.arguments ?? [];
    // Where a subcommand is expected (a command that groups others and takes no argument of its own).
    if (command === manifest.program || command.groupOnly || (positional === 0 && declared.length === 0 && children(manifest, command).length > 0)) {
      return unknownCommand(manifest, command, arg, args[i + 1]);
    }
    if (declared.length > 0 && argumentShape(declared.at(-1)!).variadic) continue;
    if (positional < declared.length) {
      positional++;
      continue;
    }
    return strayArgument(command, arg, given);
  }
  return undefined;
}

function unknownCommand(manifest: Manifest, parent: CommandSpec, word: string, next: string | undefined): UsageProblem {
  // Not `verify`, the closest word: what was meant is the option.
  if (word === 'version') return { message: "unknown command 'version'", hint: 'For the version, run `t0ken --version` (or `t0ken -V`).' };
  const where = parent === manifest.program ? '' : ` of \`${name(parent)}\``;
  // `t0ken create agent`: the right words in the wrong order.
  const swapped = parent === manifest.program && next !== undefined ? findChild(manifest, parent, next) : undefined;
  const turned = swapped !== undefined && findChild(manifest, swapped, word) !== undefined ? `t0ken ${next} ${word}` : undefined;
  const near = turned ?? (() => {
    const words = children(manifest, parent).flatMap((c) => [c.path.at(-1)!, ...(c.aliases ?? [])]);
    const match = closest(word, words);
    return match === undefined ? undefined : `${name(parent)} ${match}`;
  })();
  return {
    message: `unknown command '${shownGiven(word)}'${where}${near ? ` (did you mean \`${near}\`?)` : ''}`,
    hint: `Run \`${name(parent)} --help\` to see ${parent === manifest.program ? 'the' : 'its'} commands.`,
  };
}

function strayArgument(command: CommandSpec, word: string, given: ReadonlySet<string>): UsageProblem {
  const takes = command.arguments?.length ?? 0;
  // `agent create my-agent`, `claim you@example.com`: a value that belongs to an option not given yet.
  const wanted = word.includes('@') ? '--email' : /^\d+$/.test(word) ? '--code' : '--name';
  const option = (command.options ?? []).map((o) => ({ o, shape: optionShape(o) })).find(({ o, shape }) => shape.takesValue && !o.hidden && !given.has(shape.long) && shape.long === wanted);
  return {
    message: `unexpected argument '${shownGiven(word)}': \`${name(command)}\` takes ${takes === 0 ? 'no arguments' : `${takes} argument${takes === 1 ? '' : 's'}`}`,
    hint: option ? `Did you mean \`${option.shape.long} ${shownGiven(word)}\`? See \`${name(command)} --help\`.` : `Pass values with their flags; see \`${name(command)} --help\`.`,
  };
}
