import type { Socket } from 'node:net';
import { encodeMethodCall, firstUint32, nextMessage, type Message } from './dbus-wire.js';
import { lazyRequire } from './lazy-require.js';
import { patientTimeout } from './patient-timer.js';

/**
 * Asks the D-Bus session bus whether a service answers, with a deadline and without blocking:
 * `org.freedesktop.DBus.Peer.Ping` to `destination` (every D-Bus library answers Ping by itself;
 * the bus starts an activatable service for it). EXTERNAL authentication, Hello, the ping and its
 * reply (the wire format: platform/dbus-wire.ts), and the service's pid, asked of the bus before the
 * ping (it answers that itself, at once), so that a caller can tell a busy service from a silent one.
 *
 * Why: the keychain library, against a Secret Service that never answers, waits for libdbus's 25 s
 * reply timeout or longer; this answers "no" in `timeoutMs`, counted on a patient clock
 * (platform/patient-timer.ts): a machine too busy to run anyone is not a silent service.
 */
export type PingResult = { ok: true; pid?: number } | { ok: false; reason: 'no-bus' | 'timeout' | 'error'; detail: string };

export function pingService(address: string, destination: string, path: string, timeoutMs: number): Promise<PingResult> {
  const socketPath = unixPath(address);
  if (socketPath === undefined) return Promise.resolve({ ok: false, reason: 'no-bus', detail: `an address t0ken cannot reach (${address.split(',')[0]})` });
  return new Promise((resolve) => {
    let settled = false;
    let socket: Socket | undefined;
    const finish = (result: PingResult) => {
      if (settled) return;
      settled = true;
      timer.stop();
      socket?.destroy();
      resolve(result);
    };
    const timer = patientTimeout(timeoutMs, () => finish({ ok: false, reason: 'timeout', detail: `${destination} did not answer within ${timeoutMs} ms` }));
    // node:net (and node:stream with it) only when there is a bus to ask: ~3 ms of start-up otherwise.
    socket = (lazyRequire('node:net') as typeof import('node:net')).connect({ path: socketPath });
    socket.on('error', (error: NodeJS.ErrnoException) => finish({ ok: false, reason: 'no-bus', detail: `${error.code ?? error.message} on ${socketPath.replace('\0', '@')}` }));
    let authenticated = false;
    let pid: number | undefined; // the service's, from the bus (GetConnectionUnixProcessID)
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
        if (!line.startsWith('OK ')) return finish({ ok: false, reason: 'error', detail: `the bus refused authentication (${line.slice(0, 40)})` });
        authenticated = true;
        socket!.write('BEGIN\r\n');
        socket!.write(encodeMethodCall({ serial: 1, destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', iface: 'org.freedesktop.DBus', member: 'Hello' }));
        socket!.write(encodeMethodCall({ serial: 3, destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', iface: 'org.freedesktop.DBus', member: 'GetConnectionUnixProcessID', arg: destination }));
        socket!.write(encodeMethodCall({ serial: 2, destination, path, iface: 'org.freedesktop.DBus.Peer', member: 'Ping' }));
      }
      for (;;) {
        let message: Message | undefined;
        try {
          message = nextMessage(buffer);
        } catch (error) {
          return finish({ ok: false, reason: 'error', detail: (error as Error).message });
        }
        if (!message) return;
        buffer = buffer.subarray(message.length);
        if (message.replySerial === 3) {
          if (message.type === 2) pid = firstUint32(message);
          continue;
        }
        if (message.replySerial !== 2 || (message.type !== 2 && message.type !== 3)) continue;
        return finish(message.type === 2 ? { ok: true, ...(pid ? { pid } : {}) } : { ok: false, reason: 'error', detail: message.errorName ?? 'an error' });
      }
    });
    socket.on('close', () => finish({ ok: false, reason: 'error', detail: 'the bus closed the connection' }));
  });
}

/** `unix:path=/run/user/1000/bus,guid=…` → the path; `unix:abstract=…` → the abstract name. */
function unixPath(address: string): string | undefined {
  for (const candidate of address.split(';')) {
    const [transport, params = ''] = candidate.split(/:(.*)/s, 2);
    if (transport !== 'unix') continue;
    const values = Object.fromEntries(params.split(',').map((kv) => kv.split(/=(.*)/s, 2).map(unescapeValue)));
    if (values.path) return values.path;
    if (values.abstract) return `\0${values.abstract}`;
  }
  return undefined;
}

/**
 * An address value's bytes (%XX is any byte; a lone % stays itself) as a string, or undefined when
 * they are not UTF-8: libdbus would use such a path as bytes, Node can only name a socket by a string.
 */
function unescapeValue(value: string | undefined): string | undefined {
  const parts = (value ?? '').split(/(%[0-9a-fA-F]{2})/);
  const bytes = Buffer.concat(parts.map((part, i) => (i % 2 ? Buffer.from([Number.parseInt(part.slice(1), 16)]) : Buffer.from(part))));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** A value for a D-Bus address (`unix:path=<value>`): every byte but [-0-9A-Za-z_/.\\*] as %XX, as libdbus escapes. */
export function escapeAddressValue(value: string): string {
  let escaped = '';
  for (const byte of Buffer.from(value)) {
    const ch = String.fromCharCode(byte);
    escaped += /[-0-9A-Za-z_/.\\*]/.test(ch) ? ch : `%${byte.toString(16).padStart(2, '0')}`;
  }
  return escaped;
}
