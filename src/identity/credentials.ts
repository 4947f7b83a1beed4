import type { Context } from '../context.js';
import { KeychainError, type Keychain, type SecretKind, type Storage, type StoreMode } from '../store/secrets/types.js';
import { describeSecret, keychainCliError, parseStoreMode, placeSecret, readPlaced, recoverCommand, type Placed, type SecretLabel } from '../store/secrets/choose.js';
import { CliError } from '../core/errors.js';
import { carriableInHeader, UNCARRIABLE_SECRET } from '../core/validate.js';
import type { ConfigData, SecretHolder } from '../store/schema.js';
import { storeFor } from './store.js';

/**
 * Every stored secret is read and written here: the commands never look at `api_key` themselves.
 * The keychain module is loaded only when a record points into the keychain or a write may go there.
 */

const keychains = new WeakMap<NodeJS.ProcessEnv, Keychain>();

/** This run's keychain, opened (and its native module loaded) on first use. */
export function keychainFor(ctx: Pick<Context, 'env'> & { trace?: Context['trace'] }): () => Keychain {
  return () => {
    let chain = keychains.get(ctx.env);
    if (!chain) {
      // A static import would put the loader on every command's path; this file is small, the
      // native module is what must stay lazy, and keychain.ts loads it only on its first call.
      chain = openKeychainLazily(ctx.env, ctx.trace);
      keychains.set(ctx.env, chain);
    }
    return chain;
  };
}

function openKeychainLazily(env: NodeJS.ProcessEnv, trace: ((line: string) => void) | undefined): Keychain {
  const real = import('../store/secrets/keychain.js').then((m) => m.openKeychain({ env, trace }));
  // --debug: each keychain call, its account (never a secret) and how long it took.
  const traced = <T>(what: string, call: (k: Keychain) => Promise<T>, show: (value: T) => string): Promise<T> => {
    if (!trace) return real.then(call);
    const started = Date.now();
    return real.then(call).then(
      (value) => (trace(`keychain: ${what} → ${show(value)} (${Date.now() - started} ms)`), value),
      (error: unknown) => {
        trace(`keychain: ${what} → ${error instanceof KeychainError ? `${error.problem}: ${error.reason}` : String(error)} (${Date.now() - started} ms)`);
        throw error;
      },
    );
  };
  return {
    get: (account) => traced(`read ${account}`, (k) => k.get(account), (v) => (v === null ? 'no entry' : 'found')),
    set: (account, secret) => traced(`write ${account}`, (k) => k.set(account, secret), () => 'stored'),
    delete: (account) => traced(`delete ${account}`, (k) => k.delete(account), (v) => (v ? 'deleted' : 'no entry')),
    probe: () => traced('write probe', (k) => k.probe(), () => 'takes writes'),
  };
}

export function storeMode(ctx: Pick<Context, 'env'>): StoreMode {
  return parseStoreMode(ctx.env.T0KEN_CREDENTIAL_STORE);
}

/** A record's secret from wherever it lives (exit 7 when its keychain entry is locked or gone). */
export async function readSecret(ctx: Pick<Context, 'env'>, record: SecretHolder, label: SecretLabel): Promise<{ secret: string; storage: Storage }> {
  return readPlaced(record, keychainFor(ctx), label);
}

/**
 * A stored secret that is about to go into a request. One that no request can carry (a control
 * character, a line break or a space, put there by a hand edit of config.json or by another program
 * in the keychain) is damaged local state, exit 7; sent, it failed as a network error, retried three
 * times, pointing at the proxy. `token`, `env` and `exec` read it with readSecret and say their own.
 */
export async function readSecretForRequests(ctx: Pick<Context, 'env'>, record: SecretHolder, label: SecretLabel): Promise<{ secret: string; storage: Storage }> {
  const read = await readSecret(ctx, record, label);
  if (!carriableInHeader(read.secret)) {
    throw new CliError('local_state', `${describeSecret(label)} stored in ${read.storage === 'keyring' ? 'the keychain' : 'config.json'} ${UNCARRIABLE_SECRET}`, {
      hint: `Store it again with ${recoverCommand(label.kind)}.`,
    });
  }
  return read;
}

/** Where a record's secret lives, without reading it. */
export const storageOf = (record: SecretHolder): Storage => (record.api_key_ref ? 'keyring' : 'file');

/** The t0ken API key stored for this base URL (default: the current T0KEN_API_URL), or undefined. */
export async function storedT0kenKey(ctx: Context, baseUrl: string = ctx.t0kenBaseUrl()): Promise<string | undefined> {
  const account = storeFor(ctx).read().t0ken[baseUrl];
  if (!account) return undefined;
  return (await readSecret(ctx, account, { kind: 't0ken', baseUrl })).secret;
}

/** The Mnemom key stored for this base URL (default: the current MNEMOM_API_URL), or undefined. */
export async function storedMnemomKey(ctx: Context, baseUrl: string = ctx.mnemomBaseUrl()): Promise<string | undefined> {
  const credential = storeFor(ctx).read().mnemom[baseUrl];
  if (!credential) return undefined;
  return (await readSecret(ctx, credential, { kind: 'mnemom', baseUrl })).secret;
}

export interface SecretHome {
  kind: SecretKind;
  api_url: string;
  storage: Storage;
  /** The keychain entry (service t0ken), when the secret is there. */
  keychain_account: string | null;
}

/** Where each stored secret lives, read from config.json alone (no keychain call). */
export function secretHomes(data: ConfigData): SecretHome[] {
  const homes: SecretHome[] = [];
  for (const [kind, section] of [['t0ken', data.t0ken], ['mnemom', data.mnemom]] as const) {
    for (const [url, record] of Object.entries(section)) {
      homes.push({ kind, api_url: url, storage: storageOf(record), keychain_account: record.api_key_ref?.account ?? null });
    }
  }
  return homes;
}

/**
 * Puts a new secret in its home and prints the fallback notice when `auto` had to use the file.
 * Call it before `store.update`, never inside: the lock is held only for the file's
 * read-modify-write, so other t0ken processes never wait on the keychain (issue 22).
 */
export async function placeNewSecret(ctx: Context, label: SecretLabel, secret: string, configPath: string): Promise<Placed> {
  const placed = await placeSecret(storeMode(ctx), keychainFor(ctx), label, secret, configPath);
  if (placed.notice) ctx.out.warn(placed.notice);
  return placed;
}

/**
 * With T0KEN_CREDENTIAL_STORE=keyring, proves the keychain takes a write before a request whose
 * answer holds a secret (register), so a missing or locked keychain costs no issued key.
 */
export async function prepareSecretWrite(ctx: Context): Promise<void> {
  if (storeMode(ctx) !== 'keyring') return;
  try {
    await keychainFor(ctx)().probe();
  } catch (error) {
    if (error instanceof KeychainError) throw keychainCliError(error, { kind: 't0ken', baseUrl: ctx.t0kenBaseUrl() }, 'write');
    throw error;
  }
}

/**
 * After the record was written: a secret that went to the file where the keychain held the last one
 * leaves no stale copy there (a warning names an entry that could not be deleted).
 */
export async function dropStaleKeychainCopy(ctx: Context, previous: SecretHolder | undefined, placed: Placed, label: SecretLabel): Promise<void> {
  if (previous?.api_key_ref && placed.storage === 'file') await deleteKeychainEntry(ctx, previous, label, { lockedIsError: false });
}

/** What became of the keychain entry, as the end of the sentence: only what really happened. */
export const KEYCHAIN_OUTCOME: Record<'deleted' | 'missing' | 'left' | 'none', (what: string) => string> = {
  deleted: (what) => ` and deleted ${what} from the keychain`,
  missing: (what) => `; ${what} was no longer in the keychain (removed outside t0ken)`,
  left: (what) => `; ${what} was left in the keychain (see the warning)`,
  none: () => '',
};

/**
 * Deletes a record's keychain entry (nothing to do for a secret in the file). For a logout a locked
 * keyring is an error (nothing changes, run again once unlocked); otherwise, and for a keychain this
 * session cannot reach at all, the entry is left behind with a warning that names it, so the record
 * can still be forgotten or replaced (a stale copy left by a key that moved to the file).
 */
export async function deleteKeychainEntry(ctx: Context, record: SecretHolder, label: SecretLabel, options: { lockedIsError: boolean } = { lockedIsError: true }): Promise<'deleted' | 'missing' | 'left' | 'none'> {
  const ref = record.api_key_ref;
  if (!ref) return 'none';
  try {
    return (await keychainFor(ctx)().delete(ref.account)) ? 'deleted' : 'missing';
  } catch (error) {
    if (!(error instanceof KeychainError)) throw error;
    if (error.problem === 'locked' && options.lockedIsError) throw keychainCliError(error, label, 'delete');
    ctx.out.warn(`the keychain entry ${ref.account} (service ${ref.service}) could not be deleted: ${error.reason}; remove it from a session where the keychain answers (seahorse, or \`secret-tool clear service ${ref.service} username ${ref.account}\`)`);
    return 'left';
  }
}
