import { existsSync } from 'node:fs';
import { marshalStringDict, marshalStrings, parseObjectPathPair, parseVariantBoolean } from '../../platform/dbus-wire.js';
import { entryAttributes, keychainRoute, type KeychainRoute } from '../../core/keychain-route.js';
import { askService, type AskResult, type Question } from '../../platform/dbus-ping.js';
import { callHere } from './keyring-local.js';
import { keyringProcess, KeyringProcessError, type KeyringReply, type KeyringRequest } from './keyring-process.js';
import { KEYCHAIN_SERVICE, KeychainError, type Keychain, type KeychainProblem } from './types.js';

/**
 * The OS keychain through @napi-rs/keyring: macOS Keychain, Windows Credential Manager, and on
 * Linux the Secret Service over D-Bus, pinned (the library would otherwise fall back silently to the
 * kernel keyring, which forgets everything at reboot). The module is loaded on first use only, by
 * commands that touch a stored secret. A module that does not load (no build for this platform,
 * ERR_DLOPEN_FAILED, an install without optional dependencies) means "no keychain here", like a
 * missing D-Bus session.
 *
 * Blocking: against a Secret Service that never answers, the library holds its thread for libdbus's
 * reply timeout (25 s when the bus is still starting the service); behind an unlock prompt nobody
 * answers, it waits for a year. So on Linux t0ken first pings the Secret Service itself
 * (platform/dbus-ping.ts, non-blocking, PING_TIMEOUT_MS) and calls the library only when it
 * answered. A call stuck in this process would keep it from ever exiting (process exit joins
 * libuv's thread pool), so the command would print its error and hang: a call that can wait for a
 * prompt runs in a child process (keyring-process.ts), killed at CALL_TIMEOUT_MS. Which calls can:
 * on the ping's connection t0ken asks the Secret Service whether what the call touches is locked
 * (core/keychain-route.ts); when nothing is, the call runs here (no node start-up: ~35 ms less), else, or
 * when it cannot tell (no answer, another platform, a bus that is not a unix socket), in the child.
 * Every call, here or there, is raced against CALL_TIMEOUT_MS.
 */
const CALL_TIMEOUT_MS = 20_000;
const PING_TIMEOUT_MS = 3_000;
/**
 * How long the questions may take once the ping is answered: gnome-keyring answers them in a
 * millisecond or two; one that has not answered by then sends the call to the child (safe, +35 ms),
 * and a Secret Service that never answers costs this, not the whole PING_TIMEOUT_MS, before the
 * library's own limit.
 */
const QUESTION_GRACE_MS = 500;
const PROBE_ACCOUNT = 't0ken:write-probe';

const SECRETS = 'org.freedesktop.secrets';
const SECRETS_PATH = '/org/freedesktop/secrets';

export interface KeychainOptions {
  env: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  timeoutMs?: number;
  /** --debug: where each call runs, and why (never a secret). */
  trace?: (line: string) => void;
}

export function openKeychain(options: KeychainOptions): Keychain {
  const platform = options.platform ?? process.platform;
  const timeoutMs = options.timeoutMs ?? CALL_TIMEOUT_MS;
  const library = keyringProcess(options.env);
  let answered: Promise<void> | undefined;

  /** Where this call runs; rejects (as before the child existed) when the Secret Service is not there. */
  async function route(request: Omit<KeyringRequest, 'service'>): Promise<[KeychainRoute, string]> {
    if (platform !== 'linux') return ['child', 'no Secret Service to ask on this platform'];
    if (!hasSessionBus(options.env)) {
      throw new KeychainError('unavailable', 'no D-Bus session (DBUS_SESSION_BUS_ADDRESS is not set), so no Secret Service to ask');
    }
    const address = sessionBus(options.env);
    if (!address.startsWith('unix:')) return ['child', 'a bus t0ken does not speak to itself']; // left to the library, as before
    if (library.running()) return ['child', 'the keychain process is already running'];
    if (answered) await answered; // a Secret Service that did not answer the first ping fails every call
    const asked = askService(address, SECRETS, SECRETS_PATH, questions(request), PING_TIMEOUT_MS, QUESTION_GRACE_MS);
    answered ??= asked.then(pingAnswered);
    await answered;
    const { answers } = await asked;
    const [items, locked] = answers;
    const state = {
      items: items?.type === 2 ? parseObjectPathPair(items) : undefined,
      defaultLocked: locked?.type === 2 ? parseVariantBoolean(locked) : undefined,
    };
    const where = keychainRoute(request.op, state);
    if (where === 'here') return [where, 'nothing it touches is locked'];
    if (!state.items) return [where, `the Secret Service did not say whether the entry is locked (${answerSays(items)})`];
    if (state.items.locked.length > 0) return [where, 'the entry is locked'];
    return [where, state.defaultLocked === undefined ? `no default collection to write to (${answerSays(locked)})` : 'the default collection is locked'];
  }

  async function call(what: string, request: Omit<KeyringRequest, 'service'>): Promise<KeyringReply & { ok: true }> {
    const [where, why] = await route(request);
    options.trace?.(`keychain: ${what} ${request.account} runs ${where === 'here' ? 'in this process' : 'in a child process'}: ${why}`);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        if (where === 'child') library.kill(); // the call is abandoned: its process must not outlive the answer
        reject(new KeychainError('failed', `the keychain did not answer a ${what} within ${Math.round(timeoutMs / 1000)} s (an unlock prompt may be waiting)`));
      }, timeoutMs);
      timer.unref();
    });
    const full = { service: KEYCHAIN_SERVICE, ...request };
    let reply: KeyringReply;
    try {
      reply = await Promise.race([where === 'here' ? callHere(full) : library.call(full), deadline]);
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

/**
 * Asked on the ping's connection: the entry's items, unlocked and locked (every call touches them);
 * for a write, also whether the default collection, where a new item goes, is locked.
 */
function questions(request: Omit<KeyringRequest, 'service'>): Question[] {
  const search: Question = { path: SECRETS_PATH, iface: 'org.freedesktop.Secret.Service', member: 'SearchItems', body: marshalStringDict(entryAttributes(KEYCHAIN_SERVICE, request.account)) };
  if (request.op === 'get' || request.op === 'delete') return [search];
  const locked: Question = { path: `${SECRETS_PATH}/aliases/default`, iface: 'org.freedesktop.DBus.Properties', member: 'Get', body: marshalStrings('org.freedesktop.Secret.Collection', 'Locked') };
  return [search, locked];
}

const answerSays = (answer: AskResult['answers'][number]): string =>
  answer === undefined ? 'no answer in time' : answer.type === 3 ? (answer.errorName ?? 'an error') : `an answer of type ${answer.signature || 'nothing'}`;

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

/** libdbus's session bus: DBUS_SESSION_BUS_ADDRESS, else $XDG_RUNTIME_DIR/bus. */
const sessionBus = (env: NodeJS.ProcessEnv): string => env.DBUS_SESSION_BUS_ADDRESS || `unix:path=${env.XDG_RUNTIME_DIR}/bus`;

/** Resolves when the Secret Service answered the ping; rejects with why not. */
function pingAnswered({ ping: result }: AskResult): void {
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
