import type { ChildProcess } from 'node:child_process';
import { lazyRequire } from '../../platform/lazy-require.js';
import { cleanupOnExit } from '../../platform/fs/exit-cleanup.js';

/**
 * @napi-rs/keyring, run in a child process of its own, so that a call it never returns from can be
 * ended. Why not in this process: its calls run on libuv's thread pool, and one that never returns
 * (an unlock prompt nobody answers: the library waits up to a year for the prompt's Completed
 * signal) makes this process unable to exit at all: `process.exit` joins every pool thread before it
 * exits, so t0ken printed its "did not answer within 20 s" error and then hung forever. A child is
 * killed at the deadline and the command ends with its exit code.
 *
 * Every keychain call runs here: the library also blocks the thread that constructs an entry
 * (keychain.ts says why). One child per command, started on the first call; requests and answers
 * are JSON lines on its stdin and stdout (a secret never goes in argv). An idle child does not keep
 * this process alive; it is killed when this process exits, whatever the way (Ctrl-C, SIGTERM,
 * SIGHUP, process.exit): a child stuck in the library cannot see its stdin close.
 */

export type KeyringOp = 'get' | 'set' | 'delete' | 'probe';

export interface KeyringRequest {
  op: KeyringOp;
  service: string;
  account: string;
  /** The secret to store (set, probe). */
  secret?: string;
}

/** The library's answer: its value, or its error's message (a string, classified by the caller). */
export type KeyringReply =
  | { ok: true; value: string | boolean | null }
  | { ok: false; message: string; load?: boolean; code?: string };

/** Thrown when the child is gone without an answer (killed at the deadline, or crashed). */
export class KeyringProcessError extends Error {}

// The child's whole program, run with `node -e`. argv[1]: the resolved path of @napi-rs/keyring.
// Linux: pinned to the Secret Service (the library would otherwise fall back silently to the kernel
// keyring, which forgets everything at reboot).
const CHILD = String.raw`'use strict';
let mod;
let loadError;
try { mod = require(process.argv[1]); } catch (error) { loadError = { code: error.code, message: String(error.message).split('\n')[0] }; }
process.stdout.write('{"ready":true}\n');
const options = { linux: { store: 'secret-service' } };
let running = 0;
async function run(request) {
  const entry = new mod.AsyncEntry(request.service, request.account, options);
  switch (request.op) {
    case 'get': return entry.getPassword();
    case 'set': return entry.setPassword(request.secret);
    case 'delete': return entry.deleteCredential();
    case 'probe': await entry.setPassword(request.secret); await entry.deleteCredential(); return null;
  }
  throw new Error('unknown keyring operation ' + request.op);
}
async function answer(request) {
  if (loadError) return { ok: false, load: true, code: loadError.code, message: loadError.message };
  running++;
  try {
    const value = await run(request);
    return { ok: true, value: value === undefined ? null : value };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  } finally {
    running--;
  }
}
let buffer = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffer += chunk;
  for (let end; (end = buffer.indexOf('\n')) >= 0; ) {
    const request = JSON.parse(buffer.slice(0, end));
    buffer = buffer.slice(end + 1);
    answer(request).then((reply) => process.stdout.write(JSON.stringify({ id: request.id, ...reply }) + '\n'));
  }
});
// The parent is gone. A call still running is stuck in the library, and exit would wait for it.
process.stdin.on('end', () => (running > 0 ? process.kill(process.pid, 'SIGKILL') : process.exit(0)));
`;

interface Pending {
  resolve: (reply: KeyringReply) => void;
  reject: (error: Error) => void;
}

export interface KeyringProcess {
  /**
   * Resolves once the child has started and loaded the library (or failed to): from then on, a
   * wait is the keychain's. Before, it is this machine's, starting a process (seconds, on a
   * machine with far more runnable processes than CPUs).
   */
  ready(): Promise<void>;
  call(request: KeyringRequest): Promise<KeyringReply>;
  /** Ends the child now (a call stuck in it is abandoned). */
  kill(): void;
}

/**
 * Where @napi-rs/keyring is installed, or undefined when it is not (an install without optional
 * dependencies); the child then answers every call with the load error.
 */
function modulePath(): string | { code: string; message: string } {
  try {
    return lazyRequire.resolve('@napi-rs/keyring');
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    return { code: e.code ?? 'MODULE_NOT_FOUND', message: e.message.split('\n')[0]! };
  }
}

/**
 * The child's environment: the command's, without what only costs start-up time there. It makes no
 * TLS connection, so no NODE_EXTRA_CA_CERTS (reading and parsing that file is most of a node start-up
 * where it is set), and runs no code of the user's (NODE_OPTIONS: preloads, --inspect).
 */
function childEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { NODE_EXTRA_CA_CERTS: _certs, NODE_OPTIONS: _options, ...rest } = env;
  return rest;
}

interface Child {
  process: ChildProcess;
  pending: Map<number, Pending>;
  /** Stops the kill-on-exit once the child is gone. */
  forget: () => void;
  ready: Promise<void>;
  markReady: () => void;
}

export function keyringProcess(env: NodeJS.ProcessEnv): KeyringProcess {
  let child: Child | undefined;
  let nextId = 1;

  // While a call waits, the child keeps this process alive; idle, it does not.
  const hold = ({ process: running }: Child, on: boolean) => {
    for (const handle of [running, running.stdin, running.stdout] as ({ ref(): void; unref(): void } | null)[]) {
      if (on) handle?.ref();
      else handle?.unref();
    }
  };

  function start(path: string): Child {
    const { spawn } = lazyRequire('node:child_process') as typeof import('node:child_process');
    const spawned = spawn(process.execPath, ['-e', CHILD, path], { env: childEnv(env), stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    let markReady = () => {};
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    // Before execve, killed and waited for (reaped): the program must not inherit it.
    const reap = () => new Promise<void>((resolve) => {
      if (spawned.pid === undefined || spawned.exitCode !== null || spawned.signalCode !== null) return resolve(); // never started, or gone
      spawned.ref();
      spawned.once('exit', () => resolve());
    });
    const started: Child = { process: spawned, pending: new Map(), forget: cleanupOnExit(() => spawned.kill('SIGKILL'), reap), ready, markReady };
    const { process: running, pending } = started;
    const fail = (error: Error) => {
      started.forget();
      if (child === started) child = undefined;
      for (const waiting of pending.values()) waiting.reject(error);
      pending.clear();
    };
    let buffer = '';
    let stderr = '';
    running.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      for (let end; (end = buffer.indexOf('\n')) >= 0; ) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
        let parsed: (KeyringReply & { id: number }) | { ready: true } | undefined;
        try {
          parsed = JSON.parse(line) as (KeyringReply & { id: number }) | { ready: true };
        } catch {
          continue; // the library's own printing, not an answer
        }
        if ('ready' in parsed) {
          started.markReady();
          continue;
        }
        const { id, ...reply } = parsed;
        const waiting = pending.get(id);
        pending.delete(id);
        if (pending.size === 0) hold(started, false);
        waiting?.resolve(reply as KeyringReply);
      }
    });
    running.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-2000)));
    (running.stderr as unknown as { unref(): void }).unref();
    running.stdin!.on('error', () => {}); // a child that died: its exit says why
    running.on('error', (error: NodeJS.ErrnoException) => fail(new KeyringProcessError(`the keychain helper process did not start (${error.code ?? error.message})`)));
    running.on('exit', (code, signal) => {
      const why = stderr.trim().split('\n').at(-1);
      fail(new KeyringProcessError(`the keychain helper process ended without an answer (${signal ?? `exit ${code}`}${why ? `: ${why}` : ''})`));
    });
    return started;
  }

  return {
    ready: () => child?.ready ?? Promise.resolve(),
    call(request) {
      const path = modulePath();
      if (typeof path !== 'string') return Promise.resolve({ ok: false, load: true, ...path });
      const current = (child ??= start(path));
      const id = nextId++;
      return new Promise<KeyringReply>((resolve, reject) => {
        current.pending.set(id, { resolve, reject });
        hold(current, true);
        current.process.stdin!.write(`${JSON.stringify({ id, ...request })}\n`);
      });
    },
    kill() {
      const stuck = child;
      child = undefined;
      stuck?.process.kill('SIGKILL');
    },
  };
}
