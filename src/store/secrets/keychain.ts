import { existsSync } from 'node:fs';
import { pingService } from '../../platform/dbus-ping.js';
import { keyringProcess, KeyringProcessError, type KeyringReply, type KeyringRequest } from './keyring-process.js';
import { KEYCHAIN_SERVICE, KeychainError, type Keychain, type KeychainProblem } from './types.js';

/**
 * The OS keychain through @napi-rs/keyring: macOS Keychain, Windows Credential Manager, and on
 * Linux the Secret Service over D-Bus, pinned (the library would otherwise fall back silently to the
 * kernel keyring, which forgets everything at reboot).
 *
 * The library runs in a child process (keyring-process.ts), started by the first call of commands
 * that touch a stored secret. A module that does not load there (no build for this platform,
 * ERR_DLOPEN_FAILED, an install without optional dependencies) means "no keychain here", like a
 * missing D-Bus session.
 *
 * Blocking: against a Secret Service that never answers, the library holds its thread for libdbus's
 * reply timeout (25 s when the bus is still starting the service); behind an unlock prompt nobody
 * answers, it waits for a year. So on Linux t0ken first pings the Secret Service itself
 * (platform/dbus-ping.ts, non-blocking, PING_TIMEOUT_MS), once per process, and calls the library
 * only when it answered; and each read, write and delete is raced against CALL_TIMEOUT_MS, at which
 * the child is killed: a call stuck in this process would keep it from ever exiting (process exit
 * joins libuv's thread pool), so the command would print its error and hang.
 */
const CALL_TIMEOUT_MS = 20_000;
const PING_TIMEOUT_MS = 3_000;
const PROBE_ACCOUNT = 't0ken:write-probe';

export interface KeychainOptions {
  env: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  timeoutMs?: number;
}

export function openKeychain(options: KeychainOptions): Keychain {
  const platform = options.platform ?? process.platform;
  const timeoutMs = options.timeoutMs ?? CALL_TIMEOUT_MS;
  const library = keyringProcess(options.env);
  let answered: Promise<void> | undefined;

  async function reachable(): Promise<void> {
    if (platform !== 'linux') return;
    if (!hasSessionBus(options.env)) {
      throw new KeychainError('unavailable', 'no D-Bus session (DBUS_SESSION_BUS_ADDRESS is not set), so no Secret Service to ask');
    }
    if (!answered) library.warm(); // the library's process starts while the Secret Service is pinged
    await (answered ??= secretServiceAnswers(options.env));
  }

  async function call(what: string, request: Omit<KeyringRequest, 'service'>): Promise<KeyringReply & { ok: true }> {
    await reachable();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        library.kill(); // the call is abandoned: its process must not outlive the answer
        reject(new KeychainError('failed', `the keychain did not answer a ${what} within ${Math.round(timeoutMs / 1000)} s (an unlock prompt may be waiting)`));
      }, timeoutMs);
      timer.unref();
    });
    let reply: KeyringReply;
    try {
      reply = await Promise.race([library.call({ service: KEYCHAIN_SERVICE, ...request }), deadline]);
    } catch (error) {
      if (error instanceof KeyringProcessError) throw new KeychainError('failed', error.message, { cause: error });
      throw classify(error, options.env);
    } finally {
      clearTimeout(timer);
    }
    if (reply.ok) return reply;
    if (reply.load) {
      throw new KeychainError('unavailable', `the keychain module could not be loaded on this platform (${reply.code ?? reply.message})`);
    }
    throw classify(new Error(reply.message), options.env);
  }

  return {
    get: async (account) => (await call('read', { op: 'get', account })).value as string | null,
    set: async (account, secret) => void (await call('write', { op: 'set', account, secret })),
    delete: async (account) => (await call('delete', { op: 'delete', account })).value as boolean,
    async probe() {
      await call('write', { op: 'probe', account: PROBE_ACCOUNT, secret: 't0ken checks that the keychain takes writes' });
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
