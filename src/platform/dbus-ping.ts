import { connect, type Socket } from 'node:net';

/**
 * Asks the D-Bus session bus whether a service answers, in a few milliseconds, with a deadline:
 * `org.freedesktop.DBus.Peer.Ping` to `destination` (every D-Bus library answers Ping by itself;
 * the bus starts an activatable service for it). Just enough of the wire protocol for that:
 * EXTERNAL authentication, Hello, one method call, and the replies' headers.
 *
 * Why: the keychain library's first call is synchronous and, against a Secret Service that never
 * answers, holds the thread for libdbus's 25 s reply timeout. This answers "no" in `timeoutMs`.
 */
export type PingResult = { ok: true } | { ok: false; reason: 'no-bus' | 'timeout' | 'error'; detail: string };

export function pingService(address: string, destination: string, path: string, timeoutMs: number): Promise<PingResult> {
  const socketPath = unixPath(address);
  if (socketPath === undefined) return Promise.resolve({ ok: false, reason: 'no-bus', detail: `an address t0ken cannot reach (${address.split(',')[0]})` });
  return new Promise((resolve) => {
    let settled = false;
    let socket: Socket | undefined;
    const finish = (result: PingResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket?.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish({ ok: false, reason: 'timeout', detail: `${destination} did not answer within ${timeoutMs} ms` }), timeoutMs);
    timer.unref();
    socket = connect({ path: socketPath });
    socket.on('error', (error: NodeJS.ErrnoException) => finish({ ok: false, reason: 'no-bus', detail: `${error.code ?? error.message} on ${socketPath.replace('\0', '@')}` }));
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
        if (!line.startsWith('OK ')) return finish({ ok: false, reason: 'error', detail: `the bus refused authentication (${line.slice(0, 40)})` });
        authenticated = true;
        socket!.write('BEGIN\r\n');
        socket!.write(methodCall(1, 'org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus', 'Hello'));
        socket!.write(methodCall(2, destination, path, 'org.freedesktop.DBus.Peer', 'Ping'));
      }
      for (;;) {
        const message = nextMessage(buffer);
        if (!message) return;
        buffer = buffer.subarray(message.length);
        if (message.replySerial !== 2) continue;
        if (message.type === 2) return finish({ ok: true });
        if (message.type === 3) return finish({ ok: false, reason: 'error', detail: message.errorName ?? 'an error' });
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
    const values = Object.fromEntries(params.split(',').map((kv) => kv.split(/=(.*)/s, 2).map(unescape) as [string, string]));
    if (values.path) return values.path;
    if (values.abstract) return `\0${values.abstract}`;
  }
  return undefined;
}

const unescape = (value: string | undefined): string => decodeURIComponent((value ?? '').replace(/%(?![0-9a-fA-F]{2})/g, '%25'));

// --- marshalling: little-endian D-Bus messages with no body ---

function methodCall(serial: number, destination: string, path: string, iface: string, member: string): Buffer {
  const fields: Buffer[] = [];
  let offset = 16; // the fixed header before the fields array's contents
  const field = (code: number, signature: string, value: string) => {
    const pad = (8 - (offset % 8)) % 8; // each struct starts on an 8-byte boundary
    const text = Buffer.from(value, 'utf8');
    const head = Buffer.from([code, 1, signature.charCodeAt(0), 0]);
    let body: Buffer;
    if (signature === 'g') body = Buffer.concat([Buffer.from([text.length]), text, Buffer.from([0])]);
    else {
      const length = Buffer.alloc(4);
      length.writeUInt32LE(text.length);
      body = Buffer.concat([length, text, Buffer.from([0])]);
    }
    const item = Buffer.concat([Buffer.alloc(pad), head, body]);
    fields.push(item);
    offset += item.length;
  };
  field(1, 'o', path);
  field(2, 's', iface);
  field(3, 's', member);
  field(6, 's', destination);
  const array = Buffer.concat(fields);
  const header = Buffer.alloc(16);
  header.write('l', 0, 'latin1');
  header[1] = 1; // METHOD_CALL
  header[2] = 0;
  header[3] = 1; // protocol version
  header.writeUInt32LE(0, 4); // no body
  header.writeUInt32LE(serial, 8);
  header.writeUInt32LE(array.length, 12);
  const total = 16 + array.length;
  return Buffer.concat([header, array, Buffer.alloc((8 - (total % 8)) % 8)]);
}

interface Parsed { length: number; type: number; replySerial?: number; errorName?: string }

/** The first whole message in `data`, with what the ping needs from its header; undefined if incomplete. */
function nextMessage(data: Buffer): Parsed | undefined {
  if (data.length < 16) return undefined;
  const little = data[0] === 0x6c;
  const u32 = (at: number) => (little ? data.readUInt32LE(at) : data.readUInt32BE(at));
  const bodyLength = u32(4);
  const fieldsLength = u32(12);
  const headerEnd = 16 + fieldsLength;
  const length = headerEnd + ((8 - (headerEnd % 8)) % 8) + bodyLength;
  if (data.length < length) return undefined;
  const parsed: Parsed = { length, type: data[1]! };
  let at = 16;
  while (at < headerEnd) {
    at += (8 - (at % 8)) % 8;
    const code = data[at]!;
    const sigLength = data[at + 1]!;
    const signature = data.toString('latin1', at + 2, at + 2 + sigLength);
    at += 2 + sigLength + 1;
    if (signature === 'u') {
      at += (4 - (at % 4)) % 4;
      if (code === 5) parsed.replySerial = u32(at);
      at += 4;
    } else if (signature === 's' || signature === 'o') {
      at += (4 - (at % 4)) % 4;
      const n = u32(at);
      if (code === 4) parsed.errorName = data.toString('utf8', at + 4, at + 4 + n);
      at += 4 + n + 1;
    } else if (signature === 'g') {
      at += 1 + data[at]! + 1;
    } else {
      break; // a type the header never uses for what we read
    }
  }
  return parsed;
}
