import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * A fake service for the enclosing scope (the file, or a describe block): a node:http server on a
 * loopback port of the system's choosing, started in beforeAll and closed, connections and all, in
 * afterAll. `url` is `http://127.0.0.1:<port>`; read it inside hooks and tests.
 */
export function useHttpServer(handler: Handler): { readonly url: string } {
  const server = createServer(handler);
  let url: string | undefined;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return {
    get url() {
      if (!url) throw new Error('useHttpServer: the server listens only inside hooks and tests (after beforeAll)');
      return url;
    },
  };
}

/** Answers with `body` as JSON (a string is sent as it is). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}
