import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { marshalStrings, nextMessage } from '../../src/platform/dbus-wire.js';
import { askService, pingService } from '../../src/platform/dbus-ping.js';
import { replyMessage as reply, startFakeBus, stringBody, variantFalse } from '../helpers/fake-bus.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';

// The real bus is tested in test/e2e/keychain.test.ts (gnome-keyring, and a Secret Service that
// never answers); these are the ways a bus can fail before it says anything useful.

const dir = mkdtempSync(join(tmpdir(), 't0ken-dbus-ping-'));
const servers: Server[] = [];
afterAll(() => {
  for (const s of servers) s.close();
  rmSync(dir, { recursive: true, force: true });
});

function fakeBus(name: string, onData: (socket: import('node:net').Socket, data: string) => void): Promise<string> {
  const path = join(dir, name);
  const server = createServer((socket) => socket.on('data', (d) => onData(socket, d.toString('latin1'))));
  servers.push(server);
  return new Promise((resolve) => server.listen(path, () => resolve(`unix:path=${path},guid=0123`)));
}

describe('pinging a D-Bus service without blocking', () => {
  it('a bus that is not a unix socket is not ours to ask', async () => {
    expect(await pingService('tcp:host=127.0.0.1,port=1', 'org.freedesktop.secrets', '/', 500)).toMatchObject({ ok: false, reason: 'no-bus' });
  });

  it('a socket that is not there: no bus', async () => {
    expect(await pingService(`unix:path=${join(dir, 'missing')}`, 'org.freedesktop.secrets', '/', 500)).toMatchObject({ ok: false, reason: 'no-bus', detail: expect.stringMatching(/ENOENT/) });
  });

  it('a bus that never answers: a timeout, on time', async () => {
    const address = await fakeBus('silent', () => {});
    const started = Date.now();
    expect(await pingService(address, 'org.freedesktop.secrets', '/', 300)).toMatchObject({ ok: false, reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a bus that refuses authentication: an error naming it', async () => {
    const address = await fakeBus('rejects', (socket, data) => {
      if (data.includes('AUTH')) socket.write('REJECTED EXTERNAL\r\n');
    });
    expect(await pingService(address, 'org.freedesktop.secrets', '/', 1000)).toMatchObject({ ok: false, reason: 'error', detail: expect.stringMatching(/refused authentication/) });
  });

  it('sends EXTERNAL authentication with this uid, hex-encoded', async () => {
    let seen = '';
    const address = await fakeBus('records', (socket, data) => {
      seen += data;
      socket.end();
    });
    await pingService(address, 'org.freedesktop.secrets', '/', 1000);
    expect(seen).toBe(`\0AUTH EXTERNAL ${Buffer.from(String(process.getuid!())).toString('hex')}\r\n`);
  });
});

/** A bus that authenticates, then answers each call it reads with `answer(serial, member)`. */
function answeringBus(name: string, answer: (serial: number, member: string) => Buffer | undefined): Promise<string> {
  let buffer = Buffer.alloc(0);
  let begun = false;
  const path = join(dir, name);
  const server = createServer((socket) =>
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!begun) {
        const text = buffer.toString('latin1');
        if (text.includes('AUTH') && !text.includes('BEGIN\r\n')) {
          if (text.endsWith('\r\n')) socket.write('OK 0123456789abcdef\r\n');
          return;
        }
        if (!text.includes('BEGIN\r\n')) return;
        buffer = buffer.subarray(text.indexOf('BEGIN\r\n') + 7);
        begun = true;
      }
      for (let m; (m = nextMessage(buffer)); ) {
        const serial = buffer.readUInt32LE(8);
        const member = /Hello|Ping|SearchItems|Get/.exec(buffer.subarray(0, m.length).toString('latin1'))?.[0] ?? '';
        buffer = buffer.subarray(m.length);
        const out = answer(serial, member);
        if (out) socket.write(out);
      }
    }),
  );
  servers.push(server);
  return new Promise((resolve) => server.listen(path, () => resolve(`unix:path=${path}`)));
}

describe('asking questions on the ping\'s connection', () => {
  const question = { path: '/org/freedesktop/secrets/aliases/default', iface: 'org.freedesktop.DBus.Properties', member: 'Get', body: marshalStrings('org.freedesktop.Secret.Collection', 'Locked') };

  it('the ping and each question answered: every answer, at once', async () => {
    const address = await answeringBus('answers', (serial) => serial === 4 ? reply(4, undefined, 'org.freedesktop.DBus.Error.UnknownObject') : reply(serial, serial === 3 ? variantFalse : undefined));
    const started = Date.now();
    const result = await askService(address, 'org.freedesktop.secrets', '/org/freedesktop/secrets', [question, question], 2000);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(result.ping).toEqual({ ok: true });
    expect(result.answers[0]).toMatchObject({ type: 2, signature: 'v' });
    expect(result.answers[0]!.body.equals(variantFalse.bytes)).toBe(true);
    expect(result.answers[1]).toMatchObject({ type: 3, errorName: 'org.freedesktop.DBus.Error.UnknownObject' });
  });

  it('a question never answered: the ping still counts, that answer is undefined, at the deadline', async () => {
    const address = await answeringBus('half', (serial) => (serial <= 2 ? reply(serial) : undefined));
    const started = Date.now();
    const result = await askService(address, 'org.freedesktop.secrets', '/', [question], 300);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(result).toEqual({ ping: { ok: true }, answers: [undefined] });
  });

  it('a question not answered within afterPingMs of the ping: the exchange ends then, well before the deadline', async () => {
    const address = await answeringBus('grace', (serial) => (serial <= 2 ? reply(serial) : undefined));
    const started = Date.now();
    const result = await askService(address, 'org.freedesktop.secrets', '/', [question], 3000, 100);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(result).toEqual({ ping: { ok: true }, answers: [undefined] });
  });

  it('a ping answered with an error ends the exchange at once, as the ping alone did', async () => {
    const address = await answeringBus('unknown', (serial) => (serial === 2 ? reply(2, undefined, 'org.freedesktop.DBus.Error.ServiceUnknown') : serial === 1 ? reply(1) : undefined));
    const started = Date.now();
    const result = await askService(address, 'org.freedesktop.secrets', '/', [question], 2000);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(result).toEqual({ ping: { ok: false, reason: 'error', detail: 'org.freedesktop.DBus.Error.ServiceUnknown' }, answers: [undefined] });
  });

  it('an address that is not a unix socket: no bus, no answers', async () => {
    expect(await askService('tcp:host=127.0.0.1,port=1', 'org.freedesktop.secrets', '/', [question], 500)).toMatchObject({ ping: { ok: false, reason: 'no-bus' }, answers: [undefined] });
  });
});

describe('a busy machine is not a hung service', () => {
  it('a ping answered after 4 s while the CPUs run 4 times more tasks than they have: answered, not a 3 s timeout', async () => {
    const hogs: ChildProcess[] = Array.from({ length: availableParallelism() * 4 }, () => spawn(process.execPath, ['-e', 'for (;;);'], { stdio: 'ignore' }));
    const bus = await startFakeBus((serial, member) =>
      member === 'Ping' ? new Promise((resolve) => setTimeout(() => resolve(reply(serial)), 4_000)) : reply(serial, member === 'Hello' ? stringBody(':1.1') : undefined));
    try {
      const started = Date.now();
      const result = await pingService(bus.address, 'org.freedesktop.secrets', '/', 3_000);
      expect(result).toEqual({ ok: true }); // on wall time (before): { ok: false, reason: 'timeout' } at 3 s
      expect(Date.now() - started).toBeGreaterThanOrEqual(3_900);
    } finally {
      for (const hog of hogs) hog.kill('SIGKILL');
      bus.stop();
    }
  }, 20_000);
});
