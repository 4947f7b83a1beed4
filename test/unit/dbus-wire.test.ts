import { describe, expect, it } from 'vitest';
import { encodeMethodCall, marshalStringDict, marshalStrings, nextMessage, parseObjectPathPair, parseVariantBoolean } from '../../src/platform/dbus-wire.js';

// The real Secret Service answers these in test/e2e/keychain-fast-path.test.ts (gnome-keyring);
// here, the bytes themselves, in both byte orders, and the replies that must not be guessed at.

const u32 = (n: number, little = true) => {
  const b = Buffer.alloc(4);
  if (little) b.writeUInt32LE(n);
  else b.writeUInt32BE(n);
  return b;
};
const str = (s: string, little = true) => Buffer.concat([u32(Buffer.byteLength(s), little), Buffer.from(s), Buffer.from([0])]);
const pad = (n: number) => Buffer.alloc(n);

/** `ao` at a 4-aligned offset; every element is 4-aligned after the previous one. */
function objectPaths(paths: string[], little = true): Buffer {
  const items: Buffer[] = [];
  let length = 0;
  for (const p of paths) {
    const s = str(p, little);
    const padding = pad((4 - ((length + s.length) % 4)) % 4);
    items.push(s, padding);
    length += s.length + padding.length;
  }
  // the last element's trailing padding is not part of the array
  const lastPad = items.length ? items.at(-1)!.length : 0;
  return Buffer.concat([u32(length - lastPad, little), ...items]);
}

describe('marshalling the arguments t0ken sends', () => {
  it('a{ss}: the byte length, padding to 8 before the first entry (not counted), each entry 8-aligned', () => {
    const { signature, bytes } = marshalStringDict({ service: 't0ken', username: 'ab' });
    expect(signature).toBe('a{ss}');
    const first = Buffer.concat([str('service'), str('t0ken')]); // 12 + 10 = 22 bytes, ends at 30
    const second = Buffer.concat([str('username'), str('ab')]); // 13, pad 3, 7
    const expected = Buffer.concat([u32(0), pad(4), first, pad(2), str('username'), pad(3), str('ab')]);
    expected.writeUInt32LE(expected.length - 8, 0);
    expect(bytes.equals(expected)).toBe(true);
    expect(bytes.readUInt32LE(0)).toBe(first.length + 2 + second.length + 3);
  });

  it('an empty a{ss} still pads to its (absent) first entry', () => {
    expect([...marshalStringDict({}).bytes]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('ss: each string 4-aligned after the previous one, UTF-8 lengths in bytes', () => {
    const { signature, bytes } = marshalStrings('é', 'Locked');
    expect(signature).toBe('ss');
    expect(bytes.equals(Buffer.concat([str('é'), pad(1), str('Locked')]))).toBe(true);
  });

  it('a method call with a body reads back: its header fields, signature and body', () => {
    const body = marshalStringDict({ service: 't0ken', username: 't0ken:https://api.example/v1' });
    const message = encodeMethodCall({ serial: 3, destination: 'org.freedesktop.secrets', path: '/org/freedesktop/secrets', iface: 'org.freedesktop.Secret.Service', member: 'SearchItems', body });
    expect(message.readUInt32LE(4)).toBe(body.bytes.length);
    const parsed = nextMessage(Buffer.concat([message, Buffer.from('next')]))!;
    expect(parsed).toMatchObject({ length: message.length, type: 1, signature: 'a{ss}', little: true });
    expect(parsed.body.equals(body.bytes)).toBe(true);
    expect(message.toString('latin1')).toContain('SearchItems');
  });

  it('a message cut short is not read yet; a first byte that is not l or B is not D-Bus', () => {
    const message = encodeMethodCall({ serial: 2, destination: 'a.b', path: '/', iface: 'org.freedesktop.DBus.Peer', member: 'Ping', body: marshalStrings('x') });
    expect(nextMessage(message.subarray(0, message.length - 1))).toBeUndefined();
    expect(() => nextMessage(Buffer.concat([Buffer.from('X'), message.subarray(1)]))).toThrow(/not a D-Bus message/);
  });
});

describe('reading the replies t0ken acts on', () => {
  const pair = (unlocked: string[], locked: string[], little = true) => {
    const first = objectPaths(unlocked, little);
    return Buffer.concat([first, pad((4 - (first.length % 4)) % 4), objectPaths(locked, little)]);
  };

  it.each([true, false])('(aoao), little-endian %s: unlocked and locked paths', (little) => {
    const body = pair(['/org/freedesktop/secrets/collection/login/1', '/a/b'], ['/org/freedesktop/secrets/collection/work/7'], little);
    expect(parseObjectPathPair({ signature: 'aoao', body, little })).toEqual({
      unlocked: ['/org/freedesktop/secrets/collection/login/1', '/a/b'],
      locked: ['/org/freedesktop/secrets/collection/work/7'],
    });
    expect(parseObjectPathPair({ signature: 'aoao', body: pair([], []), little: true })).toEqual({ unlocked: [], locked: [] });
  });

  it('(aoao) that is not one: another signature, a body cut short, an array longer than the body → undefined', () => {
    const body = pair(['/x'], ['/y']);
    expect(parseObjectPathPair({ signature: 'ao', body, little: true })).toBeUndefined();
    expect(parseObjectPathPair({ signature: 'aoao', body: body.subarray(0, body.length - 3), little: true })).toBeUndefined();
    const long = Buffer.from(body);
    long.writeUInt32LE(1000, 0);
    expect(parseObjectPathPair({ signature: 'aoao', body: long, little: true })).toBeUndefined();
    expect(parseObjectPathPair({ signature: 'aoao', body: Buffer.alloc(0), little: true })).toBeUndefined();
  });

  it.each([true, false])('a variant boolean, little-endian %s', (little) => {
    const variant = (value: number) => Buffer.concat([Buffer.from([1, 0x62, 0]), pad(1), u32(value, little)]);
    expect(parseVariantBoolean({ signature: 'v', body: variant(0), little })).toBe(false);
    expect(parseVariantBoolean({ signature: 'v', body: variant(1), little })).toBe(true);
    expect(parseVariantBoolean({ signature: 'v', body: variant(2), little })).toBeUndefined(); // not a D-Bus boolean
  });

  it('a variant that is not a boolean, or not a variant, or cut short → undefined', () => {
    const ofString = Buffer.concat([Buffer.from([1, 0x73, 0]), pad(1), str('false')]);
    expect(parseVariantBoolean({ signature: 'v', body: ofString, little: true })).toBeUndefined();
    expect(parseVariantBoolean({ signature: 'b', body: u32(0), little: true })).toBeUndefined();
    expect(parseVariantBoolean({ signature: 'v', body: Buffer.from([1, 0x62, 0, 0, 0]), little: true })).toBeUndefined();
  });
});
