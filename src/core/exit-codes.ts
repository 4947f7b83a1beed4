/** The contract's exit codes. Scripts rely on these numbers. */
export const Exit = {
  ok: 0,
  internal: 1,
  usage: 2,
  auth: 3,
  rejected: 4,
  network: 5,
  conflict: 6,
  state: 7,
  notExecutable: 126,
  notFound: 127,
  interrupted: 130,
} as const;

export type ExitCode = (typeof Exit)[keyof typeof Exit];

/** 128+n is a family (a death by signal n), not one code: the table names it as text. */
export const EXIT_CODE_TABLE: ReadonlyArray<readonly [ExitCode | '128+n', string]> = [
  [Exit.ok, 'success'],
  [Exit.internal, 'unexpected internal error (a bug: please report it)'],
  [Exit.usage, 'usage or invalid input: flags, email, code, agent name, files, missing value without a terminal, http:// to a remote host'],
  [Exit.auth, 'not registered / not authenticated: nothing stored, or the service answered 401/403'],
  [Exit.rejected, 'the service rejected the request: 400, 404, 410, 422, an expired claim code'],
  [Exit.network, 'network or service failure: timeout, refused connection, 5xx or 429 after retries, a malformed answer'],
  [Exit.conflict, 'conflict: 409 (agent exists, account already claimed)'],
  [Exit.state, 'local state problem: the config file is unreadable, corrupt or has the wrong owner; it is left untouched'],
  [Exit.notExecutable, 'exec: the program is not executable'],
  [Exit.notFound, 'exec: the program was not found'],
  ['128+n', 'exec: the program was killed by signal n (any other exit status of the program is passed through unchanged)'],
  [Exit.interrupted, 'interrupted (Ctrl-C)'],
];
