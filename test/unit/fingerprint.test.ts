import { describe, expect, it } from 'vitest';
import {
  appSpecificId,
  deriveFingerprint,
  FINGERPRINT_APP_ID,
  idBytes,
  fingerprintOverride,
  isUsableMachineId,
  isValidFingerprint,
  normalizeMachineId,
  type MachineFacts,
} from '../../src/core/fingerprint.js';

const FP = /^fp_[0-9a-f]{32}$/;
const DEBIAN_ID = '5f0c3b1d8e2a4c6f9a7b1d3e5f7a9c0b';
const INSTALL_ID = '00112233445566778899aabbccddeeff';
const NO_CONTAINER = { inContainer: false } as const;

const linuxFacts = (value: string, extra: Partial<MachineFacts> = {}): MachineFacts => ({
  platform: 'linux',
  machineId: { source: 'linux-machine-id', value },
  container: NO_CONTAINER,
  ...extra,
});

describe('deriveFingerprint', () => {
  it('matches fixed known vectors, so the derivation cannot change silently', () => {
    // Computed independently with OpenSSL 3.0 (HMAC keyed by the machine id over the app id), then the
    // UUID v4 bits set by hand (byte 6 -> 0x4_, byte 8 -> 0b10______):
    //   printf b3d3dcb4eb1043e49cff7917e3d99610 | xxd -r -p | openssl mac -digest SHA256 -macopt hexkey:$ID HMAC
    //   ID=5f0c3b1d8e2a4c6f9a7b1d3e5f7a9c0b -> 057ee80f8471e143fa549237813d5eda… -> 057ee80f84714143ba549237813d5eda
    //   ID=00112233445566778899aabbccddeeff -> 944e02bee55a43a44bfca224778e0df3… -> 944e02bee55a43a48bfca224778e0df3
    //   ID=3f2504e04f8941d39a0c0305e82c3301 -> 379b98675db974f068f2463552203030… -> 379b98675db944f0a8f2463552203030
    // and the first agrees with systemd 252: systemd-id128 machine-id --app-specific=b3d3… on that machine id.
    expect(FINGERPRINT_APP_ID).toBe('b3d3dcb4eb1043e49cff7917e3d99610');
    expect(deriveFingerprint(linuxFacts(`${DEBIAN_ID}\n`)).fingerprint).toBe('fp_057ee80f84714143ba549237813d5eda');
    expect(deriveFingerprint({ platform: 'linux', installId: INSTALL_ID, container: NO_CONTAINER }).fingerprint).toBe(
      'fp_944e02bee55a43a48bfca224778e0df3',
    );
    const mac: MachineFacts = {
      platform: 'darwin',
      machineId: { source: 'macos-platform-uuid', value: '3F2504E0-4F89-41D3-9A0C-0305E82C3301' },
      container: NO_CONTAINER,
    };
    expect(deriveFingerprint(mac).fingerprint).toBe('fp_379b98675db944f0a8f2463552203030');
  });

  it('sets the UUID v4 version and variant bits, as systemd does', () => {
    for (const id of [DEBIAN_ID, INSTALL_ID, 'ffffffffffffffffffffffffffff0000', 'a']) {
      const hex = deriveFingerprint(linuxFacts(id)).fingerprint.slice(3);
      expect(hex[12]).toBe('4');
      expect('89ab').toContain(hex[16]);
    }
    expect(() => appSpecificId(Buffer.alloc(15), Buffer.alloc(16))).toThrow();
  });

  it('gives the same fingerprint for the same facts', () => {
    const a = deriveFingerprint(linuxFacts(DEBIAN_ID));
    const b = deriveFingerprint(linuxFacts(DEBIAN_ID));
    expect(a).toEqual(b);
    expect(a.source).toBe('linux-machine-id');
    expect(a.warnings).toEqual([]);
  });

  it('has the format fp_ + 32 lowercase hex', () => {
    for (const id of [DEBIAN_ID, 'a', '{ABCDEF01-2345-6789-ABCD-EF0123456789}']) {
      expect(deriveFingerprint(linuxFacts(id)).fingerprint).toMatch(FP);
    }
  });

  it('gives a different fingerprint for a different machine id', () => {
    const other = DEBIAN_ID.replace(/b$/, 'c');
    expect(deriveFingerprint(linuxFacts(DEBIAN_ID)).fingerprint).not.toBe(deriveFingerprint(linuxFacts(other)).fingerprint);
  });

  it('applies the same derivation to every platform\'s 128-bit id: only the id\'s value counts', () => {
    const windows: MachineFacts = { platform: 'win32', machineId: { source: 'windows-machine-guid', value: DEBIAN_ID.toUpperCase() }, container: NO_CONTAINER };
    expect(deriveFingerprint(windows).fingerprint).toBe(deriveFingerprint(linuxFacts(DEBIAN_ID)).fingerprint);
  });

  it('reduces an id that is not 128 bits to 128 bits with SHA-256 first', () => {
    expect(idBytes('abc').toString('hex')).toBe('ba7816bf8f01cfea414140de5dae2223');
    expect(idBytes(DEBIAN_ID).toString('hex')).toBe(DEBIAN_ID);
  });

  it('treats /var/lib/dbus/machine-id as the same id as /etc/machine-id', () => {
    const dbus = linuxFacts(DEBIAN_ID, { machineId: { source: 'linux-dbus-machine-id', value: DEBIAN_ID } });
    const result = deriveFingerprint(dbus);
    expect(result.fingerprint).toBe(deriveFingerprint(linuxFacts(DEBIAN_ID)).fingerprint);
    expect(result.source).toBe('linux-dbus-machine-id');
  });

  it('ignores upper-case, dashes, braces and surrounding whitespace in the id', () => {
    const guid = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
    const base = deriveFingerprint({ platform: 'win32', machineId: { source: 'windows-machine-guid', value: guid.replace(/-/g, '') }, container: NO_CONTAINER });
    for (const variant of [guid, guid.toUpperCase(), `{${guid.toUpperCase()}}`, `  ${guid}\r\n`]) {
      const facts: MachineFacts = { platform: 'win32', machineId: { source: 'windows-machine-guid', value: variant }, container: NO_CONTAINER };
      expect(deriveFingerprint(facts).fingerprint).toBe(base.fingerprint);
    }
  });

  it('uses the install id only when there is no usable machine id, and says so', () => {
    const result = deriveFingerprint({ platform: 'linux', installId: INSTALL_ID, container: NO_CONTAINER });
    expect(result.source).toBe('install-id');
    expect(result.warnings).toContain('no OS machine id found; using a random install id stored in the config directory');

    const unusable = deriveFingerprint({ ...linuxFacts('uninitialized'), installId: INSTALL_ID });
    expect(unusable).toEqual(result);

    const withId = deriveFingerprint({ ...linuxFacts(DEBIAN_ID), installId: INSTALL_ID });
    expect(withId.source).toBe('linux-machine-id');
    expect(withId.fingerprint).toBe(deriveFingerprint(linuxFacts(DEBIAN_ID)).fingerprint);
  });

  it('throws when there is neither a machine id nor an install id', () => {
    expect(() => deriveFingerprint({ platform: 'linux', container: NO_CONTAINER })).toThrow(/no usable OS machine id and no install id/);
    expect(() => deriveFingerprint({ ...linuxFacts('   '), installId: '' })).toThrow();
  });

  it('warns in a container whose machine id is baked into the image, pointing to T0KEN_FINGERPRINT', () => {
    const result = deriveFingerprint(linuxFacts(DEBIAN_ID, { container: { inContainer: true, kind: 'docker' }, machineIdSharedWithImage: true }));
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(/docker container/);
    expect(result.warnings[0]).toMatch(/same fingerprint/);
    expect(result.warnings[0]).toMatch(/T0KEN_FINGERPRINT/);
    // One short line (it was 230 characters on every register), with a value to use.
    expect(result.warnings[0]!.length).toBeLessThanOrEqual(190);
    // Made once and kept: a recipe run at every start ($(openssl rand …)) is a new machine each time.
    expect(result.warnings[0]).not.toContain('$(');
    expect(result.warnings[0]).toContain('made once (`t0ken fingerprint --new`) and kept in its environment');
  });

  it('does not warn about image ids in a container whose id is not shared with the image', () => {
    const result = deriveFingerprint(linuxFacts(DEBIAN_ID, { container: { inContainer: true, kind: 'docker' }, machineIdSharedWithImage: false }));
    expect(result.warnings).toEqual([]);
  });

  it('warns in a container without a machine id that the install id is lost with the filesystem', () => {
    const result = deriveFingerprint({ platform: 'linux', installId: INSTALL_ID, container: { inContainer: true, kind: 'podman' } });
    expect(result.source).toBe('install-id');
    expect(result.warnings).toHaveLength(2);
    expect(result.warnings[1]).toMatch(/podman container/);
    expect(result.warnings[1]).toMatch(/config directory/);
    expect(result.warnings[1]).toMatch(/lost/);
    expect(result.warnings[1]).toMatch(/T0KEN_FINGERPRINT/);
  });

  it('warns under WSL that the id may change, without calling WSL a container', () => {
    const result = deriveFingerprint(linuxFacts(DEBIAN_ID, { container: { inContainer: false, kind: 'wsl' } }));
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(/WSL/);
    expect(result.warnings[0]).not.toMatch(/container/);
  });

  it('never puts the raw id in its result or warnings', () => {
    const cases: MachineFacts[] = [
      linuxFacts(DEBIAN_ID, { container: { inContainer: true, kind: 'docker' }, machineIdSharedWithImage: true }),
      linuxFacts(DEBIAN_ID.toUpperCase(), { container: { inContainer: false, kind: 'wsl' } }),
      { platform: 'linux', installId: INSTALL_ID, container: { inContainer: true, kind: 'kubernetes' } },
    ];
    for (const facts of cases) {
      const json = JSON.stringify(deriveFingerprint(facts)).toLowerCase();
      expect(json).not.toContain(DEBIAN_ID);
      expect(json).not.toContain(INSTALL_ID);
      // nor any 8-character run of either
      for (const id of [DEBIAN_ID, INSTALL_ID]) for (let i = 0; i + 8 <= id.length; i += 4) expect(json).not.toContain(id.slice(i, i + 8));
    }
  });
});

describe('machine id usability and normalization', () => {
  it('rejects empty, whitespace-only, uninitialized, all-zero, all-f and placeholder ids', () => {
    for (const bad of [undefined, '', '   ', '\n', 'uninitialized', 'uninitialized\n', 'UNINITIALIZED', '0'.repeat(32), '00000000-0000-0000-0000-000000000000', 'f'.repeat(32), 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF', '03000200-0400-0500-0006-000700080009']) {
      expect(isUsableMachineId(bad), JSON.stringify(bad)).toBe(false);
    }
  });

  it('accepts real-looking ids', () => {
    for (const good of [DEBIAN_ID, `${DEBIAN_ID}\n`, '3F2504E0-4F89-41D3-9A0C-0305E82C3301', '{3f2504e0-4f89-41d3-9a0c-0305e82c3301}']) {
      expect(isUsableMachineId(good)).toBe(true);
    }
  });

  it('normalizes by trimming, lower-casing and stripping dashes and braces', () => {
    expect(normalizeMachineId('  {3F2504E0-4F89-41D3-9A0C-0305E82C3301}\r\n')).toBe('3f2504e04f8941d39a0c0305e82c3301');
    expect(normalizeMachineId(`${DEBIAN_ID}\n`)).toBe(DEBIAN_ID);
  });
});

describe('fingerprint format and T0KEN_FINGERPRINT', () => {
  it('validates the fp_ format', () => {
    expect(isValidFingerprint(`fp_${'0123456789abcdef'.repeat(2)}`)).toBe(true);
    for (const bad of ['', 'fp_', `fp_${'a'.repeat(31)}`, `fp_${'a'.repeat(33)}`, `FP_${'a'.repeat(32)}`, `fp_${'A'.repeat(32)}`, `fp_${'g'.repeat(32)}`, `fp-${'a'.repeat(32)}`, ` fp_${'a'.repeat(32)}`, `fp_${'a'.repeat(32)}\n`]) {
      expect(isValidFingerprint(bad), JSON.stringify(bad)).toBe(false);
    }
  });

  it('takes a well-formed override as is, with source env and no warnings', () => {
    const value = `fp_${'1234abcd'.repeat(4)}`;
    expect(fingerprintOverride(value)).toEqual({ fingerprint: value, source: 'env', warnings: [] });
  });

  it('rejects a malformed override with a message that explains the format and the problem', () => {
    const cases: Array<[string, RegExp]> = [
      ['not-a-fingerprint', /does not start with fp_/],
      [`fp_${'A'.repeat(32)}`, /upper-case/],
      [`fp_${'a'.repeat(32)}\n`, /whitespace/],
      [`fp_${'a'.repeat(31)}`, /34 characters long/],
      [`fp_${'z'.repeat(32)}`, /characters other than 0-9 and a-f/],
    ];
    for (const [value, problem] of cases) {
      expect(() => fingerprintOverride(value)).toThrow(/fp_ followed by 32 lowercase hex characters/);
      expect(() => fingerprintOverride(value)).toThrow(problem);
    }
  });
});
