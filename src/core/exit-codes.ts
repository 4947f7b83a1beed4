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

/**
 * The exit code of each error code t0ken itself raises: an error's code says what went wrong, and
 * this table says which number scripts see for it. Errors whose code is not ours (a service's own
 * code, whose exit comes from the HTTP status; a code kept when a message is reworded) give theirs.
 */
export const EXIT_FOR_CODE = {
  internal: Exit.internal,
  invalid_input: Exit.usage,
  not_registered: Exit.auth,
  agent_org_not_member: Exit.auth,
  not_found: Exit.rejected,
  code_expired: Exit.rejected,
  network: Exit.network,
  timeout: Exit.network,
  tls: Exit.network,
  proxy: Exit.network,
  redirect_refused: Exit.network,
  malformed_response: Exit.network,
  conflict: Exit.conflict,
  already_claimed: Exit.conflict,
  local_state: Exit.state,
  no_fingerprint: Exit.state,
  unmergeable_config: Exit.state,
  keychain_locked: Exit.state,
  keychain_unavailable: Exit.state,
  keychain_failed: Exit.state,
  keychain_entry_missing: Exit.state,
  command_not_executable: Exit.notExecutable,
  command_not_found: Exit.notFound,
  interrupted: Exit.interrupted,
} as const satisfies Record<string, ExitCode>;

export type ErrorCode = keyof typeof EXIT_FOR_CODE;

/** 128+n is a family (a death by signal n), not one code: the table names it as text. */
export const EXIT_CODE_TABLE: ReadonlyArray<readonly [ExitCode | '128+n', string]> = [
  [Exit.ok, 'success'],
  [Exit.internal, 'unexpected internal error (a bug: please report it)'],
  [Exit.usage, 'usage or invalid input: flags, email, code, agent name, files, a missing value without a terminal, http:// to a remote host, an MNEMOM_API_KEY that is not an mnm_ key, an unknown shell'],
  [Exit.auth, 'not registered / not authenticated: nothing stored, or the service answered 401/403'],
  [Exit.rejected, 'the service rejected the request: 400, 404, 410, 422, an expired claim code'],
  [Exit.network, 'network or service failure: timeout, refused connection, 5xx, 408 or 429 after retries, Retry-After over 30 s, a malformed answer'],
  [Exit.conflict, 'conflict: 409 (agent exists, account already claimed)'],
  [Exit.state, 'local state problem: config file unreadable, corrupt, too large, a symlink or owned by someone else; config dir writable by others or relative; any file-system error such as a full disk; left untouched; a keychain that is locked, unreachable, or lost an entry t0ken stored there'],
  [Exit.notExecutable, 'exec: the program is not executable'],
  [Exit.notFound, 'exec: the program was not found'],
  ['128+n', 'killed by signal n: exec\'s program (where t0ken becomes the program, its own death; where it runs a child, t0ken exits 128+n rather than re-raising the signal; any other exit status of the program is passed through unchanged), or t0ken itself, 141, when its stdout is closed before all of its output is written (a long agent list | head -1), as SIGPIPE would'],
  [Exit.interrupted, 'interrupted (Ctrl-C)'],
];
