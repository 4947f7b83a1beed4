/**
 * Just enough of the D-Bus wire format (little-endian out, either endianness in) for the two calls
 * t0ken makes itself on the session bus (platform/dbus-ping.ts): Hello and Ping, which take no
 * arguments, GetConnectionUnixProcessID, which takes one string, the replies' headers and a `u`
 * body. Pure: bytes in, values out.
 */

export interface MethodCall {
  serial: number;
  destination: string;
  path: string;
  iface: string;
  member: string;
  /** One string argument (`s`), for GetConnectionUnixProcessID; none otherwise. */
  arg?: string;
}

/** Bytes with D-Bus alignment counted from the start of the message part they belong to. */
class Writer {
  private parts: Buffer[] = [];
  length = 0;
  constructor(private readonly start = 0) {}
  pad(to: number): void {
    const n = (to - ((this.start + this.length) % to)) % to;
    if (n) this.push(Buffer.alloc(n));
  }
  push(bytes: Buffer): void {
    this.parts.push(bytes);
    this.length += bytes.length;
  }
  byte(value: number): void {
    this.push(Buffer.from([value]));
  }
  u32(value: number): void {
    this.pad(4);
    const b = Buffer.alloc(4);
    b.writeUInt32LE(value);
    this.push(b);
  }
  /** `s` and `o`: a length, the UTF-8 text, a NUL. */
  string(value: string): void {
    const text = Buffer.from(value, 'utf8');
    this.u32(text.length);
    this.push(text);
    this.byte(0);
  }
  /** `g`: a one-byte length, the text, a NUL. */
  signature(value: string): void {
    this.byte(value.length);
    this.push(Buffer.from(value, 'latin1'));
    this.byte(0);
  }
  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** A whole METHOD_CALL message. */
export function encodeMethodCall(call: MethodCall): Buffer {
  const fields = new Writer(16); // the header's fields array starts at byte 16 of the message
  const field = (code: number, type: 'o' | 's', value: string) => {
    fields.pad(8); // each field is a struct (byte, variant)
    fields.byte(code);
    fields.signature(type);
    fields.string(value);
  };
  field(1, 'o', call.path);
  field(2, 's', call.iface);
  field(3, 's', call.member);
  field(6, 's', call.destination);
  let body: Buffer = Buffer.alloc(0);
  if (call.arg !== undefined) {
    fields.pad(8);
    fields.byte(8); // SIGNATURE: the body's
    fields.signature('g');
    fields.signature('s');
    const writer = new Writer(0); // the body starts 8-aligned
    writer.string(call.arg);
    body = writer.bytes();
  }
  const array = fields.bytes();
  const header = Buffer.alloc(16);
  header.write('l', 0, 'latin1');
  header[1] = 1; // METHOD_CALL
  header[2] = 0;
  header[3] = 1; // protocol version
  header.writeUInt32LE(body.length, 4);
  header.writeUInt32LE(call.serial, 8);
  header.writeUInt32LE(array.length, 12);
  const total = 16 + array.length;
  return Buffer.concat([header, array, Buffer.alloc((8 - (total % 8)) % 8), body]);
}

/** The `u` a method return carries first (GetConnectionUnixProcessID's pid), or undefined. */
export function firstUint32(message: Message): number | undefined {
  if (!message.signature.startsWith('u') || message.body.length < 4) return undefined;
  return message.little ? message.body.readUInt32LE(0) : message.body.readUInt32BE(0);
}

/** A message as far as t0ken reads it. */
export interface Message {
  /** Its whole length in bytes. */
  length: number;
  /** 1 call, 2 method return, 3 error, 4 signal. */
  type: number;
  replySerial?: number;
  errorName?: string;
  signature: string;
  body: Buffer;
  little: boolean;
}

/** The first whole message in `data`; undefined while it is incomplete. Throws on a header it cannot read. */
export function nextMessage(data: Buffer): Message | undefined {
  if (data.length < 16) return undefined;
  const little = data[0] === 0x6c;
  if (!little && data[0] !== 0x42) throw new Error(`not a D-Bus message (endianness byte ${data[0]})`);
  const u32 = (at: number) => (little ? data.readUInt32LE(at) : data.readUInt32BE(at));
  const bodyLength = u32(4);
  const fieldsLength = u32(12);
  const headerEnd = 16 + fieldsLength;
  const bodyStart = headerEnd + ((8 - (headerEnd % 8)) % 8);
  const length = bodyStart + bodyLength;
  if (data.length < length) return undefined;
  const parsed: Message = { length, type: data[1]!, signature: '', body: data.subarray(bodyStart, length), little };
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
      if (code === 8) parsed.signature = data.toString('latin1', at + 1, at + 1 + data[at]!);
      at += 1 + data[at]! + 1;
    } else {
      break; // a type the header never uses for what we read
    }
  }
  return parsed;
}
