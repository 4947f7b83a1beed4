// Text wrapped to a width, for help and tables at the terminal's width. Pure.

/** The width t0ken writes to: stdout's columns at a terminal, else COLUMNS, else 80. */
export function outputWidth(stdoutColumns: number | undefined, env: NodeJS.ProcessEnv): number {
  if (stdoutColumns !== undefined && stdoutColumns > 0) return stdoutColumns;
  const columns = Number(env.COLUMNS);
  return Number.isInteger(columns) && columns > 0 ? columns : 80;
}

/**
 * The width tables wrap to: as outputWidth, but unbounded on a pipe or file without COLUMNS, where
 * no terminal breaks a line and a script reading rows (grep, awk) wants each whole.
 */
export function tableWidth(stdoutColumns: number | undefined, env: NodeJS.ProcessEnv): number {
  return (stdoutColumns !== undefined && stdoutColumns > 0) || Number(env.COLUMNS) > 0 ? outputWidth(stdoutColumns, env) : Infinity;
}

/** Help is never wider than this, however wide the terminal: the build-time help is this wide. */
export const HELP_WIDTH = 80;

/**
 * `text` broken at spaces into lines of at most `width` characters (at least 20: a very narrow
 * terminal gets long lines rather than one word a line). A word longer than a line stays whole (a
 * URL, a path), on its own line.
 */
export function wrapWords(text: string, width: number): string[] {
  const limit = Math.max(20, width);
  if (text.length <= limit) return [text];
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/ +/)) {
    if (line === '') line = word;
    else if (line.length + 1 + word.length <= limit) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  lines.push(line);
  return lines;
}

/** `label` (already padded) then `text` wrapped to what is left of `width`, continued under itself. */
export function hanging(label: string, text: string, width: number): string[] {
  return wrapWords(text, width - label.length).map((line, i) => `${i === 0 ? label : ' '.repeat(label.length)}${line}`);
}

/** Below this many columns beside a term (an option, a variable), its description goes under it. */
export const MIN_DESCRIPTION_WIDTH = 20;

/** A help item on a terminal too narrow for a column beside its term: the term, then its description under it, wrapped. */
export function itemUnderTerm(term: string, description: string, width: number): string[] {
  return [`  ${term}`, ...hanging('      ', description, width)];
}
