import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nextMessage } from '../../src/platform/dbus-wire.js';

/**
 * A D-Bus "session bus" on a unix socket of the test's own, written from the wire format up: what an
 * attacker (or a broken bus) can put behind DBUS_SESSION_BUS_ADDRESS. A real dbus-daemon cannot be
 * made to stall a client's authentication; this one can.
 */

/** A reply message (method return, or error when errorName is given) to `replySerial`. */
export function replyMessage(replySerial: number, body?: { signature: string; bytes: Buffer }, errorName?: string): Buffer {
  const fields: Buffer[] = [];
  let length = 0;
  const push = (b: Buffer) => {
    fields.push(b);
    length += b.length;
  };
  const align8 = () => push(Buffer.alloc((8 - ((16 + length) % 8)) % 8));
  const serial = Buffer.alloc(4);
  serial.writeUInt32LE(replySerial);
  push(Buffer.concat([Buffer.from([5, 1, 0x75, 0]), serial]));
  if (errorName) {
    align8();
    const n = Buffer.alloc(4);
    n.writeUInt32LE(errorName.length);
    push(Buffer.concat([Buffer.from([4, 1, 0x73, 0]), n, Buffer.from(errorName), Buffer.from([0])]));
  }
  if (body) {
    align8();
    push(Buffer.concat([Buffer.from([8, 1, 0x67, 0, body.signature.length]), Buffer.from(body.signature), Buffer.from([0])]));
  }
  const header = Buffer.alloc(16);
  header.write('l', 0, 'latin1');
  header[1] = errorName ? 3 : 2;
  header[3] = 1;
  header.writeUInt32LE(body?.bytes.length ?? 0, 4);
  header.writeUInt32LE(1000 + replySerial, 8);
  header.writeUInt32LE(length, 12);
  return Buffer.concat([header, ...fields, Buffer.alloc((8 - ((16 + length) % 8)) % 8), body?.bytes ?? Buffer.alloc(0)]);
}

/** `s`: one string, as Hello answers with the connection's unique name. */
export const stringBody = (value: string): { signature: string; bytes: Buffer } => {
  const bytes = Buffer.alloc(4 + Buffer.byteLength(value) + 1);
  bytes.writeUInt32LE(Buffer.byteLength(value));
  bytes.write(value, 4);
  return { signature: 's', bytes };
};

/** What a connection's calls get: a reply (from replyMessage), now or later, or undefined for none at all. */
export type Answer = (serial: number, member: string, connection: number) => Buffer | undefined | Promise<Buffer | undefined>;

export interface FakeBus {
  address: string;
  /** How many connections were made, and the members called on each (by connection number, from 1). */
  connections(): number;
  calls(connection: number): string[];
  stop(): void;
}

/**
 * Authenticates the connections `answers(n)` allows (the others never get a byte, not even the
 * answer to AUTH: libdbus then waits for ever), and answers each call with `answer`.
 */
export async function startFakeBus(answer: Answer, answers: (connection: number) => boolean = () => true): Promise<FakeBus> {
  const dir = mkdtempSync(join(tmpdir(), 't0ken-fake-bus-'));
  const path = join(dir, 'bus');
  const sockets: Socket[] = [];
  const calls: string[][] = [];
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    const connection = calls.push([]);
    const mine = calls[connection - 1]!;
    let buffer = Buffer.alloc(0);
    let begun = false;
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      if (!answers(connection)) return;
      buffer = Buffer.concat([buffer, chunk]);
      if (!begun) {
        const text = buffer.toString('latin1');
        if (/NEGOTIATE_UNIX_FD\r\n$/.test(text)) socket.write('AGREE_UNIX_FD\r\n');
        else if (/AUTH[^\r]*\r\n$/.test(text)) socket.write('OK 0123456789abcdef0123456789abcdef\r\n');
        const begin = text.indexOf('BEGIN\r\n');
        if (begin < 0) return;
        buffer = buffer.subarray(begin + 7);
        begun = true;
      }
      for (let m; (m = nextMessage(buffer)); ) {
        const serial = buffer.readUInt32LE(8);
        const member = /Hello|Ping|SearchItems|GetConnectionUnixProcessID|Get|OpenSession/.exec(buffer.subarray(0, m.length).toString('latin1'))?.[0] ?? '?';
        mine.push(member);
        buffer = buffer.subarray(m.length);
        void Promise.resolve(answer(serial, member, connection)).then((out) => out && !socket.destroyed && socket.write(out));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    address: `unix:path=${path},guid=0123456789abcdef0123456789abcdef`,
    connections: () => calls.length,
    calls: (connection) => calls[connection - 1] ?? [],
    stop() {
      for (const socket of sockets) socket.destroy();
      server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `(ao ao)` with both arrays empty: SearchItems found nothing. */
export const noItems = { signature: 'aoao', bytes: Buffer.alloc(8) };
/** `v` holding boolean false: a collection's Locked. */
export const variantFalse = { signature: 'v', bytes: Buffer.from([1, 0x62, 0, 0, 0, 0, 0, 0]) };

/**
 * The attack of issue 22: a bus whose Secret Service answers what t0ken asks on its own first
 * connection (Hello, the ping, "is it locked?": nothing is), and never answers any other connection
 * (the keychain library's), not even its authentication.
 */
export function startFirstConnectionOnlyBus(): Promise<FakeBus> {
  return startFakeBus(
    (serial, member) => replyMessage(serial, member === 'Hello' ? stringBody(':1.1') : member === 'SearchItems' ? noItems : member === 'Get' ? variantFalse : undefined),
    (connection) => connection === 1,
  );
}
