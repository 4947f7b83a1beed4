// The MemoryX clients t0ken knows, as one table: how each finds its account, and so how t0ken reaches
// it. A client that keeps its own credentials file is a `file` row that `t0ken link <id>` writes; one
// that reads the environment is reached by `t0ken exec`. The next SDK is a row here, not a command.
// Pure: the file itself is read and written in src/store/client-file.ts.
import { jsonProblem } from './json-position.js';

/** How a client's file names the machine; each SDK derives its own fingerprint. */
export type FingerprintRule = 'python-sdk';

export interface FileClient {
  id: string;
  title: string;
  reach: 'file';
  /** The file under HOME, as path segments. */
  file: readonly string[];
  fingerprint: FingerprintRule;
  /** What it reads, for `link --list` and the README. */
  reads: string;
}

export interface EnvClient {
  id: string;
  title: string;
  reach: 'exec';
  reads: string;
}

export type MemoryxClient = FileClient | EnvClient;

export const MEMORYX_CLIENTS: readonly MemoryxClient[] = [
  {
    id: 'memoryx-python',
    title: 'MemoryX Python SDK (connect_memory)',
    reach: 'file',
    file: ['.memoryx', 'config.json'],
    fingerprint: 'python-sdk',
    reads: '~/.memoryx/config.json, only when its machine_fingerprint is the SDK\'s own; no environment variable',
  },
  {
    id: 'memoryx-mcp-server',
    title: 'MemoryX MCP server',
    reach: 'exec',
    reads: 'MEMORYX_API_KEY and MEMORYX_URL from its environment (t0ken exec sets them); else it registers its own account',
  },
  {
    id: 'memoryx-node',
    title: 'MemoryX Node SDK (connectMemory)',
    reach: 'exec',
    reads: 'the apiKey and apiUrl your code passes (pass process.env.MEMORYX_API_KEY and MEMORYX_URL, and run it under t0ken exec); else its own ~/.memoryx/sdk/memoryx.db',
  },
];

export const FILE_CLIENTS = MEMORYX_CLIENTS.filter((c): c is FileClient => c.reach === 'file');

/** The fields a Python SDK file holds, in the order the SDK writes them. */
export interface SdkCredentials {
  api_key: string;
  project_id: string;
  user_id: string;
  machine_fingerprint: string;
  base_url: string;
}

/** What a client's file says, each field only when it is a string (the SDK writes null for an unknown user). */
export interface SdkFileView {
  api_key?: string;
  project_id?: string;
  user_id?: string;
  machine_fingerprint?: string;
  base_url?: string;
  /** Every field, unknown ones included, to keep them on a rewrite. */
  raw: Record<string, unknown>;
}

/** Thrown for a file that is not a JSON object: it is left untouched. */
export class SdkFileFormatError extends Error {}

export function parseSdkFile(text: string): SdkFileView {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new SdkFileFormatError(`invalid JSON (${jsonProblem(text)})`); // V8's own words differ from one Node line to the next
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new SdkFileFormatError('the top level is not a JSON object');
  const record = raw as Record<string, unknown>;
  const view: SdkFileView = { raw: record };
  for (const key of ['api_key', 'project_id', 'user_id', 'machine_fingerprint', 'base_url'] as const) {
    const value = record[key];
    if (typeof value === 'string') view[key] = value;
    else if (typeof value === 'number' && key === 'project_id') view[key] = String(value); // str(project_id) in the SDK
  }
  return view;
}

/**
 * The file's new text. Fields the SDK does not write (a user's own) are kept when the file already
 * held this account; a file of another account is kept whole as a backup instead.
 */
export function serializeSdkFile(credentials: SdkCredentials, keep: Record<string, unknown> = {}): string {
  const { api_key, project_id, user_id, machine_fingerprint, base_url } = credentials;
  return `${JSON.stringify({ api_key, project_id, user_id, machine_fingerprint, base_url, ...withoutSdkFields(keep) }, null, 2)}\n`;
}

function withoutSdkFields(record: Record<string, unknown>): Record<string, unknown> {
  const { api_key: _k, project_id: _p, user_id: _u, machine_fingerprint: _f, base_url: _b, ...rest } = record;
  return rest;
}

/** Where a client's file stands against this machine's account (keys compared by the caller). */
export type LinkState =
  | 'missing'        // no file: the SDK registers an account of its own on first use
  | 'linked'         // this account's key, the SDK's fingerprint, every field as t0ken would write it
  | 'outdated'       // this account's key, but another field differs (a moved API, a new project id)
  | 'stale'          // this account's key under a fingerprint the SDK no longer derives: it would register anew
  | 'other-account'  // another account's key: a split pool
  | 'no-key';        // a file without a key

export function linkState(file: SdkFileView | undefined, wanted: SdkCredentials, sameKey: boolean): LinkState {
  if (!file) return 'missing';
  if (file.api_key === undefined || file.api_key === '') return 'no-key';
  if (!sameKey) return 'other-account';
  if (file.machine_fingerprint !== wanted.machine_fingerprint) return 'stale';
  const same = file.project_id === wanted.project_id && file.user_id === wanted.user_id && file.base_url === wanted.base_url;
  return same ? 'linked' : 'outdated';
}

/** What `link` must do for a state: nothing, rewrite in place, or keep the old file as a backup first. */
export function linkAction(state: LinkState): 'none' | 'write' | 'backup-and-write' {
  if (state === 'linked') return 'none';
  if (state === 'other-account' || state === 'no-key') return 'backup-and-write';
  return 'write';
}

/** A backup's name beside the file: `config.json.<user>.<UTC time>.bak`, sortable, never reused. */
export function backupName(fileName: string, userId: string | undefined, now: Date): string {
  const who = (userId ?? '').replace(/[^A-Za-z0-9_-]/g, '').slice(0, 40) || 'unknown-account';
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${fileName}.${who}.${stamp}.bak`;
}

/** Whether a name in the file's directory is one of its backups. */
export const isBackupOf = (fileName: string, candidate: string): boolean => candidate.startsWith(`${fileName}.`) && candidate.endsWith('.bak');
