import type { CommandSpec } from '../core/command-spec.js';
import { t0kenKeyForRequests } from '../core/validate.js';
import { quoteGiven } from '../core/mask.js';
import { sanitizeLine } from '../core/sanitize.js';
import { T0KEN_ENV } from '../core/environment.js';
import type { Context } from '../context.js';
import { usageError } from '../core/errors.js';
import { maskSecret } from '../core/mask.js';
import { backupName, FILE_CLIENTS, linkAction, MEMORYX_CLIENTS, serializeSdkFile, type FileClient, type LinkState, type SdkCredentials, type SdkFileView } from '../core/memoryx-clients.js';
import { DEFAULT_T0KEN_API_URL } from '../core/url.js';
import { clientFilePath, readClientFile, updateClientFile } from '../store/client-file.js';
import { requireAccount } from '../store/open.js';
import { clientFingerprint, clientLinkState, credentialsFor, t0kenIdentity, type T0kenIdentity } from '../identity/memoryx-identities.js';
import type { T0kenAccount } from '../store/schema.js';
import { columnsTable } from '../ui/table.js';
import { storeFor } from '../identity/store.js';
import { readSecret } from '../identity/credentials.js';

export const spec: CommandSpec = {
  path: ['link'],
  group: 'Handing the identity to agents:',
  summary: 'point a MemoryX client\'s own saved credentials at this machine\'s account',
  description: 'Write a MemoryX client\'s own credentials file so that it uses this machine\'s t0ken account (memoryx-python: ~/.memoryx/config.json, mode 600, with the fingerprint the Python SDK derives itself). A file holding another account is kept beside it as a backup, named in the output. Alone (or --list), shows each known client and whether it points at this machine\'s account.',
  arguments: [{ name: '[client]', description: 'memoryx-python', values: FILE_CLIENTS.map((c) => c.id) }],
  options: [
    { flags: '--dry-run', description: 'show what would change; write nothing' },
    { flags: '--list', description: 'show each known client and whether it points here (the default without a client)' },
  ],
  examples: ['t0ken link', 't0ken link memoryx-python --dry-run', 't0ken link memoryx-python'],
  environment: [...T0KEN_ENV],
};

interface Options {
  dryRun?: boolean;
  list?: boolean;
}

/**
 * `t0ken link [client] [--dry-run]`: writes a MemoryX client's own credentials file so that it uses
 * this machine's t0ken account; alone (or with --list), shows where each known client stands.
 */
export async function run(ctx: Context, options: Options, args: string[]): Promise<void> {
  if (options.list || args.length === 0) return list(ctx);
  const client = findClient(args[0]!);
  // A T0KEN_API_KEY no client could send (a \r from a Windows file) is never written: exit 2, as for stats.
  t0kenKeyForRequests(ctx.env);
  const account = requireAccount(storeFor(ctx).read(), ctx.t0kenBaseUrl(), ctx.env);
  const identity = { ...((await t0kenIdentity(ctx)) as T0kenIdentity), account };
  if (identity.keySource === 'T0KEN_API_KEY') await requireStoredKey(ctx, identity);
  const wanted = credentialsFor(identity, clientFingerprint(ctx, client));
  const path = clientFilePath(ctx.env, client);
  if (options.dryRun) return showPlan(ctx, client, path, readClientFile(path)?.view, wanted);

  const { result: before, backup, written } = await updateClientFile(path, (current) => {
    const state = clientLinkState(current?.view, wanted);
    const action = linkAction(state);
    if (action === 'none') return { text: undefined, result: { state, view: current?.view } };
    const keep = state === 'outdated' || state === 'stale' ? current!.view.raw : {};
    return {
      text: serializeSdkFile(wanted, keep),
      backupName: action === 'backup-and-write' ? backupName(basenameOf(path), current!.view.user_id, new Date(ctx.now())) : undefined,
      result: { state, view: current?.view },
    };
  });
  const replaced = before.state === 'other-account' ? describeAccount(before.view!) : undefined;
  ctx.out.result(
    {
      client: client.id,
      path,
      dry_run: false,
      state_before: before.state,
      written,
      backup: backup ?? null,
      replaced_account: replaced ?? null,
      ...publicFields(wanted),
    },
    () => {
      if (!written) return `${path} already points at this machine's account (user ${sanitizeLine(wanted.user_id)}, key ${maskSecret(wanted.api_key)}); nothing changed.`;
      const lines = [`Linked ${path} to this machine's account: user ${sanitizeLine(wanted.user_id)}, key ${maskSecret(wanted.api_key)}, fingerprint ${wanted.machine_fingerprint} (the SDK's own).`];
      if (backup) lines.push(`It held ${replaced ? `another account (user ${sanitizeLine(replaced.user_id ?? 'unknown')}, key ${replaced.api_key_masked})` : 'no key'}; that file is kept as ${backup}.`);
      return lines.join('\n');
    },
    { quiet: () => path },
  );
  if (replaced) ctx.out.info(`That account's memories stay in its own pool: \`t0ken claim --email you@example.com --fingerprint ${sanitizeLine(before.view!.machine_fingerprint ?? '<fp>')}\` merges it into your account (see \`t0ken whoami --all\`).`);
  warnAboutBaseUrl(ctx, identity.baseUrl, wanted);
}

function findClient(id: string): FileClient {
  const client = MEMORYX_CLIENTS.find((c) => c.id === id);
  const linkable = MEMORYX_CLIENTS.filter((c) => c.reach === 'file').map((c) => c.id).join(', ');
  if (!client) throw usageError(`unknown MemoryX client ${quoteGiven(id)}; \`link\` knows ${linkable}`, '`t0ken link` lists every known client and how t0ken reaches it.');
  if (client.reach !== 'file') {
    throw usageError(`${client.title} keeps no credentials file for t0ken to write: it reads ${client.reads}`, `Run it under t0ken exec instead, e.g. \`t0ken exec node agent.js\`.`);
  }
  return client;
}

const basenameOf = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

function describeAccount(view: SdkFileView): { user_id: string | null; api_key_masked: string } {
  return { user_id: view.user_id ?? null, api_key_masked: view.api_key ? maskSecret(view.api_key) : '(none)' };
}

/** Everything written but the key itself. */
function publicFields(wanted: SdkCredentials): Record<string, string> {
  return { user_id: wanted.user_id, project_id: wanted.project_id, api_key_masked: maskSecret(wanted.api_key), machine_fingerprint: wanted.machine_fingerprint, base_url: wanted.base_url };
}

/** --dry-run: what would change, nothing written. */
function showPlan(ctx: Context, client: FileClient, path: string, view: SdkFileView | undefined, wanted: SdkCredentials): void {
  const state = clientLinkState(view, wanted);
  const action = linkAction(state);
  const backup = action === 'backup-and-write' ? backupName(basenameOf(path), view?.user_id, new Date(ctx.now())) : null;
  ctx.out.result(
    { client: client.id, path, dry_run: true, state_before: state, would_write: action !== 'none', would_keep_backup: backup !== null, replaced_account: state === 'other-account' ? describeAccount(view!) : null, ...publicFields(wanted) },
    () => {
      if (action === 'none') return `${path} already points at this machine's account; \`t0ken link ${client.id}\` would change nothing.`;
      const lines = [`Would write ${path} (mode 600): user ${sanitizeLine(wanted.user_id)}, key ${maskSecret(wanted.api_key)}, project ${sanitizeLine(wanted.project_id)}, fingerprint ${wanted.machine_fingerprint}, base_url ${wanted.base_url}.`];
      lines.push(`Now: ${describeState(state, view)}.`);
      if (backup) lines.push(`The current file would be kept beside it as ${backup.replace(/\.\d{8}T\d{6}Z\.bak$/, '.<time>.bak')}.`);
      lines.push('Nothing was written (--dry-run).');
      return lines.join('\n');
    },
    { quiet: () => (action === 'none' ? '' : path) }, // -q: the file it would write, nothing when it would change nothing
  );
}

function describeState(state: LinkState, view: SdkFileView | undefined): string {
  switch (state) {
    case 'missing':
      return 'no file: the SDK registers an account of its own on first use';
    case 'linked':
      return 'points at this machine\'s account';
    case 'outdated':
      return 'this machine\'s key, with other details out of date';
    case 'stale':
      return 'this machine\'s key under a fingerprint the SDK no longer derives here (hostname or CPU count changed): it would register anew';
    case 'no-key':
      return 'a file without a key';
    case 'other-account': {
      const who = describeAccount(view!);
      return `another account (user ${sanitizeLine(who.user_id ?? 'unknown')}, key ${who.api_key_masked}): a separate memory pool`;
    }
  }
}

/** The Python SDK ignores base_url when it loads the file: for another API the code must pass it. */
function warnAboutBaseUrl(ctx: Context, baseUrl: string, wanted: SdkCredentials): void {
  if (baseUrl === DEFAULT_T0KEN_API_URL) return;
  ctx.out.warn(`connect_memory() does not read base_url from the file; for this API call connect_memory(base_url="${wanted.base_url}")`);
}

/**
 * The file gets a whole account: key, user and project. With T0KEN_API_KEY set, only the stored
 * account's own key can go with the stored user and project (another key was written beside them,
 * and said to be this machine's account).
 */
async function requireStoredKey(ctx: Context, identity: T0kenIdentity & { account: T0kenAccount }): Promise<void> {
  const { secret } = await readSecret(ctx, identity.account, { kind: 't0ken', baseUrl: identity.baseUrl });
  if (secret === identity.apiKey) return;
  throw usageError(
    `T0KEN_API_KEY is set to another key than that of the account stored for ${identity.baseUrl} (key ${maskSecret(secret)}), and link can only write the stored account whole (its user and project with its key)`,
    'Unset T0KEN_API_KEY to link the stored account; to link another account, register it on this machine first.',
  );
}

/** `link` alone: each known client, how t0ken reaches it and whether it points at this machine's account. */
async function list(ctx: Context): Promise<void> {
  const t0ken = await t0kenIdentity(ctx);
  const account: T0kenAccount | undefined = t0ken?.account;
  const rows = MEMORYX_CLIENTS.map((client) => {
    if (client.reach === 'exec') return { json: { client: client.id, title: client.title, reach: 'exec', path: null, state: 'through-exec', reads: client.reads, account: null }, how: 't0ken exec', text: `reads ${client.reads}` };
    const path = clientFilePath(ctx.env, client);
    const view = readClientFile(path)?.view;
    const state: LinkState = t0ken && account
      ? clientLinkState(view, credentialsFor({ ...t0ken, account }, clientFingerprint(ctx, client)))
      : view ? (view.api_key ? 'other-account' : 'no-key') : 'missing';
    const text = state === 'other-account' && !account
      ? `holds user ${view?.user_id ?? 'unknown'}, key ${describeAccount(view!).api_key_masked} (no t0ken account stored to compare)`
      : describeState(state, view);
    return {
      json: { client: client.id, title: client.title, reach: 'file', path, state, reads: client.reads, account: view?.api_key ? describeAccount(view) : null },
      how: `t0ken link ${client.id}`,
      text: `${path}: ${text}`,
    };
  });
  ctx.out.result(
    { api_url: ctx.t0kenBaseUrl(), account: account ? { user_id: account.user_id, api_key_masked: maskSecret(t0ken!.apiKey) } : null, clients: rows.map((r) => r.json) },
    () => columnsTable(['CLIENT', 'HOW', 'STATE'], rows.map((r) => [r.json.client, r.how, r.text]), ctx.out.style.dim, ctx.out.width),
  );
  if (!account) ctx.out.info('No t0ken account is stored for this API: run `t0ken register`, then `t0ken link memoryx-python`.');
}
