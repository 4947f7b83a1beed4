/** Every command t0ken can run, as the CLI's loaders know them (`agent create` is agent-create). */
export type CommandName =
  | 'fingerprint' | 'register' | 'whoami' | 'token' | 'logout' | 'claim' | 'verify' | 'stats'
  | 'hash-proof' | 'agent-create' | 'agent-list' | 'agent-login' | 'agent-logout'
  | 'agent-show' | 'agent-claim' | 'agent-rekey'
  | 'completion' | 'sandbox' | 'help'
  | 'exec' | 'env' | 'mcp-config' | 'link'
  | 'credentials-status' | 'credentials-migrate';
