import type { SecretRef } from '../schema.js';

/** Where a secret lives: the OS keychain, or the 0600 config file. */
export type Storage = 'keyring' | 'file';

/** What T0KEN_CREDENTIAL_STORE asks for. */
export type StoreMode = 'auto' | 'keyring' | 'file';

/** The two kinds of secret t0ken keeps, each keyed by its service's base URL. */
export type SecretKind = 't0ken' | 'mnemom';

/** Why the keychain did not do what was asked; each has its own message and hint. */
export type KeychainProblem =
  | 'unavailable' // no keychain here: no module for this platform, no D-Bus session, no Secret Service
  | 'locked'      // the keychain is there but locked (a read of an existing entry may return nothing)
  | 'failed';     // it answered with an error of another kind

export class KeychainError extends Error {
  constructor(readonly problem: KeychainProblem, readonly reason: string, options?: { cause?: unknown }) {
    super(reason, options);
    this.name = 'KeychainError';
  }
}

/**
 * One OS keychain, reduced to what t0ken needs. `get` answers null for an entry it cannot see,
 * which on a locked Secret Service may still exist: callers tell the two apart with `probe`.
 * Every method rejects with a KeychainError.
 */
export interface Keychain {
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  /** True when an entry was deleted, false when there was none. */
  delete(account: string): Promise<boolean>;
  /** A real write and delete of a throw-away entry: resolves when the keychain takes writes. */
  probe(): Promise<void>;
}

/** A secret's place in a config record: the secret itself, or the reference to its keychain entry. */
export type Placement =
  | { api_key: string; api_key_ref?: undefined; api_key_masked?: undefined }
  | { api_key?: undefined; api_key_ref: SecretRef; api_key_masked: string };

export const KEYCHAIN_SERVICE = 't0ken';

/** The keychain account of a secret: `t0ken:<base url>` or `mnemom:<base url>`. */
export const keychainAccount = (kind: SecretKind, baseUrl: string): string => `${kind}:${baseUrl}`;

export const refFor = (kind: SecretKind, baseUrl: string): SecretRef => ({ store: 'keyring', service: KEYCHAIN_SERVICE, account: keychainAccount(kind, baseUrl) });
