import { CliError, usageError } from '../../core/errors.js';
import { maskSecret } from '../../core/mask.js';
import type { SecretHolder } from '../schema.js';
import { fromFile, inFile } from './file.js';
import { KeychainError, refFor, type Keychain, type Placement, type SecretKind, type Storage, type StoreMode } from './types.js';

/** T0KEN_CREDENTIAL_STORE: auto (default), keyring or file. */
export function parseStoreMode(value: string | undefined): StoreMode {
  const mode = (value ?? '').trim().toLowerCase();
  if (mode === '') return 'auto';
  if (mode === 'auto' || mode === 'keyring' || mode === 'file') return mode;
  throw usageError(`T0KEN_CREDENTIAL_STORE must be auto, keyring or file, not ${JSON.stringify(value!.slice(0, 20))}`, 'Unset it (auto: the keychain when it answers, else the file), or set it to keyring or file.');
}

/** Which secret, for messages and the command that recovers it. */
export interface SecretLabel {
  kind: SecretKind;
  baseUrl: string;
}

export const describeSecret = (label: SecretLabel): string => (label.kind === 't0ken' ? `the t0ken API key for ${label.baseUrl}` : `the Mnemom key for ${label.baseUrl}`);

/** How to get the secret back when its keychain entry is gone. */
export function recoverCommand(kind: SecretKind): string {
  return kind === 't0ken'
    ? '`t0ken register --force` (the service answers with the same key for the same machine)'
    : '`printf %s "$MNEMOM_API_KEY" | t0ken agent login --with-token`';
}

export interface Placed {
  placement: Placement;
  storage: Storage;
  /** Set when `auto` fell back to the file: the one stderr line that says so, and why. */
  notice?: string;
}

/**
 * Puts a secret in its home. `file`: the config record. `keyring`: the keychain, or exit 7.
 * `auto`: the keychain when a real write succeeds, else the file with a notice naming the reason.
 * `keychain` is called only when the keychain is to be tried, so `file` never loads it.
 */
export async function placeSecret(mode: StoreMode, keychain: () => Keychain, label: SecretLabel, secret: string, configPath: string): Promise<Placed> {
  if (mode === 'file') return { placement: inFile(secret), storage: 'file' };
  const ref = refFor(label.kind, label.baseUrl);
  try {
    await keychain().set(ref.account, secret);
    return { placement: { api_key_ref: ref, api_key_masked: maskSecret(secret) }, storage: 'keyring' };
  } catch (error) {
    if (!(error instanceof KeychainError)) throw error;
    if (mode === 'keyring') throw keychainCliError(error, label, 'write');
    return {
      placement: inFile(secret),
      storage: 'file',
      notice: `${describeSecret(label)} went to ${configPath} (mode 600), not the keychain: ${error.reason}. Set T0KEN_CREDENTIAL_STORE=file to choose the file and silence this.`,
    };
  }
}

export interface ReadBack {
  secret: string;
  storage: Storage;
}

/**
 * Reads a record's secret from its home. A keychain entry that reads back as nothing is either
 * gone or hidden by a locked keyring: a write probe tells them apart (a locked keyring refuses it).
 */
export async function readPlaced(record: SecretHolder, keychain: () => Keychain, label: SecretLabel): Promise<ReadBack> {
  const inConfig = fromFile(record);
  if (inConfig !== undefined) return { secret: inConfig, storage: 'file' };
  const ref = record.api_key_ref!;
  const chain = keychain();
  let secret: string | null;
  try {
    secret = await chain.get(ref.account);
  } catch (error) {
    if (error instanceof KeychainError) throw keychainCliError(error, label, 'read');
    throw error;
  }
  if (secret !== null && secret !== '') return { secret, storage: 'keyring' };
  try {
    await chain.probe();
  } catch (error) {
    if (error instanceof KeychainError) throw keychainCliError(error, label, 'read');
    throw error;
  }
  throw new CliError('keychain_entry_missing', `${describeSecret(label)} should be in the keychain (entry ${ref.account}), but the keychain has no such entry`, {
    hint: `It was deleted outside t0ken. Store it again with ${recoverCommand(label.kind)}.`,
  });
}

/**
 * What to do when no keychain answers. A write fails this way only with T0KEN_CREDENTIAL_STORE=keyring
 * (auto falls back to the file), so its way out is that variable; `credentials migrate --to keyring`
 * asked for the keychain whatever the variable says, so the variable is no way out there.
 */
const UNAVAILABLE_HINTS = {
  write: 'T0KEN_CREDENTIAL_STORE=keyring requires a keychain: run it where one answers (see `t0ken credentials --help`), or unset T0KEN_CREDENTIAL_STORE (auto: the config file, mode 600, when no keychain answers).',
  migrate: 'This key stays in the config file (mode 600) and works as before. Run the migration in a session with a keychain (a desktop session, or a Secret Service started as docs/configuration.md "Where secrets live" shows).',
  read: 'Run it from a session whose keychain holds the key (the desktop session, with D-Bus), or move the key to the file there with `t0ken credentials migrate --to file`.',
  delete: 'Run it from a session whose keychain holds the key (the desktop session, with D-Bus), or move the key to the file there with `t0ken credentials migrate --to file`.',
} as const;

/** A keychain failure as the CLI reports it: exit 7, a code per problem, and the way out. */
export function keychainCliError(error: KeychainError, label: SecretLabel, action: 'read' | 'write' | 'migrate' | 'delete'): CliError {
  const what = describeSecret(label);
  const verb = action === 'read' ? 'read' : action === 'delete' ? 'delete' : action === 'migrate' ? 'move' : 'store';
  switch (error.problem) {
    case 'locked':
      return new CliError('keychain_locked', `cannot ${verb} ${what}: the keyring is locked`, {
        cause: error,
        hint: 'Nothing was lost and you are still logged in: unlock the keyring (log in to the desktop session, or unlock it in your keyring manager), then run the command again.',
      });
    case 'unavailable':
      return new CliError('keychain_unavailable', `cannot ${verb} ${what} in the keychain: ${error.reason}`, {
        cause: error,
        hint: UNAVAILABLE_HINTS[action],
      });
    default:
      return new CliError('keychain_failed', `cannot ${verb} ${what}: ${error.reason}`, {
        cause: error,
        hint: 'Check the keychain (is it running and unlocked?), then run the command again; T0KEN_CREDENTIAL_STORE=file keeps new keys in the config file instead.',
      });
  }
}
