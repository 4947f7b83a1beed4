// Next steps for commander's usage errors, and the scrubbing of values out of its messages.
// Pure: commander's message and argv in, text out.
import { quoteGiven, shownGiven } from './mask.js';

const GENERIC_HINT = 'Run `t0ken --help` (or `t0ken <command> --help`) to see the options.';

/**
 * Commander quotes an unknown option as given, `'--key=sk-ant-…'` or `'-ksk-ant-…'`: keep the
 * option's name only, so a secret typed after it is never echoed (into a terminal's scrollback or a
 * CI log).
 */
export function withoutOptionValues(message: string): string {
  // `-ksk-ant-…` is the short option -k with its value glued on: name -k alone.
  return message.replace(/'(-{1,2}[^='\s]+)=[^']*'/g, "'$1'").replace(/'(-[^-'\s])[^'\s]+'/g, "'$1'");
}

/**
 * Commander's message, one line, values scrubbed, without a misleading suggestion (`version` → `verify`).
 * A flag that takes no value given one (`--json=1`) is unknown to commander, which then said
 * "unknown option '--json' (Did you mean --json?)" once the value was scrubbed: say what is wrong.
 */
export function usageMessage(message: string, flagsWithoutValue: ReadonlySet<string> = new Set()): string {
  const given = /unknown option '(--[^='\s]+)=[^']*'/.exec(message)?.[1];
  if (given !== undefined && flagsWithoutValue.has(given)) return `${given} takes no value`;
  // An option name past 40 characters is cut, as an unknown command is (core/usage-check.ts): a
  // 100,000-character one was echoed whole.
  const line = withoutOptionValues(message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' '))
    .replace(/'(-{1,2})([^'\s]{20,})'/g, (_match, dashes: string, word: string) => `'${dashes}${shownGiven(word)}'`) // a key pasted as an option's name: masked, a long name cut
    .replace(/argument '([^']*)' is invalid/, (_match, value: string) => `argument ${quoteGiven(value)} is invalid`); // a key pasted as a choice
  return /unknown command 'version'/.test(line) ? line.replace(/\s*\(Did you mean [^)]*\)/, '') : line;
}

/**
 * The hint for a commander error message, in `command` (`agent create`; '' for t0ken itself). Stray arguments,
 * missing values and unknown commands are caught before commander (core/usage-check.ts).
 */
export function usageHint(message: string, command = ''): string {
  const unknownCommand = /unknown command '([^']*)'/.exec(message)?.[1];
  if (unknownCommand === 'version') return 'For the version, run `t0ken --version` (or `t0ken -V`).';
  if (unknownCommand !== undefined) return 'Run `t0ken --help` to see the commands.';

  const unknownOption = /unknown option '([^']*)'/.exec(message)?.[1];
  if (unknownOption === '-v') return 'For the version, use `-V` (or `--version`).';
  if (unknownOption !== undefined && /^--key(=|$)/.test(unknownOption)) {
    return 'Keys never go on the command line: pass `--key-env <VAR>` (the name of a variable holding it) or `--key-stdin` (pipe it in).';
  }
  if (unknownOption !== undefined && /^--(token|api-key|password|secret)(=|$)/.test(unknownOption)) {
    return 'Secrets never go on the command line: pipe them in (`--with-token`, `--key-stdin`) or use the environment (`t0ken help environment`).';
  }

  return command ? `Run \`t0ken ${command} --help\` to see its options and arguments.` : GENERIC_HINT;
}
