import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { escapeAddressValue, pingService } from '../../src/platform/dbus-ping.js';
import { replyMessage as reply, startFakeBus, stringBody } from '../helpers/fake-bus.js';
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

  it('an address whose escaped bytes are not UTF-8 (%ff) is one t0ken cannot reach: no bus, not a thrown "URI malformed"', async () => {
    expect(await pingService('unix:path=/run/user/%ff/bus', 'org.freedesktop.secrets', '/', 500)).toMatchObject({ ok: false, reason: 'no-bus' });
    expect(await pingService('unix:path=/tmp/rt%e9/bus', 'org.freedesktop.secrets', '/', 500)).toMatchObject({ ok: false, reason: 'no-bus' });
  });

  it('escaped bytes that are UTF-8, and a directory with a comma or a space, reach the socket they name', async () => {
    const odd = join(dir, 'a,b c é');
    mkdirSync(odd);
    const server = createServer((socket) => socket.on('data', () => socket.write('REJECTED EXTERNAL\r\n')));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(join(odd, 'bus'), resolve));
    const escaped = `unix:path=${escapeAddressValue(join(odd, 'bus'))}`;
    expect(escaped).toBe(`unix:path=${dir}/a%2cb%20c%20%c3%a9/bus`.replace(dir, escapeAddressValue(dir)));
    expect(await pingService(escaped, 'org.freedesktop.secrets', '/', 1000)).toMatchObject({ ok: false, reason: 'error', detail: expect.stringMatching(/refused authentication/) });
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

describe('a bus that answers', () => {
  it('the ping answered: ok, at once', async () => {
    const bus = await startFakeBus((serial, member) => reply(serial, member === 'Hello' ? stringBody(':1.1') : undefined));
    try {
      const started = Date.now();
      expect(await pingService(bus.address, 'org.freedesktop.secrets', '/org/freedesktop/secrets', 2000)).toEqual({ ok: true });
      expect(Date.now() - started).toBeLessThan(1000);
      expect(bus.calls(1)).toEqual(['Hello', 'GetConnectionUnixProcessID', 'Ping']); // the service's pid: a busy service uses a CPU, a silent one none
    } finally {
      bus.stop();
    }
  });

  it('a ping answered with an error: that error, at once', async () => {
    const bus = await startFakeBus((serial, member) => (member === 'Ping' ? reply(serial, undefined, 'org.freedesktop.DBus.Error.ServiceUnknown') : reply(serial, stringBody(':1.1'))));
    try {
      const started = Date.now();
      expect(await pingService(bus.address, 'org.freedesktop.secrets', '/', 2000)).toEqual({ ok: false, reason: 'error', detail: 'org.freedesktop.DBus.Error.ServiceUnknown' });
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      bus.stop();
    }
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
