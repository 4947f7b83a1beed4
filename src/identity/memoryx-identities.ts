import type { Context } from '../context.js';
import { carriableInHeader } from '../core/validate.js';
import { maskSecret } from '../core/mask.js';
import { FILE_CLIENTS, linkState, type FileClient, type LinkState, type SdkCredentials, type SdkFileView } from '../core/memoryx-clients.js';
import { memoryxUrl } from '../core/identity-env.js';
import { pythonSdkFingerprint } from '../core/python-sdk-fingerprint.js';
import { pythonPlatformFacts } from '../platform/python-platform.js';
import { clientFilePath, readBackups, readClientFile } from '../store/client-file.js';
import type { SecretHolder, T0kenAccount } from '../store/schema.js';
import { readSecret } from './credentials.js';
import { storeFor } from './store.js';

/**
 * Every MemoryX identity on this machine: t0ken's account for the current API (T0KEN_API_KEY
 * first, as everywhere), and what each MemoryX client's own file holds (and the backups `link`
 * kept). Keys are compared here and never leave this module unmasked except to be written.
 */

/** t0ken's identity for the current API: the key by the usual precedence, the stored account when there is one. */
export interface T0kenIdentity {
  baseUrl: string;
  apiKey: string;
  keySource: 'T0KEN_API_KEY' | 'keychain' | 'config';
  account: T0kenAccount | undefined;
}

export async function t0kenIdentity(ctx: Context): Promise<T0kenIdentity | undefined> {
  const baseUrl = ctx.t0kenBaseUrl();
  const account = storeFor(ctx).read().t0ken[baseUrl];
  // One no request can carry (a \r from a Windows file) is no identity to compare files with: the stored key is.
  const fromEnv = ctx.env.T0KEN_API_KEY;
  if (fromEnv && carriableInHeader(fromEnv)) return { baseUrl, apiKey: fromEnv, keySource: 'T0KEN_API_KEY', account };
  if (!account) return undefined;
  const { secret, storage } = await readSecret(ctx, account, { kind: 't0ken', baseUrl });
  return { baseUrl, apiKey: secret, keySource: storage === 'keyring' ? 'keychain' : 'config', account };
}

/** The fingerprint a client derives for this machine (each SDK has its own rule). */
export function clientFingerprint(ctx: Context, client: FileClient): string {
  switch (client.fingerprint) {
    case 'python-sdk':
      return pythonSdkFingerprint(pythonPlatformFacts(ctx.env));
  }
}

/** What `link` writes for this account: its key and ids, the client's own fingerprint, the API without /v1. */
export function credentialsFor(identity: T0kenIdentity & { account: T0kenAccount }, fingerprint: string): SdkCredentials {
  return {
    api_key: identity.apiKey,
    project_id: identity.account.project_id,
    user_id: identity.account.user_id,
    machine_fingerprint: fingerprint,
    base_url: memoryxUrl(identity.baseUrl),
  };
}

export interface FoundIdentity {
  /** 't0ken', or the client's id; `backup` for a file `link` kept. */
  kind: string;
  backup: boolean;
  path: string | null;
  user_id: string | null;
  api_key_masked: string | null;
  machine_fingerprint: string | null;
  base_url: string | null;
  /** The same key as t0ken's identity (null when t0ken has none). */
  same_account: boolean | null;
  /** For a client file: the client would use it on this machine (its fingerprint is the client's own). */
  in_use: boolean | null;
  /** The key itself, for claim; never printed. */
  apiKey: string | undefined;
}

/** Each client file and its backups, as identities, compared with t0ken's key. */
export function clientIdentities(ctx: Context, t0ken: T0kenIdentity | undefined): FoundIdentity[] {
  const found: FoundIdentity[] = [];
  for (const client of FILE_CLIENTS) {
    const path = clientFilePath(ctx.env, client);
    const fingerprint = clientFingerprint(ctx, client);
    const current = readClientFile(path);
    if (current) found.push(fromFile(client, current.path, current.view, false, fingerprint, t0ken));
    for (const backup of readBackups(path)) found.push(fromFile(client, backup.path, backup.view, true, fingerprint, t0ken));
  }
  return found;
}

function fromFile(client: FileClient, path: string, view: SdkFileView, backup: boolean, fingerprint: string, t0ken: T0kenIdentity | undefined): FoundIdentity {
  const key = view.api_key || undefined;
  return {
    kind: client.id,
    backup,
    path,
    user_id: view.user_id ?? null,
    api_key_masked: key ? maskSecret(key) : null,
    machine_fingerprint: view.machine_fingerprint ?? null,
    base_url: view.base_url ?? null,
    same_account: t0ken && key ? key === t0ken.apiKey : null,
    in_use: backup ? false : view.machine_fingerprint === fingerprint,
    apiKey: key,
  };
}

export function t0kenAsFound(t0ken: T0kenIdentity, configPath: string): FoundIdentity {
  return {
    kind: 't0ken',
    backup: false,
    path: t0ken.keySource === 'T0KEN_API_KEY' ? null : configPath,
    user_id: t0ken.account?.user_id ?? null,
    api_key_masked: maskSecret(t0ken.apiKey),
    machine_fingerprint: t0ken.account?.machine_fingerprint ?? null,
    base_url: memoryxUrl(t0ken.baseUrl),
    same_account: true,
    in_use: true,
    apiKey: t0ken.apiKey,
  };
}

/** Where one client's file stands against t0ken's account (for `link --list` and `link`). */
export function clientLinkState(view: SdkFileView | undefined, wanted: SdkCredentials): LinkState {
  return linkState(view, wanted, view?.api_key === wanted.api_key);
}

/**
 * The client files that hold this account's key (a key in the file is compared whole; one in the
 * keychain by its user id and masked form, so that no keychain call is needed), other than `except`
 * (the key that replaced it). After `register --force` gave a new key or `logout`, they are named so
 * the user can re-link or remove them: t0ken deletes none of the user's files.
 */
export function filesHoldingAccount(ctx: Context, record: SecretHolder & { user_id: string }, except?: string): string[] {
  const masked = record.api_key !== undefined ? maskSecret(record.api_key) : record.api_key_masked;
  const holds = (view: SdkFileView): boolean => {
    if (!view.api_key || view.api_key === except) return false;
    if (record.api_key !== undefined) return view.api_key === record.api_key;
    return view.user_id === record.user_id && masked !== undefined && maskSecret(view.api_key) === masked;
  };
  const paths: string[] = [];
  for (const client of FILE_CLIENTS) {
    try {
      const current = readClientFile(clientFilePath(ctx.env, client));
      if (current && holds(current.view)) paths.push(current.path);
    } catch {
      // a file t0ken may not read is not one it linked
    }
  }
  return paths;
}
