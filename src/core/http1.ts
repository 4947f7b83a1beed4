/**
 * HTTP/1.1 on the wire, for a client that sends one request per connection (`connection: close`):
 * the request's head, and an incremental reader of the answer. Pure: bytes in, an answer or an
 * `HttpWireError` out. Node's own client (node:http) costs a tenth of a command's start-up to load
 * and run once; this reads what a server may send as llhttp does by default: CRLF line ends only,
 * no control characters in header names or values, one Content-Length, and Transfer-Encoding
 * without Content-Length. What it refuses carries llhttp's error code (HPE_…).
 */

/** `malformed`: not one HTTP answer within the limits. `closed`: the peer closed before the end. */
export class HttpWireError extends Error {
  constructor(
    readonly kind: 'malformed' | 'closed' | 'request',
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpWireError';
  }
}

export interface WireAnswer {
  status: number;
  statusText: string;
  /** Lower-cased names; repeated headers joined with ", " (the first kept of those that cannot repeat, as node:http does). */
  headers: Record<string, string>;
  body: Buffer;
}

export interface AnswerLimits {
  /** The body, decoded of its chunk framing. */
  maxBody: number;
  /** Everything read: interim answers, heads, chunk framing, body. */
  maxWire: number;
  /** One head, and all interim (1xx) heads together. */
  maxHead: number;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** What node:http refuses in a header value it sends (ERR_INVALID_CHAR). */
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
/** What a request target may hold (node:http: ERR_UNESCAPED_CHARACTERS). */
const INVALID_TARGET = /[^\u0021-\u00ff]/;

/** The request's head (request line, headers, blank line); throws `request` for a name or value HTTP cannot carry. */
export function requestHead(method: string, target: string, headers: Record<string, string>): string {
  if (!TOKEN.test(method) || INVALID_TARGET.test(target)) throw new HttpWireError('request', 'ERR_UNESCAPED_CHARACTERS', `the request target holds characters HTTP cannot carry unescaped`);
  let head = `${method} ${target} HTTP/1.1\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    if (!TOKEN.test(name)) throw new HttpWireError('request', 'ERR_INVALID_HTTP_TOKEN', `the header name ${JSON.stringify(name.slice(0, 40))} is not an HTTP token`);
    if (INVALID_VALUE.test(value)) throw new HttpWireError('request', 'ERR_INVALID_CHAR', `the ${name} header holds a line break or control character, which HTTP cannot carry`);
    head += `${name}: ${value}\r\n`;
  }
  return `${head}\r\n`;
}

/** Headers node:http keeps the first of when an answer repeats them (lib/_http_incoming.js). */
const FIRST_ONLY = new Set([
  'content-type', 'content-length', 'user-agent', 'referer', 'host', 'authorization', 'proxy-authorization',
  'if-modified-since', 'if-unmodified-since', 'from', 'location', 'max-forwards', 'retry-after', 'etag',
  'last-modified', 'server', 'age', 'expires',
]);

const CR = 13;
const LF = 10;
/** What every answer starts with: a peer that sends anything else does not speak HTTP. */
const HTTP_PREFIX = Buffer.from('HTTP/', 'latin1');

interface Head {
  status: number;
  statusText: string;
  headers: Record<string, string>;
}

type Framing = { kind: 'length'; left: number } | { kind: 'chunked' } | { kind: 'close' } | { kind: 'none' };

/**
 * Reads one answer, fed as it arrives. `push` returns the answer once it is complete (anything after
 * it is ignored: the connection is not reused), `end` when the peer closed. With `headOnly` (a
 * proxy's answer to CONNECT) the first final head ends it, and `rest` holds the bytes after it.
 */
export class AnswerReader {
  private wire = 0;
  private interim = 0;
  // The head being read: its bytes so far (up to maxHead), and whether the last byte was CR.
  private headBytes: Buffer;
  private headSize = 0;
  private head: Head | undefined;
  private framing: Framing | undefined;
  private body: Buffer;
  private bodySize = 0;
  // Chunked framing: the state, the size line so far, the bytes left in this chunk, the length of the trailer line.
  private chunkState: 'size' | 'ext' | 'size-lf' | 'data' | 'data-cr' | 'data-lf' | 'trailer' | 'trailer-lf' = 'size';
  private sizeText = '';
  private chunkLeft = 0;
  private trailerLine = 0;
  private framingTextSize = 0; // chunk extensions and trailers, together
  private done: WireAnswer | undefined;
  rest: Buffer = Buffer.alloc(0);

  constructor(
    private readonly limits: AnswerLimits,
    private readonly headOnly = false,
  ) {
    this.headBytes = Buffer.allocUnsafe(Math.min(4096, limits.maxHead));
    this.body = Buffer.alloc(0);
  }

  push(chunk: Buffer): WireAnswer | undefined {
    if (this.done) return this.done;
    this.wire += chunk.length;
    if (this.wire > this.limits.maxWire) {
      throw malformed('EMSGSIZE', `the answer is larger than ${this.limits.maxWire / this.limits.maxBody} MiB on the wire (framing included)`);
    }
    let at = 0;
    while (at < chunk.length && !this.done) {
      if (this.framing === undefined) at = this.readHead(chunk, at);
      else at = this.readBody(chunk, at);
    }
    if (this.done && this.headOnly) this.rest = chunk.subarray(at);
    return this.done;
  }

  /** The peer closed: the answer when it ends at the close, else a `closed` error. */
  end(): WireAnswer {
    if (this.done) return this.done;
    if (this.framing?.kind === 'close') return this.finish();
    if (this.head === undefined && this.framing === undefined) throw new HttpWireError('closed', 'ECONNRESET', 'socket hang up');
    throw new HttpWireError('closed', 'ECONNRESET', 'the connection closed mid-answer');
  }

  /** Reads head bytes from `at` to the blank line; returns where it stopped. */
  private readHead(chunk: Buffer, at: number): number {
    for (let i = at; i < chunk.length; i++) {
      const byte = chunk[i]!;
      const previous = this.headSize > 0 ? this.headBytes[this.headSize - 1] : undefined;
      if (byte === LF && previous !== CR) throw malformed('HPE_CR_EXPECTED', undefined);
      if (previous === CR && byte !== LF) throw malformed('HPE_LF_EXPECTED', undefined);
      this.appendHeadByte(byte);
      const size = this.headSize;
      // Empty lines before a status line are read past, as llhttp does.
      if (size === 2 && byte === LF) {
        this.headSize = 0;
        continue;
      }
      // Not HTTP (an SSH banner, a mail server's greeting, a proxy speaking another protocol): said
      // at the first byte that differs, as llhttp does, not when the peer closes or the time runs out.
      if (size <= HTTP_PREFIX.length && byte !== HTTP_PREFIX[size - 1] && !(size === 1 && byte === CR)) {
        throw malformed('HPE_INVALID_CONSTANT', 'the answer is not HTTP (it does not start with HTTP/)');
      }
      if (byte === LF && size >= 4 && this.headBytes[size - 3] === LF) {
        this.onHead(this.headBytes.toString('latin1', 0, size - 4));
        return i + 1;
      }
    }
    return chunk.length;
  }

  private appendHeadByte(byte: number): void {
    if (this.headSize >= this.limits.maxHead) throw malformed('HPE_HEADER_OVERFLOW', undefined);
    if (this.headSize === this.headBytes.length) {
      const grown = Buffer.allocUnsafe(Math.min(this.headBytes.length * 2, this.limits.maxHead));
      this.headBytes.copy(grown, 0, 0, this.headSize);
      this.headBytes = grown;
    }
    this.headBytes[this.headSize++] = byte;
  }

  private onHead(text: string): void {
    const headSize = this.headSize;
    this.headSize = 0;
    const head = parseHead(text);
    const { status } = head;
    if (status >= 100 && status < 200 && status !== 101) {
      this.interim += headSize;
      if (this.interim > this.limits.maxHead) {
        throw malformed('HPE_HEADER_OVERFLOW', `the interim (1xx) answers are larger than ${this.limits.maxHead / 1024} KiB together`);
      }
      return;
    }
    if (status === 101 && head.headers.upgrade !== undefined) throw malformed('HPE_INVALID_STATUS', 'the server switched protocols (101) instead of answering');
    if (this.headOnly) {
      this.head = head;
      this.done = { ...head, body: Buffer.alloc(0) };
      return;
    }
    if (status < 200 || status > 599) throw malformed('HPE_INVALID_STATUS', `the status ${String(status).padStart(3, '0')} is not a final HTTP answer`);
    this.head = head;
    this.framing = framingOf(head);
    if (this.framing.kind === 'length') {
      if (this.framing.left > this.limits.maxBody) throw tooLarge(this.limits);
      this.body = Buffer.allocUnsafe(this.framing.left);
      if (this.framing.left === 0) this.finish();
    } else if (this.framing.kind === 'none') this.finish();
    else this.body = Buffer.allocUnsafe(16 * 1024);
  }

  private readBody(chunk: Buffer, at: number): number {
    const framing = this.framing!;
    if (framing.kind === 'length') {
      const take = Math.min(framing.left, chunk.length - at);
      this.append(chunk, at, at + take);
      framing.left -= take;
      if (framing.left === 0) this.finish();
      return at + take;
    }
    if (framing.kind === 'close') {
      this.append(chunk, at, chunk.length);
      return chunk.length;
    }
    return this.readChunked(chunk, at);
  }

  private readChunked(chunk: Buffer, at: number): number {
    let i = at;
    while (i < chunk.length && !this.done) {
      const byte = chunk[i]!;
      switch (this.chunkState) {
        case 'size':
          if (isHex(byte)) {
            if (this.sizeText === '0') this.sizeText = ''; // leading zeros do not count
            if (this.sizeText.length >= 16) throw malformed('HPE_INVALID_CHUNK_SIZE', undefined);
            this.sizeText += String.fromCharCode(byte);
          } else if (this.sizeText === '') throw malformed('HPE_INVALID_CHUNK_SIZE', undefined);
          else if (byte === 0x3b /* ; */) this.chunkState = 'ext';
          else if (byte === CR) this.chunkState = 'size-lf';
          else throw malformed('HPE_INVALID_CHUNK_SIZE', undefined);
          i++;
          break;
        case 'ext':
          // Extensions mean nothing to us; their line counts against the head limit.
          if (byte === CR) this.chunkState = 'size-lf';
          else if (byte === LF || (byte < 0x20 && byte !== 9) || byte === 0x7f) throw malformed('HPE_INVALID_CHUNK_SIZE', undefined);
          else if (++this.framingTextSize > this.limits.maxHead) throw malformed('HPE_HEADER_OVERFLOW', undefined);
          i++;
          break;
        case 'size-lf': {
          if (byte !== LF) throw malformed('HPE_LF_EXPECTED', undefined);
          i++;
          const size = Number.parseInt(this.sizeText, 16);
          this.sizeText = '';
          if (this.bodySize + size > this.limits.maxBody) throw tooLarge(this.limits);
          this.chunkLeft = size;
          this.chunkState = size === 0 ? 'trailer' : 'data';
          this.trailerLine = 0;
          break;
        }
        case 'data': {
          const take = Math.min(this.chunkLeft, chunk.length - i);
          this.append(chunk, i, i + take);
          this.chunkLeft -= take;
          i += take;
          if (this.chunkLeft === 0) this.chunkState = 'data-cr';
          break;
        }
        case 'data-cr':
          if (byte !== CR) throw malformed('HPE_CR_EXPECTED', undefined);
          this.chunkState = 'data-lf';
          i++;
          break;
        case 'data-lf':
          if (byte !== LF) throw malformed('HPE_LF_EXPECTED', undefined);
          this.chunkState = 'size';
          i++;
          break;
        case 'trailer':
          // Trailer fields are read past, not kept: an empty line ends the answer.
          if (byte === CR) this.chunkState = 'trailer-lf';
          else if (byte === LF) throw malformed('HPE_CR_EXPECTED', undefined);
          else {
            this.trailerLine++;
            if (++this.framingTextSize > this.limits.maxHead) throw malformed('HPE_HEADER_OVERFLOW', undefined);
          }
          i++;
          break;
        case 'trailer-lf':
          if (byte !== LF) throw malformed('HPE_LF_EXPECTED', undefined);
          i++;
          if (this.trailerLine === 0) this.finish();
          else {
            this.trailerLine = 0;
            this.chunkState = 'trailer';
          }
          break;
      }
    }
    return i;
  }

  private append(chunk: Buffer, from: number, to: number): void {
    const length = to - from;
    if (length === 0) return;
    const end = this.bodySize + length;
    if (end > this.limits.maxBody) throw tooLarge(this.limits);
    if (end > this.body.length) {
      const grown = Buffer.allocUnsafe(Math.min(Math.max(end, 2 * this.body.length), this.limits.maxBody));
      this.body.copy(grown, 0, 0, this.bodySize);
      this.body = grown;
    }
    if (length === 1) this.body[this.bodySize] = chunk[from]!;
    else chunk.copy(this.body, this.bodySize, from, to);
    this.bodySize = end;
  }

  private finish(): WireAnswer {
    this.done = { ...this.head!, body: this.body.subarray(0, this.bodySize) };
    return this.done;
  }
}

function parseHead(text: string): Head {
  const lines = text.split('\r\n');
  const statusLine = /^HTTP\/1\.([01]) (\d{3})(?: ([^]*))?$/.exec(lines[0]!);
  if (!statusLine) throw malformed(statusLineError(lines[0]!), undefined);
  // No prototype: a header named `constructor` or `__proto__` is a header like any other.
  const headers = Object.create(null) as Record<string, string>;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon <= 0) throw malformed('HPE_INVALID_HEADER_TOKEN', undefined); // also a folded line (obs-fold)
    const name = line.slice(0, colon);
    if (!TOKEN.test(name)) throw malformed('HPE_INVALID_HEADER_TOKEN', undefined);
    const value = trimSpaceAndTab(line, colon + 1);
    if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value)) throw malformed('HPE_INVALID_HEADER_TOKEN', undefined);
    const key = name.toLowerCase();
    const known = headers[key];
    if (key === 'content-length' && known !== undefined && known !== value) throw malformed('HPE_UNEXPECTED_CONTENT_LENGTH', undefined);
    if (known === undefined) headers[key] = value;
    else if (!FIRST_ONLY.has(key)) headers[key] = `${known}, ${value}`;
  }
  return { status: Number(statusLine[2]), statusText: statusLine[3] ?? '', headers };
}

function statusLineError(line: string): string {
  if (/^HTTP\/1\.[01] /.test(line)) return 'HPE_INVALID_STATUS';
  return line.startsWith('HTTP/') ? 'HPE_INVALID_VERSION' : 'HPE_INVALID_CONSTANT';
}

/** How the body ends (RFC 9112 6.3), for an answer to a GET or POST. */
function framingOf(head: Head): Framing {
  if (head.status === 204 || head.status === 304) return { kind: 'none' };
  const encoding = head.headers['transfer-encoding'];
  const length = head.headers['content-length'];
  if (encoding !== undefined) {
    if (length !== undefined) throw malformed('HPE_UNEXPECTED_CONTENT_LENGTH', undefined);
    const last = encoding.split(',').at(-1)!.trim().toLowerCase();
    return last === 'chunked' ? { kind: 'chunked' } : { kind: 'close' };
  }
  if (length !== undefined) {
    const digits = length.replace(/^0+(?=\d)/, ''); // leading zeros do not count
    if (!/^\d{1,15}$/.test(digits)) throw malformed('HPE_INVALID_CONTENT_LENGTH', undefined);
    return { kind: 'length', left: Number(digits) };
  }
  return { kind: 'close' };
}

/**
 * The value after `from`, without the spaces and tabs around it: a loop, as a regex's `[ \t]+$` is
 * retried at every space and would take quadratic time on a head of 16 KiB of them. Not trim():
 * that would also take 0xA0, a byte a value may hold (obs-text, read as latin1).
 */
function trimSpaceAndTab(line: string, from: number): string {
  let start = from;
  let end = line.length;
  const blank = (code: number) => code === 0x20 || code === 0x09;
  while (start < end && blank(line.charCodeAt(start))) start++;
  while (end > start && blank(line.charCodeAt(end - 1))) end--;
  return line.slice(start, end);
}

const isHex = (byte: number): boolean => (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66);

function malformed(code: string, message: string | undefined): HttpWireError {
  return new HttpWireError('malformed', code, message ?? `the answer is not valid HTTP/1.1 (${code})`);
}

const tooLarge = (limits: AnswerLimits) => malformed('EMSGSIZE', `the answer is larger than ${limits.maxBody / (1024 * 1024)} MiB`);
