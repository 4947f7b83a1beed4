/**
 * Which argv print a fixed text: help (`t0ken`, `--help`, `<command> --help`, `help [<command>]`,
 * `help exit-codes|environment`) and `completion <shell>`. Their texts are generated at build time
 * into dist/static-text.json (scripts/build.mjs), so these runs load neither commander nor the CLI.
 * The key names the text; a key the file does not hold (a typo, an unknown command) is left to the
 * CLI, which says what is wrong.
 */

const WORD = /^[a-z][a-z0-9-]*$/;

export function staticTextKey(args: readonly string[]): string | undefined {
  if (args.length === 0) return 'help:';
  const last = args[args.length - 1];
  if (last === '--help' || last === '-h') {
    const path = args.slice(0, -1);
    return path.length <= 2 && path.every((word) => WORD.test(word)) ? `help:${path.join(' ')}` : undefined;
  }
  if (args[0] === 'help') {
    const topic = args.slice(1);
    if (topic.length === 1 && (topic[0] === 'exit-codes' || topic[0] === 'environment')) return `topic:${topic[0]}`;
    return topic.length <= 2 && topic.every((word) => WORD.test(word)) ? `help:${topic.join(' ')}` : undefined;
  }
  if (args[0] === 'completion' && args.length === 2) return `completion:${args[1]}`;
  return undefined;
}

/** A cheap first look, for the start-up shim: could this argv be one of the above? */
export function mayBeStaticText(args: readonly string[]): boolean {
  if (args.length === 0) return true;
  const last = args[args.length - 1];
  return last === '--help' || last === '-h' || args[0] === 'help' || args[0] === 'completion';
}
