import { describe, expect, it } from 'vitest';
import { encodeMethodCall, firstUint32, nextMessage } from '../../src/platform/dbus-wire.js';
import { replyMessage, stringBody } from '../helpers/fake-bus.js';

// The real bus answers these in test/e2e/keychain.test.ts (dbus-daemon and gnome-keyring); here,
// the bytes themselves.

describe('the D-Bus messages t0ken writes and reads', () => {
  it('a method call reads back: a whole message, type 1, no body, its fields 8-aligned', () => {
    const message = encodeMethodCall({ serial: 2, destination: 'org.freedesktop.secrets', path: '/org/freedesktop/secrets', iface: 'org.freedesktop.DBus.Peer', member: 'Ping' });
    expect(message.length % 8).toBe(0);
    expect(message.readUInt32LE(4)).toBe(0);
    expect(message.readUInt32LE(8)).toBe(2);
    const parsed = nextMessage(Buffer.concat([message, Buffer.from('next')]))!;
    expect(parsed).toMatchObject({ length: message.length, type: 1, signature: '', little: true });
    expect(message.toString('latin1')).toContain('org.freedesktop.DBus.Peer');
  });

  it('a reply: its reply serial, signature and body; an error: its name', () => {
    const ok = nextMessage(replyMessage(7, stringBody(':1.42')))!;
    expect(ok).toMatchObject({ type: 2, replySerial: 7, signature: 's' });
    expect(ok.body.toString('latin1', 4, 9)).toBe(':1.42');
    expect(nextMessage(replyMessage(3, undefined, 'org.freedesktop.DBus.Error.ServiceUnknown'))).toMatchObject({ type: 3, replySerial: 3, errorName: 'org.freedesktop.DBus.Error.ServiceUnknown' });
  });

  it('a big-endian reply reads the same', () => {
    const little = replyMessage(5, stringBody(':1.9'));
    const big = Buffer.from(little);
    big.write('B', 0, 'latin1');
    for (const at of [4, 8, 12, 20]) big.writeUInt32BE(little.readUInt32LE(at), at); // body length, serial, fields length, reply serial
    big.writeUInt32BE(little.readUInt32LE(little.length - 8), little.length - 8); // the string's length
    expect(nextMessage(big)).toMatchObject({ type: 2, replySerial: 5, signature: 's', little: false });
  });

  it('a message cut short is not read yet; a first byte that is not l or B is not D-Bus', () => {
    const message = encodeMethodCall({ serial: 2, destination: 'a.b', path: '/', iface: 'org.freedesktop.DBus.Peer', member: 'Ping' });
    expect(nextMessage(message.subarray(0, message.length - 1))).toBeUndefined();
    expect(() => nextMessage(Buffer.concat([Buffer.from('X'), message.subarray(1)]))).toThrow(/not a D-Bus message/);
  });
});

describe('a call with one string argument (GetConnectionUnixProcessID), and a u reply', () => {
  it('carries the argument as an s body the header announces; firstUint32 reads a pid back in either byte order', () => {
    const call = encodeMethodCall({ serial: 3, destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', iface: 'org.freedesktop.DBus', member: 'GetConnectionUnixProcessID', arg: 'org.freedesktop.secrets' });
    const message = nextMessage(call)!;
    expect(message.length).toBe(call.length);
    expect(message.signature).toBe('s');
    expect(message.body.readUInt32LE(0)).toBe('org.freedesktop.secrets'.length);
    expect(message.body.toString('latin1', 4, 4 + 23)).toBe('org.freedesktop.secrets');
    expect(message.body[4 + 23]).toBe(0);
    expect(firstUint32({ ...message, signature: 'u', body: Buffer.from([0x39, 0x30, 0, 0]), little: true })).toBe(12345);
    expect(firstUint32({ ...message, signature: 'u', body: Buffer.from([0, 0, 0x30, 0x39]), little: false })).toBe(12345);
    expect(firstUint32({ ...message, signature: 's' })).toBeUndefined();
  });
});
