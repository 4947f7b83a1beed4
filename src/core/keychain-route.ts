/**
 * Where a keychain call runs: in t0ken's own process, or in the child process that can be killed
 * (store/secrets/keyring-process.ts). A Secret Service call can only wait for an unlock prompt (and
 * then for ever, if nobody answers it) when something it touches is locked, and only such a call
 * needs the child; every other call runs here, without a node start-up. What decides it is what the
 * Secret Service said just before the call (platform/dbus-ping.ts asks); anything unknown means the
 * child, the path that is safe when the call does hang.
 */

export type KeychainRoute = 'here' | 'child';

/** What the Secret Service said before the call; undefined where it did not answer, or not readably. */
export interface SecretServiceState {
  /** SearchItems with the entry's attributes: the matching items, unlocked and locked. */
  items?: { unlocked: readonly string[]; locked: readonly string[] };
  /** `Locked` of the collection the library writes to (the `default` alias). */
  defaultLocked?: boolean;
}

/** The attributes @napi-rs/keyring (keyring-rs) gives an entry and searches it by. */
export const entryAttributes = (service: string, account: string): Record<string, string> => ({ service, username: account });

/**
 * Reads and deletes touch the items that match the entry; a write (set, probe) touches those too (an
 * existing item is updated) and else creates one in the default collection.
 */
export function keychainRoute(op: 'get' | 'delete' | 'set' | 'probe', state: SecretServiceState): KeychainRoute {
  if (!state.items || state.items.locked.length > 0) return 'child';
  if (op === 'get' || op === 'delete') return 'here';
  return state.defaultLocked === false ? 'here' : 'child';
}
