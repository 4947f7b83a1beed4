import { isAbsolute, join, resolve } from 'node:path';
import type { Context } from '../../context.js';
import { CliError, usageError } from '../../core/errors.js';
import { Exit } from '../../core/exit-codes.js';
import {
  CLIENT_FORMATS,
  configShape,
  DEFAULT_SERVER_COMMAND,
  DEFAULT_SERVER_NAME,
  launchThroughExec,
  MCP_CLIENTS,
  mergeServerEntry,
  SERVER_NAME_PATTERN,
  UnmergeableConfigError,
  type McpClient,
} from '../../core/mcp-clients.js';
import { DEFAULT_MNEMOM_API_URL, DEFAULT_T0KEN_API_URL } from '../../core/url.js';
import { updateTextFile } from '../../platform/fs/files.js';
import { homeDir, homeForExamples } from '../../platform/home.js';
import { requireAbsoluteConfigDir } from '../../store/safety.js';
import { shQuoteIfNeeded } from '../../core/quote.js';
import { storeFor } from '../../identity/store.js';

interface Options {
  client?: string;
  name?: string;
  write?: boolean;
}

/**
 * `t0ken mcp config [--client …] [--name N] [--write] [-- <server command…>]`: an MCP server entry
 * whose command is `t0ken exec -- <server command>`. The entry holds no secret: the server gets
 * the identity from t0ken at launch, in its environment.
 */
export async function run(ctx: Context, options: Options, args: string[]): Promise<void> {
  const client = (options.client ?? 'generic') as McpClient;
  if (!MCP_CLIENTS.includes(client)) {
    throw usageError(`--client takes ${MCP_CLIENTS.join(', ')}, not ${JSON.stringify(String(client).slice(0, 40))}`, 'For example: t0ken mcp config --client cursor');
  }
  const name = options.name ?? DEFAULT_SERVER_NAME;
  if (!SERVER_NAME_PATTERN.test(name)) throw usageError('--name takes 1 to 64 letters, digits, _ . or - (starting with a letter or digit)', 'For example --name memoryx');
  // `t0ken exec -- ""` would exit 2 each time the client starts the server: refuse the entry now.
  if (args.length > 0 && args[0]!.trim() === '') throw usageError('the server command after -- has an empty program name', 'For example: t0ken mcp config -- npx -y @t0ken.ai/memoryx-mcp-server');
  const launch = launchThroughExec(args.length > 0 ? args : DEFAULT_SERVER_COMMAND, settingsToCarry(ctx));
  const file = CLIENT_FORMATS[client].file;
  const path = file ? join(file.base === 'home' ? homeDir(ctx.env) : ctx.cwd, ...file.path) : undefined;

  if (!options.write) {
    const shape = configShape(client, name, launch);
    ctx.out.result({ client, name, file: path ?? null, config: shape }, () => JSON.stringify(shape, null, 2));
    if (path && !ctx.json) ctx.out.info(`Add it to ${path}, or run this again with --write.`);
    await warnWhenNothingStored(ctx);
    return;
  }
  if (!path) throw usageError('--client generic has no config file to write', 'Pick --client claude-code, cursor or vscode, or copy the printed entry into your client\'s file.');
  if (!isAbsolute(path)) throw relativeHome(path);

  let merged: ReturnType<typeof mergeServerEntry> | undefined;
  const written = await updateTextFile(path, (existing) => {
    try {
      merged = mergeServerEntry(existing, client, name, launch);
    } catch (error) {
      if (!(error instanceof UnmergeableConfigError)) throw error;
      throw new CliError('unmergeable_config', `${path} cannot be merged: ${error.message}; it was left untouched`, Exit.state, {
        hint: `Fix the file, or add the entry by hand: t0ken mcp config --client ${client}${name === DEFAULT_SERVER_NAME ? '' : ` --name ${name}`}`,
      });
    }
    return merged.text;
  });
  const done = merged!;
  await warnWhenNothingStored(ctx);
  ctx.out.result(
    { client, name, file: written, replaced: done.replaced, other_servers: done.others },
    () => `${done.replaced ? 'Updated' : 'Added'} the MCP server "${name}" in ${written} (${done.others} other server${done.others === 1 ? '' : 's'} kept).`,
    { quiet: () => written },
  );
}

/** An empty or relative HOME would put the client's file under the current directory: refused, as for the config directory. */
function relativeHome(path: string): CliError {
  return new CliError('local_state', `${JSON.stringify(path)} is not an absolute path (HOME is empty or relative); t0ken writes nothing under the current directory`, Exit.state, {
    hint: `Set HOME to your home directory, e.g. export HOME=${shQuoteIfNeeded(homeForExamples())}`,
  });
}

/**
 * Settings (never secrets) the server's `t0ken exec` needs to find this identity when the client
 * starts it outside this shell: a non-default API URL, a config directory.
 */
function settingsToCarry(ctx: Context): Record<string, string> {
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
