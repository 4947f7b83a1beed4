import type { Socket } from 'node:net';
import { encodeMethodCall, nextMessage, type Body, type Message } from './dbus-wire.js';
import { lazyRequire } from './lazy-require.js';
import { patientTimeout } from './patient-timer.js';

/**
 * Asks the D-Bus session bus whether a service answers, in a few milliseconds, with a deadline:
 * `org.freedesktop.DBus.Peer.Ping` to `destination` (every D-Bus library answers Ping by itself;
 * the bus starts an activatable service for it), and, on the same connection, any further calls
 * the caller wants answered (the wire format: platform/dbus-wire.ts). EXTERNAL authentication, Hello,
 * the calls, and their replies; nothing else.
 *
 * Why: the keychain library's first call is synchronous and, against a Secret Service that never
 * answers, holds the thread for libdbus's 25 s reply timeout. This answers "no" in `timeoutMs`.
 * The further calls tell the keychain whether a call can wait for an unlock prompt (keychain.ts).
 */
export type PingResult = { ok: true } | { ok: false; reason: 'no-bus' | 'timeout' | 'error'; detail: string };

/** A call made after the ping, on the same connection. */
export interface Question {
  path: string;
  iface: string;
  member: string;
  body?: Body;
}

/** The reply to a Question: its body (type 2) or its error (type 3). */
export type Answer = Pick<Message, 'type' | 'errorName' | 'signature' | 'body' | 'little'>;

export interface AskResult {
  ping: PingResult;
  /** One per question, in order; undefined for one not answered by the deadline (or at all). */
  answers: (Answer | undefined)[];
}

export function pingService(address: string, destination: string, path: string, timeoutMs: number): Promise<PingResult> {
  return askService(address, destination, path, [], timeoutMs).then((result) => result.ping);
}

/**
 * Pings `destination` and asks it `questions`, all within `timeoutMs`. Ends at the first of: every
 * reply is in, the ping failed, the deadline, `afterPingMs` after the ping's answer (the questions
 * left unanswered are undefined).
 */
export function askService(address: string, destination: string, path: string, questions: readonly Question[], timeoutMs: number, afterPingMs = timeoutMs): Promise<AskResult> {
  const socketPath = unixPath(address);
  const answers: (Answer | undefined)[] = questions.map(() => undefined);
  if (socketPath === undefined) return Promise.resolve({ ping: { ok: false, reason: 'no-bus', detail: `an address t0ken cannot reach (${address.split(',')[0]})` }, answers });
  return new Promise((resolve) => {
    let settled = false;
    let socket: Socket | undefined;
    let pinged = false;
    let waiting = questions.length;
    let grace: NodeJS.Timeout | undefined;
    const finish = (ping: PingResult) => {
      if (settled) return;
      settled = true;
      timer.stop();
      clearTimeout(grace);
      socket?.destroy();
      resolve({ ping, answers });
    };
    // Once the ping is answered, what ends the exchange early no longer says anything about the ping.
    const stop = (ping: PingResult) => finish(pinged ? { ok: true } : ping);
    // Silence is judged on the time the machine could have answered in, not on wall time (a busy
    // machine is not a hung service); the caller's own limit bounds the wall time.
    const timer = patientTimeout(timeoutMs, () => stop({ ok: false, reason: 'timeout', detail: `${destination} did not answer within ${timeoutMs} ms` }));
    // node:net (and node:stream with it) only when there is a bus to ask: ~3 ms of start-up otherwise.
    socket = (lazyRequire('node:net') as typeof import('node:net')).connect({ path: socketPath });
    socket.on('error', (error: NodeJS.ErrnoException) => stop({ ok: false, reason: 'no-bus', detail: `${error.code ?? error.message} on ${socketPath.replace('\0', '@')}` }));
    let authenticated = false;
    let buffer = Buffer.alloc(0);
    socket.on('connect', () => {
      const uid = String(process.getuid?.() ?? 0);
      socket!.write(`\0AUTH EXTERNAL ${Buffer.from(uid).toString('hex')}\r\n`);
    });
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!authenticated) {
        const end = buffer.indexOf('\r\n');
        if (end < 0) return;
        const line = buffer.subarray(0, end).toString('latin1');
        buffer = buffer.subarray(end + 2);
        if (!line.startsWith('OK ')) return stop({ ok: false, reason: 'error', detail: `the bus refused authentication (${line.slice(0, 40)})` });
        authenticated = true;
        socket!.write('BEGIN\r\n');
        socket!.write(encodeMethodCall({ serial: 1, destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', iface: 'org.freedesktop.DBus', member: 'Hello' }));
        socket!.write(encodeMethodCall({ serial: 2, destination, path, iface: 'org.freedesktop.DBus.Peer', member: 'Ping' }));
        questions.forEach((q, i) => socket!.write(encodeMethodCall({ serial: 3 + i, destination, ...q })));
      }
      for (;;) {
        let message: Message | undefined;
        try {
          message = nextMessage(buffer);
        } catch (error) {
          return stop({ ok: false, reason: 'error', detail: (error as Error).message });
        }
        if (!message) return;
        buffer = buffer.subarray(message.length);
        if (message.type !== 2 && message.type !== 3) continue;
        if (message.replySerial === 2) {
          if (message.type === 3) return finish({ ok: false, reason: 'error', detail: message.errorName ?? 'an error' });
          pinged = true;
          if (waiting > 0 && afterPingMs < timeoutMs) (grace = setTimeout(() => finish({ ok: true }), afterPingMs)).unref();
        } else if (message.replySerial !== undefined && message.replySerial >= 3 && message.replySerial < 3 + questions.length && !answers[message.replySerial - 3]) {
          const { type, errorName, signature, body, little } = message;
          answers[message.replySerial - 3] = { type, errorName, signature, body: Buffer.from(body), little };
          waiting--;
        }
        if (pinged && waiting === 0) return finish({ ok: true });
      }
    });
    socket.on('close', () => stop({ ok: false, reason: 'error', detail: 'the bus closed the connection' }));
  });
}

/** `unix:path=/run/user/1000/bus,guid=…` → the path; `unix:abstract=…` → the abstract name. */
function unixPath(address: string): string | undefined {
  for (const candidate of address.split(';')) {
    const [transport, params = ''] = candidate.split(/:(.*)/s, 2);
    if (transport !== 'unix') continue;
    const values = Object.fromEntries(params.split(',').map((kv) => kv.split(/=(.*)/s, 2).map(unescape) as [string, string]));
    if (values.path) return values.path;
    if (values.abstract) return `\0${values.abstract}`;
  }
  return undefined;
}

const unescape = (value: string | undefined): string => decodeURIComponent((value ?? '').replace(/%(?![0-9a-fA-F]{2})/g, '%25'));
