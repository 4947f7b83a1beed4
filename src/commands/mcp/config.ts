import type { CommandSpec } from '../../core/command-spec.js';
import { secretVariable } from '../../core/redact.js';
import { quoteGiven } from '../../core/mask.js';
import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { Context } from '../../context.js';
import { nearest } from '../../core/did-you-mean.js';
import { CliError, usageError } from '../../core/errors.js';
import {
  CLIENT_CHOICES,
  CLIENTS,
  configShape,
  defaultScope,
  DEFAULT_SERVER_NAME,
  DETECTED,
  EXAMPLE_SERVER,
  launchThroughExec,
  MCP_CLIENTS,
  MCP_SCOPES,
  resolvePlace,
  SERVER_NAME_PATTERN,
  serverEntry,
  UnmergeableConfigError,
  type Launch,
  type McpClient,
  type McpScope,
  type MergedText,
} from '../../core/mcp-clients.js';
import { mergeJsonEntry } from '../../core/mcp-json-edit.js';
import { mergeTomlEntry, tomlTable } from '../../core/mcp-toml-edit.js';
import { shQuoteIfNeeded } from '../../core/quote.js';
import { DEFAULT_MNEMOM_API_URL, DEFAULT_T0KEN_API_URL } from '../../core/url.js';
import { storeFor } from '../../identity/store.js';
import { updateTextFile } from '../../platform/fs/files.js';
import { homeDir, homeForExamples } from '../../platform/home.js';
import { requireAbsoluteConfigDir } from '../../store/safety.js';

export const spec: CommandSpec = {
  path: ['mcp', 'config'],
  summary: 'print (or --write) an MCP server entry that runs through t0ken exec',
  description: 'Print an MCP server entry whose command is `t0ken exec <server command>` (the command after --, required), in the chosen client\'s file shape. --write merges it into that client\'s file (claude-code: ./.mcp.json, cursor: ~/.cursor/mcp.json or ./.cursor/mcp.json, vscode: ./.vscode/mcp.json, codex: ~/.codex/config.toml, windsurf: ~/.codeium/windsurf/mcp_config.json, claude-desktop: claude_desktop_config.json), keeping every other byte; a file it cannot parse, or with a duplicate key, is left untouched (exit 7). A project file gets no setting of this machine (API URL, config directory) unless --env names it.',
  options: [
    { flags: '--client <client>', description: 'whose file: claude-code, cursor, vscode, codex, windsurf, claude-desktop, generic (default) or detected (every client found here)', values: CLIENT_CHOICES },
    { flags: '--scope <scope>', description: 'project or user file (cursor has both; the others one)', values: MCP_SCOPES },
    { flags: '--name <name>', description: 'the server entry\'s name (default memoryx)' },
    { flags: '--env <VAR>', description: 'also write this variable\'s current value into the entry (repeatable; never a secret)', repeatable: true, envVar: true },
    { flags: '--write', description: 'merge the entry into the client\'s config file' },
  ],
  arguments: [{ name: '[server...]', description: 'the MCP server command, after --' }],
  examples: ['t0ken mcp config --client claude-code --write -- npx -y <your-mcp-server>', 't0ken mcp config --client codex --write -- node ./server.js', 't0ken mcp config --client cursor --scope project --env T0KEN_API_URL --write -- node ./server.js'],
  environment: ['T0KEN_API_URL', 'MNEMOM_API_URL', 'T0KEN_CONFIG_DIR', 'CODEX_HOME'],
};

interface Options {
  client?: string;
  name?: string;
  write?: boolean;
  scope?: string;
  env?: string[];
}

/** Secrets reach the server from `t0ken exec` at launch; a config file never holds one. */
const SECRET_VARIABLES = new Set(['T0KEN_API_KEY', 'MEMORYX_API_KEY', 'MNEMOM_API_KEY', 'MNEMOM_TOKEN']);

/**
 * `t0ken mcp config [--client …] [--scope …] [--name N] [--env VAR]… [--write] -- <server command…>`:
 * an MCP server entry whose command is `t0ken exec <server command>`. The entry holds no secret:
 * the server gets the identity from t0ken at launch, in its environment.
 */
export async function run(ctx: Context, options: Options, args: string[]): Promise<void> {
  const choice = options.client ?? 'generic';
  if (!CLIENT_CHOICES.includes(choice)) {
    const near = nearest(choice, CLIENT_CHOICES).map((c) => `\`--client ${c}\``);
    throw usageError(`--client takes ${CLIENT_CHOICES.join(', ')}, not ${quoteGiven(choice)}`, near.length > 0 ? `Did you mean ${near.join(' or ')}?` : 'For example: t0ken mcp config --client cursor -- npx -y <your-mcp-server>');
  }
  const name = options.name ?? DEFAULT_SERVER_NAME;
  if (!SERVER_NAME_PATTERN.test(name)) throw usageError('--name takes 1 to 64 letters, digits, _ . or - (starting with a letter or digit)', 'For example --name memoryx');
  const example = `t0ken mcp config --client ${choice === DETECTED || choice === 'generic' ? 'claude-code' : choice} -- ${EXAMPLE_SERVER}`;
  if (args.length === 0) throw usageError('mcp config needs the MCP server\'s command after --', `For example: ${example}`);
  // `t0ken exec ""` would exit 2 each time the client starts the server: refuse the entry now.
  if (args[0]!.trim() === '') throw usageError('the server command after -- has an empty program name', `For example: ${example}`);
  const scope = scopeOption(options.scope);
  const asked = askedVariables(ctx, options.env ?? []);
  const job = { ctx, name, server: args, scope, asked, write: options.write === true };

  if (choice === DETECTED) return detected(job);
  const client = choice as McpClient;
  if (scope && !CLIENTS[client].files[scope]) throw usageError(`${CLIENTS[client].label} has no ${scope}-scope file t0ken writes`, `Leave out --scope, or pick a client with one: t0ken mcp config --client cursor --scope ${scope} -- …`);
  const target = targetOf(job, client);
  if (!job.write) return printEntry(job, target);
  if (!target.path) throw usageError('--client generic has no config file to write', 'Pick --client claude-code, cursor, vscode, codex, windsurf or claude-desktop, or copy the printed entry into your client\'s file.');
  const done = await writeEntry(job, target);
  await warnWhenNothingStored(ctx);
  ctx.out.result(
    { client, scope: target.scope ?? null, name, file: done.file, replaced: done.replaced, other_servers: done.others, env: Object.keys(target.launch.env ?? {}) },
    () => `${done.replaced ? 'Updated' : 'Added'} the MCP server "${name}" in ${done.file} (${done.others} other server${done.others === 1 ? '' : 's'} kept).`,
    { quiet: () => done.file },
  );
  tellSettings(ctx, target);
  if (!ctx.json) ctx.out.info(CLIENTS[client].nextStep!(name));
}

interface Job {
  ctx: Context;
  name: string;
  server: string[];
  scope: McpScope | undefined;
  asked: Record<string, string>;
  write: boolean;
}

interface Target {
  client: McpClient;
  scope: McpScope | undefined;
  path: string | undefined;
  launch: Launch;
  /** Machine-local settings of this shell that a project file does not get. */
  leftOut: string[];
}

function scopeOption(value: string | undefined): McpScope | undefined {
  if (value === undefined) return undefined;
  if ((MCP_SCOPES as readonly string[]).includes(value)) return value as McpScope;
  throw usageError(`--scope takes project or user, not ${quoteGiven(value)}`, 'For example: t0ken mcp config --client cursor --scope project -- npx -y <your-mcp-server>');
}

/** `--env NAME`: this shell's value of each, to be written into the entry. Never a secret's. */
function askedVariables(ctx: Context, names: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of names) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw usageError(`--env takes a variable's name, not ${quoteGiven(name)}`, 'For example: --env T0KEN_API_URL');
    if (SECRET_VARIABLES.has(name)) throw usageError(`${name} is a secret: t0ken exec hands it to the server at each start, so no file has to hold it`, `Leave out --env ${name}.`);
    const value = ctx.env[name];
    if (value === undefined) throw usageError(`--env ${name}: ${name} is not set in this shell`, `Set it first, e.g. export ${name}=…, or leave out --env ${name}.`);
    // Any other secret (a provider key, a token) would sit in the file too, a project's committed with it.
    const secret = secretVariable(name, value);
    if (secret) throw usageError(`--env ${name}: ${secret}, and t0ken writes no secret into a client's file`, `Leave out --env ${name}; give the server its secrets in the environment its client starts it with.`);
    if (name === 'T0KEN_CONFIG_DIR') requireAbsoluteConfigDir(ctx.configDir, ctx.env);
    env[name] = value;
  }
  return env;
}

/**
 * Settings (never secrets) the server's `t0ken exec` needs to find this identity when the client
 * starts it outside this shell: a non-default API URL, a config directory. A user's own file may
 * hold them; a project file is shared (committed, cloned on other machines), so it gets only what
 * --env names.
 */
function machineSettings(ctx: Context): Record<string, string> {
  const env: Record<string, string> = {};
  if (ctx.env.T0KEN_API_URL && ctx.t0kenBaseUrl() !== DEFAULT_T0KEN_API_URL) env.T0KEN_API_URL = ctx.t0kenBaseUrl();
  if (ctx.env.MNEMOM_API_URL && ctx.mnemomBaseUrl() !== DEFAULT_MNEMOM_API_URL) env.MNEMOM_API_URL = ctx.mnemomBaseUrl();
  if (ctx.env.T0KEN_CONFIG_DIR) {
    // A relative one (`~/cfg` quoted, `cfg`) is refused by every t0ken, the client's included (exit 7 at each start).
    requireAbsoluteConfigDir(ctx.configDir, ctx.env);
    env.T0KEN_CONFIG_DIR = ctx.configDir;
  }
  return env;
}

function targetOf(job: Job, client: McpClient): Target {
  const scope = job.scope ?? defaultScope(client);
  const place = scope ? CLIENTS[client].files[scope] : undefined;
  const path = place ? resolvePlace(place, { project: job.ctx.cwd, home: homeDir(job.ctx.env), platform: process.platform, env: job.ctx.env }) : undefined;
  const machine = machineSettings(job.ctx);
  const shared = scope === 'project';
  const env = shared ? job.asked : { ...machine, ...job.asked };
  const leftOut = shared ? Object.keys(machine).filter((name) => !(name in job.asked)) : [];
  return { client, scope, path, launch: launchThroughExec(job.server, env), leftOut };
}

async function printEntry(job: Job, target: Target): Promise<void> {
  const { ctx, name } = job;
  const shape = configShape(target.client, name, target.launch);
  ctx.out.result({ client: target.client, scope: target.scope ?? null, name, file: target.path ?? null, config: shape }, () => printed(target, name, shape));
  if (target.path && !ctx.json) ctx.out.info(`Add it to ${target.path}, or run this again with --write.`);
  tellSettings(ctx, target);
  await warnWhenNothingStored(ctx);
}

/** JSON for every client but Codex, whose file is TOML. */
function printed(target: Target, name: string, shape: Record<string, unknown>): string {
  return CLIENTS[target.client].format === 'toml' ? tomlTable(name, serverEntry(target.client, target.launch), '\n') : JSON.stringify(shape, null, 2);
}

function tellSettings(ctx: Context, target: Target): void {
  if (ctx.json) return;
  const written = Object.keys(target.launch.env ?? {});
  if (written.length > 0) ctx.out.info(`The entry carries ${written.join(', ')} from this shell (settings, no secret).`);
  if (target.leftOut.length > 0) {
    ctx.out.info(`Not written into a project file (it is shared, and they are this machine's): ${target.leftOut.join(', ')}. Add --env NAME to carry one.`);
  }
}

/** Merges the entry into the client's file under its lock, keeping every other byte. */
async function writeEntry(job: Job, target: Target): Promise<MergedText & { file: string }> {
  const path = target.path!;
  if (!isAbsolute(path)) throw relativeHome(path);
  const merge = await editorFor(target.client);
  const entry = serverEntry(target.client, target.launch);
  let merged: MergedText | undefined;
  const file = await updateTextFile(path, (existing) => {
    try {
      merged = merge(existing, job.name, entry);
    } catch (error) {
      if (!(error instanceof UnmergeableConfigError)) throw error;
      throw new CliError('unmergeable_config', `${path} cannot be merged: ${error.message}; it was left untouched`, {
        hint: `Fix the file, or add the entry by hand: t0ken mcp config --client ${target.client}${job.name === DEFAULT_SERVER_NAME ? '' : ` --name ${job.name}`} -- …`,
      });
    }
    return merged.text;
  }, { within: target.scope === 'project' ? job.ctx.cwd : undefined });
  return { ...merged!, file };
}

type Merge = (existing: string | undefined, name: string, entry: Record<string, unknown>) => MergedText;

/** The file's editor, with its parser loaded now: only `--write` pays for it. */
async function editorFor(client: McpClient): Promise<Merge> {
  const { format, serversKey } = CLIENTS[client];
  if (format === 'toml') {
    const toml = await import('@decimalturn/toml-patch');
    return (existing, name, entry) => mergeTomlEntry(toml, existing, name, entry);
  }
  const jsonc = await import('jsonc-parser');
  return (existing, name, entry) => mergeJsonEntry(jsonc, existing, { serversKey, name, entry, comments: format === 'jsonc' });
}

/** `--client detected`: each client whose config directory exists here, one line each. */
async function detected(job: Job): Promise<void> {
  const { ctx } = job;
  const roots = { project: ctx.cwd, home: homeDir(ctx.env), platform: process.platform, env: ctx.env };
  const report: { client: McpClient; file: string | null; status: string; reason?: string }[] = [];
  for (const client of MCP_CLIENTS) {
    const row = CLIENTS[client];
    if (!row.detect) continue;
    const dir = resolvePlace(row.detect, roots);
    const scope = job.scope ?? defaultScope(client)!;
    if (!row.files[scope]) {
      report.push({ client, file: null, status: 'skipped', reason: `no ${scope}-scope file` });
      continue;
    }
    const target = targetOf({ ...job, scope }, client);
    if (!isAbsolute(dir) || !existsSync(dir)) {
      report.push({ client, file: target.path!, status: 'skipped', reason: `${dir} does not exist` });
      continue;
    }
    if (!job.write) {
      report.push({ client, file: target.path!, status: 'would write' });
      continue;
    }
    try {
      const done = await writeEntry(job, target);
      report.push({ client, file: done.file, status: done.replaced ? 'updated' : 'added' });
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      report.push({ client, file: target.path!, status: 'failed', reason: error.message });
    }
  }
  const line = (r: (typeof report)[number]): string => `${r.client}: ${r.status}${r.file && r.status !== 'skipped' ? ` ${r.file}` : ''}${r.reason ? ` (${r.reason})` : ''}`;
  const failed = report.filter((r) => r.status === 'failed');
  // With --json a failure is the error on stderr, the report in it: stdout stays empty on an error.
  if (failed.length === 0 || !ctx.json) ctx.out.result({ name: job.name, clients: report }, () => report.map(line).join('\n'));
  if (!job.write && !ctx.json) ctx.out.info('Run this again with --write to write them.');
  for (const r of report) if (job.write && (r.status === 'added' || r.status === 'updated') && !ctx.json) ctx.out.info(CLIENTS[r.client].nextStep!(job.name));
  await warnWhenNothingStored(ctx);
  if (failed.length > 0) {
    const written = report.filter((r) => r.status === 'added' || r.status === 'updated').map((r) => r.client);
    throw new CliError('unmergeable_config', failed.map((r) => `${r.client}: ${r.reason}`).join('; '), {
      hint: `Fix ${failed.length === 1 ? 'that file' : 'those files'}, then run this again${written.length > 0 ? ` (${written.join(', ')} ${written.length === 1 ? 'was' : 'were'} written)` : ''}.`,
      fields: { name: job.name, clients: report },
    });
  }
}

/** An empty or relative HOME would put the client's file under the current directory: refused, as for the config directory. */
function relativeHome(path: string): CliError {
  return new CliError('local_state', `${JSON.stringify(path)} is not an absolute path (HOME, or CODEX_HOME, XDG_CONFIG_HOME or APPDATA where they place the file, is empty or relative); t0ken writes nothing under the current directory`, {
    hint: `Set HOME to your home directory, e.g. export HOME=${shQuoteIfNeeded(homeForExamples())}`,
  });
}

/** The client starts the server outside this shell: an identity only in this shell's environment will not reach it. */
async function warnWhenNothingStored(ctx: Context): Promise<void> {
  let stored = true;
  try {
    // Whether an account or key is stored at all: no secret is read (nor a keychain asked) for that.
    const data = storeFor(ctx).read();
    stored = data.t0ken[ctx.t0kenBaseUrl()] !== undefined || data.mnemom[ctx.mnemomBaseUrl()] !== undefined;
  } catch {
    // a store problem is for exec to report, with its exit code
  }
  if (!stored) ctx.out.warn(`nothing is stored for ${ctx.t0kenBaseUrl()} yet: run \`t0ken register\` before the client starts the server, or \`t0ken exec\` will exit 3`);
}
