import { existsSync } from 'node:fs';
import { escapeAddressValue, pingService, type PingResult } from '../../platform/dbus-ping.js';
import { processCpuTicks } from '../../platform/fs/process-identity.js';
import { sleep } from '../../platform/sleep.js';
import { keyringProcess, KeyringProcessError, type KeyringReply, type KeyringRequest } from './keyring-process.js';
import { KEYCHAIN_SERVICE, KeychainError, type Keychain, type KeychainProblem } from './types.js';

/**
 * The OS keychain through @napi-rs/keyring: macOS Keychain, Windows Credential Manager, and on
 * Linux the Secret Service over D-Bus, pinned (the library would otherwise fall back silently to the
 * kernel keyring, which forgets everything at reboot). A module that does not load (no build for
 * this platform, ERR_DLOPEN_FAILED, an install without optional dependencies) means "no keychain
 * here", like a missing D-Bus session.
 *
 * Where: ONLY in a child process (keyring-process.ts), never in t0ken's own. The library blocks the
 * thread that calls it: `new AsyncEntry()` opens its D-Bus session synchronously, on the main thread,
 * and waits for a Secret Service that took the call but never answers (libdbus's 25 s, or for ever
 * behind an unlock prompt nobody answers); its async calls run on libuv's pool, whose threads
 * `process.exit` joins. In this process either one made t0ken deaf to its own deadline and to
 * SIGINT/SIGTERM/SIGHUP. A worker_thread is no way out: a worker stuck in native code is not
 * ended by `worker.terminate()`, and `process.exit` waits for it (measured: exit took the whole
 * 30 s of the stuck call). A child is killed at CALL_TIMEOUT_MS, on Ctrl-C, or when t0ken exits.
 * It costs a node start-up, started at once and overlapped with the ping (README: the figures).
 *
 * The ping (Linux): platform/dbus-ping.ts asks the Secret Service, without blocking, whether it is
 * there at all, at the same time as the child starts; a Secret Service that is missing or silent
 * ends the call in PING_TIMEOUT_MS rather than CALL_TIMEOUT_MS. The ping's timer counts only time
 * this process could run (a starved process is not a hung service), see dbus-ping.ts.
 */
const CALL_TIMEOUT_MS = 20_000;
/** libdbus's "no reply within its timeout", as the library words it. */
const NO_REPLY = /Did not receive a reply|NoReply|reply timeout/i;
/** A call that got NO_REPLY from a Secret Service busy with others is made up to this many times. */
const MAX_CALL_ATTEMPTS = 6;
const PING_TIMEOUT_MS = 3_000;
/**
 * CALL_TIMEOUT_MS counts from the moment the child is up (node started, library loaded): before
 * that, the wait is this machine's, not the keychain's (200 parallel commands on 2 cores take
 * tens of seconds to start). This bounds that start instead.
 */
const START_TIMEOUT_MS = 60_000;
const PROBE_ACCOUNT = 't0ken:write-probe';

const SECRETS = 'org.freedesktop.secrets';
const SECRETS_PATH = '/org/freedesktop/secrets';

export interface KeychainOptions {
  env: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  timeoutMs?: number;
  /** --debug: what each call waits for (never a secret). */
  trace?: (line: string) => void;
}

export function openKeychain(options: KeychainOptions): Keychain {
  const platform = options.platform ?? process.platform;
  const timeoutMs = options.timeoutMs ?? CALL_TIMEOUT_MS;
  const library = keyringProcess(options.env);
  let pinged: Promise<never> | undefined;
  let servicePid: number | undefined; // the Secret Service's, once it answered the ping
  let serviceCpu: number | undefined; // its CPU time then, and at each reply timeout since

  /**
   * Rejects when the Secret Service is not there (or does not answer the ping); never resolves
   * otherwise. Once per command: a Secret Service that answered once is not asked again. Throws at
   * once, before a child starts, when there is no session bus at all.
   */
  function serviceGone(): Promise<never> | undefined {
    if (platform !== 'linux') return undefined;
    if (!hasSessionBus(options.env)) {
      throw new KeychainError('unavailable', 'no D-Bus session (DBUS_SESSION_BUS_ADDRESS is not set), so no Secret Service to ask');
    }
    const address = sessionBus(options.env);
    if (!address.startsWith('unix:')) return undefined; // a bus t0ken does not speak to itself: left to the library
    if (!pinged) {
      pinged = pingService(address, SECRETS, SECRETS_PATH, PING_TIMEOUT_MS).then((result) => {
        pingFailure(result);
        if (result.ok && result.pid !== undefined) {
          servicePid = result.pid;
          serviceCpu = processCpuTicks(result.pid);
        }
        options.trace?.('keychain: the Secret Service answered the ping');
        return new Promise<never>(() => {});
      });
      pinged.catch(() => {}); // a verdict that comes after the call's answer is nobody's business
    }
    return pinged;
  }

  async function call(what: string, request: Omit<KeyringRequest, 'service'>, attempt = 1): Promise<KeyringReply & { ok: true }> {
    const gone = serviceGone();
    options.trace?.(`keychain: ${what} ${request.account} runs in the keychain process${gone ? ', raced against the ping' : ''}`);
    const timers: NodeJS.Timeout[] = [];
    let done = false;
    const after = (ms: number, error: () => KeychainError) => new Promise<never>((_, reject) => {
      if (done) return;
      const timer = setTimeout(() => reject(error()), ms);
      timer.unref();
      timers.push(timer);
    });
    const answer = library.call({ service: KEYCHAIN_SERVICE, ...request });
    const started = Promise.race([library.ready(), after(START_TIMEOUT_MS, () => new KeychainError('failed', `the keychain process did not start within ${START_TIMEOUT_MS / 1000} s (this machine is very busy)`))]);
    const deadline = started.then(() => after(timeoutMs, () => new KeychainError('failed', `the keychain did not answer a ${what} within ${Math.round(timeoutMs / 1000)} s (an unlock prompt may be waiting)`)));
    let reply: KeyringReply;
    try {
      reply = await Promise.race([answer, deadline, ...(gone ? [gone] : [])]);
    } catch (error) {
      library.kill(); // the call is abandoned: its process must not outlive the answer
      if (error instanceof KeyringProcessError) throw new KeychainError('failed', error.message, { cause: error });
      throw classify(error, options.env);
    } finally {
      done = true;
      for (const timer of timers) clearTimeout(timer);
    }
    if (reply.ok) return reply;
    if (reply.load) {
      throw new KeychainError('unavailable', `the keychain module could not be loaded on this platform (${reply.code ?? reply.message})`);
    }
    // The library's own reply timeout, from a Secret Service that used a CPU meanwhile: busy with
    // others, not hung (200 parallel reads queue behind a single-threaded gnome-keyring on 2 cores;
    // most got this after 6 to 7 s). A silent one uses none and fails as before. Asked again after a
    // random pause, so the retries do not arrive together.
    const cpuNow = servicePid === undefined ? undefined : processCpuTicks(servicePid);
    const busy = serviceCpu !== undefined && cpuNow !== undefined && cpuNow > serviceCpu;
    serviceCpu = cpuNow;
    if (busy && NO_REPLY.test(reply.message) && attempt < MAX_CALL_ATTEMPTS) {
      const pause = Math.round(1000 + Math.random() * Math.min(15_000, 4000 * attempt));
      options.trace?.(`keychain: ${what} ${request.account}: no reply in time from a Secret Service that used a CPU meanwhile (busy): asking again in ${pause} ms`);
      await sleep(pause);
      return call(what, request, attempt + 1);
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
  if (NO_REPLY.test(message)) {
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
const sessionBus = (env: NodeJS.ProcessEnv): string => env.DBUS_SESSION_BUS_ADDRESS || `unix:path=${escapeAddressValue(`${env.XDG_RUNTIME_DIR}/bus`)}`;

/** Throws why the Secret Service is not there when the ping says so. */
function pingFailure(result: PingResult): void {
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
