import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commandProbe, requirePart } from '../helpers/real-part.js';
import { freePort, startTinyproxy } from '../helpers/tinyproxy.js';

const hasTinyproxy = requirePart('tinyproxy', commandProbe('tinyproxy', ['-v']));
const work = mkdtempSync(join(tmpdir(), 't0ken-tinyproxy-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// CI once failed here: another test's server took the port between freePort and tinyproxy's bind.
describe.runIf(hasTinyproxy)('the tinyproxy test helper', () => {
  it('a port taken between the probe and tinyproxy’s bind: it starts on another port, not on the thief’s', async () => {
    const thief = createServer((socket) => socket.end('not a proxy\n'));
    await new Promise<void>((r) => thief.listen(0, '127.0.0.1', r));
    const taken = (thief.address() as AddressInfo).port;
    const offered: number[] = [];
    const proxy = await startTinyproxy(work, 'race', undefined, async () => {
      const port = offered.length === 0 ? taken : await freePort();
      offered.push(port);
      return port;
    });
    try {
      expect(offered[0]).toBe(taken);
      expect(offered.length).toBe(2);
      expect(proxy.port).toBe(offered[1]);
      expect(proxy.log()).toContain('Accepting connections');
    } finally {
      await proxy.stop();
      await new Promise<void>((r) => thief.close(() => r()));
    }
  });
});
