// MCP clients' config files: one row per client (where its file lives, the shape of a server entry
// in it, what the user does next). Pure: the command finds, reads and writes the files. Each row
// follows the client's own documentation:
//
// - Claude Code: `.mcp.json` at the project root, `{"mcpServers": {NAME: {"type": "stdio", "command",
//   "args", "env"}}}` (what `claude mcp add --scope project` writes). Claude Code lists such a server
//   as pending until the user approves it. https://docs.anthropic.com/en/docs/claude-code/mcp
// - Cursor: `~/.cursor/mcp.json`, or `.cursor/mcp.json` in a project, `{"mcpServers": …}`. https://cursor.com/docs/mcp
// - VS Code: `.vscode/mcp.json`, `{"servers": {NAME: {"type": "stdio", …}}}`, JSON with comments.
//   https://code.visualstudio.com/docs/copilot/reference/mcp-configuration
// - Codex: `~/.codex/config.toml` (`$CODEX_HOME/config.toml`), `[mcp_servers.NAME]` with `command`,
//   `args`, `env`. https://github.com/openai/codex/blob/main/docs/config.md
// - Windsurf: `~/.codeium/windsurf/mcp_config.json`, `{"mcpServers": …}`. https://docs.windsurf.com/windsurf/cascade/mcp
// - Claude Desktop: `claude_desktop_config.json` in the OS's application-config directory (macOS
//   `~/Library/Application Support/Claude`, Windows `%APPDATA%\Claude`; Linux has no official build:
//   the community builds read `~/.config/Claude`), `{"mcpServers": …}`. https://modelcontextprotocol.io/quickstart/user
// - generic: the `mcpServers` shape most other clients read; no file.

import { join } from 'node:path';

export type McpClient = 'claude-code' | 'cursor' | 'vscode' | 'codex' | 'windsurf' | 'claude-desktop' | 'generic';
export type McpScope = 'project' | 'user';
export type FileFormat = 'json' | 'jsonc' | 'toml';

/** Where a file lives: under the project (the current directory) or a per-user directory. */
export interface FilePlace {
  base: 'project' | 'home' | 'app-config' | 'codex-home';
  path: readonly string[];
}

export interface ClientRow {
  /** Its name in messages. */
  label: string;
  format: FileFormat;
  /** The top-level key that maps server names to entries. */
  serversKey: 'mcpServers' | 'servers' | 'mcp_servers';
  /** Whether an entry carries `"type": "stdio"`. */
  typed: boolean;
  /** Its files by scope; the first is the default. */
  files: Partial<Record<McpScope, FilePlace>>;
  /** For `--client detected`: the directory whose existence says the client is used here. */
  detect?: FilePlace;
  /** One line on what the user does after --write. */
  nextStep?: (name: string) => string;
}

const restart = (label: string) => `Restart ${label} (it reads the file when it starts).`;

export const CLIENTS: Readonly<Record<McpClient, ClientRow>> = {
  'claude-code': {
    label: 'Claude Code',
    format: 'json',
    serversKey: 'mcpServers',
    typed: true,
    files: { project: { base: 'project', path: ['.mcp.json'] } },
    detect: { base: 'home', path: ['.claude'] },
    nextStep: (name) => `Next: approve "${name}" when \`claude\` asks (it stays "pending approval" until then), or add it to "enabledMcpjsonServers" in .claude/settings.local.json.`,
  },
  cursor: {
    label: 'Cursor',
    format: 'json',
    serversKey: 'mcpServers',
    typed: false,
    files: { user: { base: 'home', path: ['.cursor', 'mcp.json'] }, project: { base: 'project', path: ['.cursor', 'mcp.json'] } },
    detect: { base: 'home', path: ['.cursor'] },
    nextStep: (name) => `Next: in Cursor Settings > MCP, turn "${name}" on (or restart Cursor).`,
  },
  vscode: {
    label: 'VS Code',
    format: 'jsonc',
    serversKey: 'servers',
    typed: true,
    files: { project: { base: 'project', path: ['.vscode', 'mcp.json'] } },
    detect: { base: 'project', path: ['.vscode'] },
    nextStep: (name) => `Next: start "${name}" from the Start link above it in .vscode/mcp.json, or with "MCP: List Servers".`,
  },
  codex: {
    label: 'Codex',
    format: 'toml',
    serversKey: 'mcp_servers',
    typed: false,
    files: { user: { base: 'codex-home', path: ['config.toml'] } },
    detect: { base: 'codex-home', path: [] },
    nextStep: () => 'Next: start a new `codex` session (it reads config.toml when it starts); /mcp lists the server.',
  },
  windsurf: {
    label: 'Windsurf',
    format: 'json',
    serversKey: 'mcpServers',
    typed: false,
    files: { user: { base: 'home', path: ['.codeium', 'windsurf', 'mcp_config.json'] } },
    detect: { base: 'home', path: ['.codeium', 'windsurf'] },
    nextStep: () => 'Next: press Refresh in the MCP panel of Windsurf\'s Cascade (or restart Windsurf).',
  },
  'claude-desktop': {
    label: 'Claude Desktop',
    format: 'json',
    serversKey: 'mcpServers',
    typed: false,
    files: { user: { base: 'app-config', path: ['Claude', 'claude_desktop_config.json'] } },
    detect: { base: 'app-config', path: ['Claude'] },
    nextStep: () => restart('Claude Desktop'),
  },
  generic: { label: 'generic', format: 'json', serversKey: 'mcpServers', typed: false, files: {} },
};

export const MCP_CLIENTS = Object.keys(CLIENTS) as McpClient[];
/** `--client detected`: every client with a file whose directory exists. */
export const DETECTED = 'detected';
export const CLIENT_CHOICES: readonly string[] = [...MCP_CLIENTS, DETECTED];
export const MCP_SCOPES: readonly McpScope[] = ['project', 'user'];

/** The scope a client writes by default: its first file. */
export function defaultScope(client: McpClient): McpScope | undefined {
  return Object.keys(CLIENTS[client].files)[0] as McpScope | undefined;
}

/** What a place is relative to: the machine's facts, given by the caller. */
export interface PlaceRoots {
  project: string;
  home: string;
  platform: NodeJS.Platform;
  env: Readonly<Record<string, string | undefined>>;
}

/** The directory per-user application settings go in (Claude Desktop's parent). */
function appConfigDir(roots: PlaceRoots): string {
  if (roots.platform === 'darwin') return join(roots.home, 'Library', 'Application Support');
  if (roots.platform === 'win32') return roots.env.APPDATA || join(roots.home, 'AppData', 'Roaming');
  return roots.env.XDG_CONFIG_HOME || join(roots.home, '.config');
}

export function resolvePlace(place: FilePlace, roots: PlaceRoots): string {
  const base = {
    project: () => roots.project,
    home: () => roots.home,
    'app-config': () => appConfigDir(roots),
    'codex-home': () => roots.env.CODEX_HOME || join(roots.home, '.codex'),
  }[place.base]();
  return join(base, ...place.path);
}

/** The MCP server of the MemoryX example in messages; it is never used unless the user types it. */
export const EXAMPLE_SERVER = 'npx -y <your-mcp-server>';
export const DEFAULT_SERVER_NAME = 'memoryx';
export const SERVER_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export interface Launch {
  command: string;
  args: string[];
  /** Non-secret settings the server's t0ken needs (a non-default API URL, a config directory). Never a key. */
  env?: Record<string, string>;
}

/**
 * The server command, launched through `t0ken exec` so the identity arrives in its environment only.
 * No `--` before it unless the program's name starts with `-`: exec takes everything from the
 * program on as the program's, and some clients (MCP Inspector 1.0) split their own argv at `--`.
 */
export function launchThroughExec(server: readonly string[], env: Record<string, string> = {}, t0ken = 't0ken'): Launch {
  const separator = server[0]?.startsWith('-') ? ['--'] : [];
  const launch: Launch = { command: t0ken, args: ['exec', ...separator, ...server] };
  if (Object.keys(env).length > 0) launch.env = env;
  return launch;
}

export function serverEntry(client: McpClient, launch: Launch): Record<string, unknown> {
  const entry: Record<string, unknown> = CLIENTS[client].typed ? { type: 'stdio' } : {};
  entry.command = launch.command;
  entry.args = launch.args;
  if (launch.env) entry.env = launch.env;
  return entry;
}

/** What the client's file would hold with only this server in it. */
export function configShape(client: McpClient, name: string, launch: Launch): Record<string, unknown> {
  return { [CLIENTS[client].serversKey]: { [name]: serverEntry(client, launch) } };
}

/** A config file we must not rewrite: not valid JSON/TOML, duplicate keys, or not the shape we know. */
export class UnmergeableConfigError extends Error {}

/** The result of editing a file's text. */
export interface MergedText {
  text: string;
  replaced: boolean;
  others: number;
}
