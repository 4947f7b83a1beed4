import { existsSync } from 'node:fs';
import { pingService } from '../../platform/dbus-ping.js';
import { KEYCHAIN_SERVICE, KeychainError, type Keychain, type KeychainProblem } from './types.js';

/**
 * The OS keychain through @napi-rs/keyring: macOS Keychain, Windows Credential Manager, and on
 * Linux the Secret Service over D-Bus, pinned (the library would otherwise fall back silently to the
 * kernel keyring, which forgets everything at reboot).
 *
 * The native module is loaded on first use only, by commands that touch a stored secret. A module
 * that does not load (no build for this platform, ERR_DLOPEN_FAILED, an install without optional
 * dependencies) means "no keychain here", like a missing D-Bus session.
 *
 * Blocking: opening an entry is synchronous in the library (it connects to the bus and opens a
 * Secret Service session on the calling thread), and against a Secret Service that never answers it
 * holds that thread for libdbus's 25 s reply timeout (a worker thread would not help: process exit
 * joins a worker stuck in native code). So on Linux t0ken first pings the Secret Service itself
 * (platform/dbus-ping.ts, non-blocking, PING_TIMEOUT_MS), once per process, and calls the library
 * only when it answered. Reads, writes and deletes go through AsyncEntry (libuv's thread pool), each
 * raced against CALL_TIMEOUT_MS.
 */
const CALL_TIMEOUT_MS = 20_000;
const PING_TIMEOUT_MS = 3_000;
const PROBE_ACCOUNT = 't0ken:write-probe';

type EntryOptions = { linux?: { store?: 'secret-service' | 'keyutils' } };
interface AsyncEntryLike {
  getPassword(): Promise<string | null>;
  setPassword(password: string): Promise<void>;
  deleteCredential(): Promise<boolean>;
}
interface KeyringModule {
  AsyncEntry: new (service: string, account: string, options?: EntryOptions) => AsyncEntryLike;
}

const ENTRY_OPTIONS: EntryOptions = { linux: { store: 'secret-service' } };

let loaded: Promise<KeyringModule> | undefined;

function loadModule(): Promise<KeyringModule> {
  loaded ??= import('@napi-rs/keyring').then(
    (mod) => mod as unknown as KeyringModule,
    (error: unknown) => {
      const code = (error as NodeJS.ErrnoException).code;
      throw new KeychainError('unavailable', `the keychain module could not be loaded on this platform (${code ?? (error as Error).message})`, { cause: error });
    },
  );
  return loaded;
}

export interface KeychainOptions {
  env: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  timeoutMs?: number;
}

export function openKeychain(options: KeychainOptions): Keychain {
  const platform = options.platform ?? process.platform;
  const timeoutMs = options.timeoutMs ?? CALL_TIMEOUT_MS;
  const entries = new Map<string, AsyncEntryLike>();
  let answered: Promise<void> | undefined;

  async function entry(account: string): Promise<AsyncEntryLike> {
    const existing = entries.get(account);
    if (existing) return existing;
    if (platform === 'linux' && !hasSessionBus(options.env)) {
      throw new KeychainError('unavailable', 'no D-Bus session (DBUS_SESSION_BUS_ADDRESS is not set), so no Secret Service to ask');
    }
    if (platform === 'linux') await (answered ??= secretServiceAnswers(options.env));
    const mod = await loadModule();
    try {
      const created = new mod.AsyncEntry(KEYCHAIN_SERVICE, account, ENTRY_OPTIONS);
      entries.set(account, created);
      return created;
    } catch (error) {
      throw classify(error, options.env);
    }
  }

  async function call<T>(account: string, what: string, run: (e: AsyncEntryLike) => Promise<T>): Promise<T> {
    const e = await entry(account);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new KeychainError('failed', `the keychain did not answer a ${what} within ${Math.round(timeoutMs / 1000)} s (an unlock prompt may be waiting)`)),
        timeoutMs,
      );
      timer.unref();
    });
    try {
      return await Promise.race([run(e), deadline]);
    } catch (error) {
      throw classify(error, options.env);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    get: (account) => call(account, 'read', (e) => e.getPassword()),
    set: (account, secret) => call(account, 'write', (e) => e.setPassword(secret)),
    delete: (account) => call(account, 'delete', (e) => e.deleteCredential()),
    async probe() {
      await call(PROBE_ACCOUNT, 'write', (e) => e.setPassword('t0ken checks that the keychain takes writes'));
      await call(PROBE_ACCOUNT, 'delete', (e) => e.deleteCredential());
    },
  };
}

/** The library's errors are strings; this turns each known one into a problem and a plain reason. */
export function classify(error: unknown, env: NodeJS.ProcessEnv): KeychainError {
  if (error instanceof KeychainError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const [problem, reason] = describe(message, env);
  return new KeychainError(problem, reason, { cause: error });
}

function describe(message: string, env: NodeJS.ProcessEnv): [KeychainProblem, string] {
  if (/prompt was dismissed|is locked|locked collection|IsLocked/i.test(message)) {
    return ['locked', 'the keyring is locked'];
  }
  if (/autolaunch|DBUS_SESSION_BUS_ADDRESS/i.test(message) && !env.DBUS_SESSION_BUS_ADDRESS) {
    return ['unavailable', 'no D-Bus session (DBUS_SESSION_BUS_ADDRESS is not set), so no Secret Service to ask'];
  }
  if (/Did not receive a reply|NoReply|reply timeout/i.test(message)) {
    return ['unavailable', 'the Secret Service did not answer on the D-Bus session (it may be hung, or still starting)'];
  }
  if (/Failed to connect to socket|Connection refused|No such file or directory|DBus error/i.test(message)) {
    return ['unavailable', `the D-Bus session bus did not answer (${firstLine(message)})`];
  }
  if (/ServiceUnknown|was not provided by any \.service files|No such interface|NoReply/i.test(message)) {
    return ['unavailable', 'no Secret Service answers on the D-Bus session (no gnome-keyring, KWallet or KeePassXC running)'];
  }
  if (/no result found/i.test(message)) {
    return ['unavailable', 'the Secret Service has no default keyring to write to (none was created or unlocked at login)'];
  }
  if (/No matching entry|not found/i.test(message) && /platform/i.test(message)) {
    return ['unavailable', `no keychain answers on this system (${firstLine(message)})`];
  }
  return ['failed', `the keychain failed: ${firstLine(message)}`];
}

const firstLine = (text: string): string => text.split('\n', 1)[0]!.slice(0, 200);

/** Resolves when the Secret Service answers a Ping on the session bus; rejects with why not. */
async function secretServiceAnswers(env: NodeJS.ProcessEnv): Promise<void> {
  const address = env.DBUS_SESSION_BUS_ADDRESS || `unix:path=${env.XDG_RUNTIME_DIR}/bus`;
  if (!address.startsWith('unix:')) return; // a bus we do not speak to ourselves: leave it to the library
  const result = await pingService(address, 'org.freedesktop.secrets', '/org/freedesktop/secrets', PING_TIMEOUT_MS);
  if (result.ok) return;
  if (result.reason === 'timeout') {
    throw new KeychainError('unavailable', `the Secret Service did not answer within ${PING_TIMEOUT_MS / 1000} s (it may be hung)`);
  }
  if (result.reason === 'no-bus') throw new KeychainError('unavailable', `the D-Bus session bus did not answer (${result.detail})`);
  if (/ServiceUnknown|NameHasNoOwner/.test(result.detail)) {
    throw new KeychainError('unavailable', 'no Secret Service on the D-Bus session (no gnome-keyring, KWallet or KeePassXC running)');
  }
  throw new KeychainError('unavailable', `the Secret Service did not answer (${result.detail})`);
}

/** libdbus finds the session bus in DBUS_SESSION_BUS_ADDRESS, else at $XDG_RUNTIME_DIR/bus. */
function hasSessionBus(env: NodeJS.ProcessEnv): boolean {
  if (env.DBUS_SESSION_BUS_ADDRESS) return true;
  return env.XDG_RUNTIME_DIR !== undefined && env.XDG_RUNTIME_DIR !== '' && existsSync(`${env.XDG_RUNTIME_DIR}/bus`);
}
