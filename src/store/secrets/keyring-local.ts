import { lazyRequire } from '../../platform/lazy-require.js';
import type { KeyringReply, KeyringRequest } from './keyring-process.js';

/**
 * @napi-rs/keyring in this process: its AsyncEntry runs each call on libuv's thread pool. Only for
 * calls that cannot wait for an unlock prompt (keychain.ts asks the Secret Service first, see
 * core/keychain-route.ts): a call that never returned here would keep this process from ever
 * exiting, which is why the others run in keyring-process.ts's child. Same answers as the child's.
 */

type EntryOptions = { linux?: { store?: 'secret-service' | 'keyutils' } };
interface AsyncEntryLike {
  getPassword(): Promise<string | null | undefined>;
  setPassword(password: string): Promise<void>;
  deleteCredential(): Promise<boolean>;
}
interface KeyringModule {
  AsyncEntry: new (service: string, account: string, options?: EntryOptions) => AsyncEntryLike;
}

// Linux: pinned to the Secret Service, as in the child.
const ENTRY_OPTIONS: EntryOptions = { linux: { store: 'secret-service' } };

let loaded: KeyringModule | { code: string; message: string } | undefined;

function load(): KeyringModule | { code: string; message: string } {
  if (loaded) return loaded;
  try {
    loaded = lazyRequire('@napi-rs/keyring') as KeyringModule;
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    loaded = { code: e.code ?? 'MODULE_NOT_FOUND', message: String(e.message).split('\n')[0]! };
  }
  return loaded;
}

async function run(mod: KeyringModule, request: KeyringRequest): Promise<string | boolean | null | undefined | void> {
  const entry = new mod.AsyncEntry(request.service, request.account, ENTRY_OPTIONS);
  switch (request.op) {
    case 'get':
      return entry.getPassword();
    case 'set':
      return entry.setPassword(request.secret!);
    case 'delete':
      return entry.deleteCredential();
    case 'probe':
      await entry.setPassword(request.secret!);
      await entry.deleteCredential();
      return null;
  }
}

export async function callHere(request: KeyringRequest): Promise<KeyringReply> {
  const mod = load();
  if (!('AsyncEntry' in mod)) return { ok: false, load: true, code: mod.code, message: mod.message };
  try {
    const value = await run(mod, request);
    return { ok: true, value: value ?? null };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}
