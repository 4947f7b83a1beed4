// Quoting for the shells and files t0ken writes to: one module, so `env`, the hints in errors and
// the completion scripts agree on every byte.

/** POSIX sh, bash, zsh: single quotes keep every byte but `'`, which becomes '\'' . */
export const shQuote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

/** For a path in a hint: left bare when a shell reads it as it is, else shQuote. */
export const shQuoteIfNeeded = (value: string): string => (/^[\w@%+=:,./~-]+$/.test(value) ? value : shQuote(value));

/** fish: inside single quotes only \\ and \' are escapes; newlines are kept as they are. */
export const fishQuote = (value: string): string => `'${value.replace(/[\\']/g, (c) => `\\${c}`)}'`;

const DOTENV_PLAIN = /^[A-Za-z0-9_./:@%+,=-]*$/;

/**
 * dotenv has no one standard. A value of plain characters is written bare (every reader agrees on
 * it); anything else in single quotes, which node --env-file, python-dotenv, the dotenv package and
 * docker compose read literally. A value with a `'`, a newline or a NUL has no spelling they all
 * read back alike: this says why, and the caller refuses it rather than write it wrong.
 */
export function dotenvUnrepresentable(value: string): string | undefined {
  if (DOTENV_PLAIN.test(value)) return undefined;
  if (/[\n\r\0]/.test(value)) return 'it contains a line break or NUL';
  if (value.includes("'")) return "it contains a single quote (')";
  return undefined;
}

/** A value dotenvUnrepresentable accepted, spelled for a .env file. */
export const dotenvQuote = (value: string): string => (DOTENV_PLAIN.test(value) ? value : `'${value}'`);
