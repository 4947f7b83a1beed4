// MCP clients' config files: where each one lives and the shape of a server entry in it. Pure: the
// command reads and writes the file. Each shape follows the client's own documentation:
//
// - Claude Code, project scope: `.mcp.json` at the project root, `{"mcpServers": {"<name>": {"type":
//   "stdio", "command", "args", "env"}}}`, the file `claude mcp add --scope project <name> --
//   <command> [args…]` writes. https://docs.anthropic.com/en/docs/claude-code/mcp
// - Cursor, global: `~/.cursor/mcp.json` (a project may have `.cursor/mcp.json`), `{"mcpServers":
//   {"<name>": {"command", "args", "env"}}}`. https://cursor.com/docs/mcp
// - VS Code, workspace: `.vscode/mcp.json`, `{"servers": {"<name>": {"type": "stdio", "command",
//   "args", "env"}}, "inputs": []}`; `type` is required there. The file is JSON with comments to VS
//   Code; we refuse to rewrite one with comments rather than lose them.
//   https://code.visualstudio.com/docs/copilot/reference/mcp-configuration
// - generic: the `mcpServers` shape most other clients (Claude Desktop, Windsurf, Cline) read; no file.

import { positionOf } from './card.js';
import { jsonTooDeep, TOO_DEEP } from './json-depth.js';
import { jsonErrorOffset } from './json-position.js';

export type McpClient = 'claude-code' | 'cursor' | 'vscode' | 'generic';
export const MCP_CLIENTS: readonly McpClient[] = ['claude-code', 'cursor', 'vscode', 'generic'];

export interface ClientFormat {
  /** The top-level key that maps server names to entries. */
  serversKey: 'mcpServers' | 'servers';
  /** Whether an entry carries `"type": "stdio"`. */
  typed: boolean;
  /** Where --write puts it: relative to the project (the current directory) or to the home directory. */
  file?: { base: 'project' | 'home'; path: readonly string[] };
}

export const CLIENT_FORMATS: Readonly<Record<McpClient, ClientFormat>> = {
  'claude-code': { serversKey: 'mcpServers', typed: true, file: { base: 'project', path: ['.mcp.json'] } },
  cursor: { serversKey: 'mcpServers', typed: false, file: { base: 'home', path: ['.cursor', 'mcp.json'] } },
  vscode: { serversKey: 'servers', typed: true, file: { base: 'project', path: ['.vscode', 'mcp.json'] } },
  generic: { serversKey: 'mcpServers', typed: false },
};

/** The MemoryX MCP server: with MEMORYX_API_KEY set it uses this machine's account instead of registering its own. */
export const DEFAULT_SERVER_COMMAND: readonly string[] = ['npx', '-y', '@t0ken.ai/memoryx-mcp-server'];
export const DEFAULT_SERVER_NAME = 'memoryx';
export const SERVER_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export interface Launch {
  command: string;
  args: string[];
  /** Non-secret settings the server's t0ken needs (a non-default API URL, a config directory). Never a key. */
  env?: Record<string, string>;
}

/** The server command, launched through `t0ken exec` so the identity arrives in its environment only. */
export function launchThroughExec(server: readonly string[], env: Record<string, string> = {}, t0ken = 't0ken'): Launch {
  const launch: Launch = { command: t0ken, args: ['exec', '--', ...server] };
  if (Object.keys(env).length > 0) launch.env = env;
  return launch;
}

export function serverEntry(client: McpClient, launch: Launch): Record<string, unknown> {
  const entry: Record<string, unknown> = CLIENT_FORMATS[client].typed ? { type: 'stdio' } : {};
  entry.command = launch.command;
  entry.args = launch.args;
  if (launch.env) entry.env = launch.env;
  return entry;
}

/** What the client's file would hold with only this server in it. */
export function configShape(client: McpClient, name: string, launch: Launch): Record<string, unknown> {
  return { [CLIENT_FORMATS[client].serversKey]: { [name]: serverEntry(client, launch) } };
}

/** A config file we must not rewrite: invalid JSON (comments included), or not the shape we know. */
export class UnmergeableConfigError extends Error {}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The file's new text with the entry added (or replaced, in place), every other key and entry kept
 * as it was. `existing` undefined (no file) or blank starts an empty file.
 */
export function mergeServerEntry(existing: string | undefined, client: McpClient, name: string, launch: Launch): { text: string; replaced: boolean; others: number } {
  const source = (existing ?? '').replace(/^\uFEFF/, '');
  let root: unknown = {};
  if (source.trim() !== '') {
    try {
      root = JSON.parse(source);
    } catch {
      throw new UnmergeableConfigError(`it is not plain JSON (${syntaxErrorAt(source)}); comments and trailing commas cannot be kept by a rewrite`);
    }
  }
  if (!isObject(root)) throw new UnmergeableConfigError('its top level is not a JSON object');
  if (jsonTooDeep(source)) throw new UnmergeableConfigError(TOO_DEEP);
  const lossy = firstLossyNumber(source);
  if (lossy !== undefined) throw new UnmergeableConfigError(`it holds the number ${lossy.length > 40 ? `${lossy.slice(0, 40)}…` : lossy}, which a rewrite would change`);
  const key = CLIENT_FORMATS[client].serversKey;
  const servers = root[key] === undefined ? {} : root[key];
  if (!isObject(servers)) throw new UnmergeableConfigError(`its "${key}" is not a JSON object`);
  const replaced = Object.hasOwn(servers, name);
  const others = Object.keys(servers).filter((n) => n !== name).length;
  const merged: Json = { ...root, [key]: { ...servers, [name]: serverEntry(client, launch) } };
  return { text: `${JSON.stringify(merged, null, detectIndent(source))}\n`, replaced, others };
}

/** Where JSON text first goes wrong, on one line (V8's own message quotes the file, newlines and all). */
function syntaxErrorAt(text: string): string {
  let offset: number | undefined;
  try {
    offset = jsonErrorOffset(text);
  } catch {
    return 'it is nested too deeply to read';
  }
  if (offset === undefined) return 'invalid JSON';
  const { line, column } = positionOf(text, offset);
  return `${offset >= text.length ? 'the text ends too early' : `unexpected ${JSON.stringify(text[offset])}`} at line ${line}, column ${column}`;
}

const NUMBER = /-?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?/y;

/**
 * The first number literal of valid JSON text whose value JavaScript cannot hold exactly (an integer
 * beyond 2^53, 1e400, more digits than a double keeps), so that JSON.stringify would write another
 * value; undefined when every number survives a rewrite (1.50 and 1e2 do: only the spelling changes).
 */
export function firstLossyNumber(json: string): string | undefined {
  for (let i = 0; i < json.length; i++) {
    const c = json[i]!;
    if (c === '"') {
      for (i++; json[i] !== '"'; i++) if (json[i] === '\\') i++;
      continue;
    }
    if (c !== '-' && (c < '0' || c > '9')) continue;
    NUMBER.lastIndex = i;
    const literal = NUMBER.exec(json)![0];
    const value = Number(literal);
    if (!Number.isFinite(value) || decimalValue(literal) !== decimalValue(String(value))) return literal;
    i += literal.length - 1;
  }
  return undefined;
}

/** A number literal's exact decimal value as `digits e exponent`, without leading or trailing zeros ('0' for zero). */
function decimalValue(literal: string): string {
  const [, int = '', frac = '', exp = '0'] = /^-?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(literal) ?? [];
  let digits = (int + frac).replace(/^0+/, '');
  if (digits === '') return '0';
  let exponent = Number(exp) - frac.length;
  const trimmed = digits.replace(/0+$/, '');
  exponent += digits.length - trimmed.length;
  digits = trimmed;
  return `${literal.startsWith('-') ? '-' : ''}${digits}e${exponent}`;
}

/** Keeps the file's indentation (two spaces when it has none to copy). */
function detectIndent(text: string): string | number {
  const match = /^[{[][^\n]*\n([ \t]+)\S/.exec(text.trimStart());
  return match ? match[1]! : 2;
}
