import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';

/**
 * A server on 127.0.0.1 (port 0) that writes exact bytes, as no node:http server would: each test
 * sets `answer` to what it does once a whole request has arrived. With `tls` (a key and certificate
 * in PEM) it speaks TLS first.
 */
export interface RawServer {
  port: number;
  /** Runs once per connection, after the request's head and content-length bytes arrived. */
  answer: (socket: Socket, request: string) => void;
  /** The last request, as it came on the wire. */
  lastRequest: string;
  close(): Promise<void>;
}

export async function startRawServer(tls?: { key: string; cert: string }): Promise<RawServer> {
  const sockets = new Set<Socket>();
  const raw: RawServer = { port: 0, answer: () => {}, lastRequest: '', close: () => Promise.resolve() };
  const onSocket = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/content-length: (\d+)/i.exec(text.slice(0, end))?.[1] ?? 0);
      if (text.length - end - 4 < length) return;
      socket.off('data', onData);
      raw.lastRequest = text;
      raw.answer(socket, text);
    };
    socket.on('data', onData);
  };
  const server: Server = tls ? createTlsServer(tls, onSocket) : createNetServer(onSocket);
  if (tls) server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  raw.port = (server.address() as AddressInfo).port;
  raw.close = () => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => server.close(() => resolve()));
  };
  return raw;
}

/** An answer: writes the parts in order, then closes. */
export const writeAll = (...parts: string[]) => (socket: Socket): void => {
  for (const part of parts) socket.write(part);
  socket.end();
};

/** Writes `head`, then `piece` as fast as the client reads: `times` times and then `tail`, or for as long as it reads. */
export const flood = (head: string, piece: string, until?: { times: number; tail: string }) => (socket: Socket): void => {
  socket.write(head);
  const perBlock = Math.max(1, Math.floor(65536 / piece.length));
  const block = Buffer.from(piece.repeat(perBlock));
  let left = until?.times ?? Infinity;
  const pump = () => {
    while (!socket.destroyed && left >= perBlock) {
      left -= perBlock;
      if (!socket.write(block)) return void socket.once('drain', pump);
    }
    if (!socket.destroyed && until) socket.end(piece.repeat(left) + until.tail);
  };
  pump();
};
