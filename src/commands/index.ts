import type { Context } from '../context.js';
import type { CommandSpec, Manifest } from '../core/command-spec.js';

/**
 * A command's module: its spec, and `run` unless it only groups others (help and completion read
 * every spec: `specs` loads them). A command may return an exit status (`exec` passes its program's on).
 */
export interface CommandModule {
  spec: CommandSpec;
  run?(ctx: Context, options: Record<string, unknown>, args: string[], specs: () => Promise<Manifest>): Promise<void | number>;
}

/**
 * Every command, keyed by its path, in the order `t0ken --help` lists them. One lazy import each: a
 * command's module, and what it imports (store, HTTP, prompts…), is evaluated only when it runs;
 * its spec reaches the fast path, help and completions through the build-time manifest (manifest.ts).
 */
export const COMMANDS = {
  register: () => import('./register.js'),
  whoami: () => import('./whoami.js'),
  token: () => import('./token.js'),
  claim: () => import('./claim.js'),
  verify: () => import('./verify.js'),
  stats: () => import('./stats.js'),
  logout: () => import('./logout.js'),
  exec: () => import('./exec.js'),
  env: () => import('./env.js'),
  link: () => import('./link.js'),
  mcp: () => import('./mcp/group.js'),
  'mcp config': () => import('./mcp/config.js'),
  'hash-proof': () => import('./hash-proof.js'),
  agent: () => import('./agent/group.js'),
  'agent create': () => import('./agent/create.js'),
  'agent list': () => import('./agent/list.js'),
  'agent show': () => import('./agent/show.js'),
  'agent claim': () => import('./agent/claim.js'),
  'agent rekey': () => import('./agent/rekey.js'),
  'agent login': () => import('./agent/login.js'),
  'agent logout': () => import('./agent/logout.js'),
  credentials: () => import('./credentials/group.js'),
  'credentials status': () => import('./credentials/status.js'),
  'credentials migrate': () => import('./credentials/migrate.js'),
  fingerprint: () => import('./fingerprint.js'),
  completion: () => import('./completion.js'),
  sandbox: () => import('./sandbox.js'),
  help: () => import('./help.js'),
} satisfies Record<string, () => Promise<CommandModule>>;

export { spec as programSpec } from './globals.js';

export const loadCommand = (name: string): Promise<CommandModule> => (COMMANDS as Record<string, () => Promise<CommandModule>>)[name]!();
