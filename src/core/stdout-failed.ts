// Its own module: dist/static.cjs, which the shim loads on every run, needs it without the error
// types and the exit-code tables.

/** stdout that cannot take the output (/dev/full, an I/O error): the message and hint, wherever it is found. */
export const stdoutFailed = (code: string | undefined): { message: string; hint: string } => ({
  message: `could not write the output to stdout (${code ?? 'error'})`,
  hint: 'Check where stdout goes (a full disk, a broken device), then run the command again.',
});
