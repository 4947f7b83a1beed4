import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliError } from '../../src/core/errors.js';
import { Exit } from '../../src/core/exit-codes.js';
import { deriveFingerprint } from '../../src/core/fingerprint.js';
import { detectContainer } from '../../src/platform/container.js';
import { collectFacts, collectMachineId, createInstallId, readInstallId, type CollectOptions } from '../../src/platform/machine-facts.js';

const DEBIAN_ID = '5f0c3b1d8e2a4c6f9a7b1d3e5f7a9c0b';
const DBUS_ID = '9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b';
const GUID = '3F2504E0-4F89-41D3-9A0C-0305E82C3301';
const isPosix = process.platform !== 'win32';

/** A simulated machine: paths to file contents; anything else is missing. */
const files = (map: Record<string, string>): NonNullable<CollectOptions['readFile']> => (path) => map[path];

/** Fails the test if a process would be spawned or systeminformation loaded. */
const noProcesses = {
  exec: (file: string): string | undefined => {
    throw new Error(`unexpected process: ${file}`);
  },
  systemUuid: async () => {
    throw new Error('unexpected systeminformation call');
  },
} satisfies CollectOptions;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 't0ken-facts-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const linux = (map: Record<string, string>, extra: Partial<CollectOptions> = {}) =>
  ({ platform: 'linux', readFile: files(map), env: {}, ...noProcesses, ...extra }) as const;

describe('collectMachineId on Linux', () => {
  it('reads /etc/machine-id directly, spawning nothing', async () => {
    expect(await collectMachineId(linux({ '/etc/machine-id': `${DEBIAN_ID}\n` }))).toEqual({ source: 'linux-machine-id', value: DEBIAN_ID });
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['whitespace-only', '  \n'],
    ['uninitialized', 'uninitialized\n'],
    ['all zero', `${'0'.repeat(32)}\n`],
  ])('falls to /var/lib/dbus/machine-id when /etc/machine-id is %s', async (_label, content) => {
    const map: Record<string, string> = { '/var/lib/dbus/machine-id': `${DBUS_ID}\n` };
    if (content !== undefined) map['/etc/machine-id'] = content;
    expect(await collectMachineId(linux(map))).toEqual({ source: 'linux-dbus-machine-id', value: DBUS_ID });
  });

  it('finds nothing when neither file holds a usable id, and never falls back to systeminformation', async () => {
    expect(await collectMachineId(linux({ '/etc/machine-id': 'uninitialized\n', '/var/lib/dbus/machine-id': '' }))).toBeUndefined();
    expect(await collectMachineId(linux({}))).toBeUndefined();
  });

  it('works on this machine with the real file reader when it is Linux', async () => {
    if (process.platform !== 'linux') return;
    const id = await collectMachineId({ ...noProcesses });
    if (id) expect(['linux-machine-id', 'linux-dbus-machine-id']).toContain(id.source);
  });
});

describe('collectMachineId elsewhere', () => {
  const IOREG = `+-o MacBookPro18,3  <class IOPlatformExpertDevice, id 0x100000119, registered, matched, active, busy 0 (0 ms), retain 35>
  {
    "IOPlatformSerialNumber" = "C02ZZ0ZZZZZZ"
    "IOPlatformUUID" = "${GUID}"
  }
`;
  const REG = `\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Cryptography\r\n    MachineGuid    REG_SZ    ${GUID.toLowerCase()}\r\n\r\n`;

  it('macOS: parses IOPlatformUUID from ioreg', async () => {
    const calls: string[][] = [];
    const id = await collectMachineId({
      platform: 'darwin',
      exec: (file, args) => (calls.push([file, ...args]), IOREG),
      systemUuid: noProcesses.systemUuid,
    });
    expect(id).toEqual({ source: 'macos-platform-uuid', value: GUID });
    expect(calls).toEqual([['/usr/sbin/ioreg', '-rd1', '-c', 'IOPlatformExpertDevice']]);
  });

  it('macOS: falls back to systeminformation, keeping the same id and so the same fingerprint', async () => {
    const viaIoreg = await collectMachineId({ platform: 'darwin', exec: () => IOREG, systemUuid: noProcesses.systemUuid });
    const viaSi = await collectMachineId({ platform: 'darwin', exec: () => undefined, systemUuid: async () => ({ os: GUID.toLowerCase(), hardware: 'C02ZZ0ZZZZZZ' }) });
    expect(viaSi?.source).toBe('macos-platform-uuid');
    const fp = (machineId: typeof viaIoreg) => deriveFingerprint({ platform: 'darwin', machineId, container: { inContainer: false } }).fingerprint;
    expect(fp(viaSi)).toBe(fp(viaIoreg));
  });

  it('Windows: parses MachineGuid from reg.exe, reading the 64-bit registry view', async () => {
    const calls: string[][] = [];
    const id = await collectMachineId({
      platform: 'win32',
      env: { SystemRoot: 'C:\\Windows' },
      exec: (file, args) => (calls.push([file, ...args]), REG),
      systemUuid: noProcesses.systemUuid,
    });
    expect(id).toEqual({ source: 'windows-machine-guid', value: GUID.toLowerCase() });
    expect(calls).toEqual([['C:\\Windows\\System32\\reg.exe', 'query', 'HKLM\\SOFTWARE\\Microsoft\\Cryptography', '/v', 'MachineGuid', '/reg:64']]);
  });

  it('FreeBSD: uses kern.hostuuid, and /etc/hostid when sysctl gives a zero uuid', async () => {
    const zero = '00000000-0000-0000-0000-000000000000\n';
    expect(await collectMachineId({ platform: 'freebsd', exec: () => `${GUID}\n`, readFile: files({}), systemUuid: noProcesses.systemUuid })).toEqual({
      source: 'freebsd-hostuuid',
      value: GUID,
    });
    expect(await collectMachineId({ platform: 'freebsd', exec: () => zero, readFile: files({ '/etc/hostid': `${DEBIAN_ID}\n` }), systemUuid: noProcesses.systemUuid })).toEqual({
      source: 'freebsd-hostuuid',
      value: DEBIAN_ID,
    });
  });

  it('uses the systeminformation hardware uuid only when nothing better answers', async () => {
    const id = await collectMachineId({ platform: 'win32', env: {}, exec: () => undefined, systemUuid: async () => ({ os: '', hardware: GUID }) });
    expect(id).toEqual({ source: 'systeminformation-uuid', value: GUID });
    const none = await collectMachineId({ platform: 'win32', env: {}, exec: () => undefined, systemUuid: async () => ({ os: '', hardware: '03000200-0400-0500-0006-000700080009' }) });
    expect(none).toBeUndefined();
    const failing = await collectMachineId({ platform: 'darwin', exec: () => undefined, systemUuid: noProcesses.systemUuid });
    expect(failing).toBeUndefined();
  });

  it('does not ask systeminformation on platforms where it never answers', async () => {
    expect(await collectMachineId({ platform: 'sunos', ...noProcesses })).toBeUndefined();
    expect(await collectMachineId({ platform: 'aix', ...noProcesses })).toBeUndefined();
  });
});

describe('collectFacts', () => {
  const facts = (map: Record<string, string>, extra: Partial<CollectOptions> & { createInstallIdIfMissing?: boolean } = {}) =>
    collectFacts({ ...linux(map), configDir: dir, createInstallIdIfMissing: false, ...extra });

  it('does not read or create an install id when a machine id is usable', async () => {
    const result = await facts({ '/etc/machine-id': DEBIAN_ID }, { createInstallIdIfMissing: true });
    expect(result).toEqual({
      platform: 'linux',
      machineId: { source: 'linux-machine-id', value: DEBIAN_ID },
      container: { inContainer: false },
      machineIdSharedWithImage: false,
    });
    expect(() => statSync(join(dir, 'install-id'))).toThrow();
  });

  it('gives the same fingerprint whatever the hostname', async () => {
    const map = { '/etc/machine-id': DEBIAN_ID };
    const a = deriveFingerprint(await facts(map, { env: { HOSTNAME: 'alpha' } }));
    const b = deriveFingerprint(await facts(map, { env: { HOSTNAME: 'bravo-renamed.example.com', HOST: 'x', COMPUTERNAME: 'Y' } }));
    expect(b.fingerprint).toBe(a.fingerprint);

    const real = deriveFingerprint(await collectFacts({ configDir: dir, createInstallIdIfMissing: true, env: { ...process.env, HOSTNAME: 'alpha' } }));
    const renamed = deriveFingerprint(await collectFacts({ configDir: dir, createInstallIdIfMissing: true, env: { ...process.env, HOSTNAME: 'bravo' } }));
    expect(renamed.fingerprint).toBe(real.fingerprint);
  });

  it('falls through uninitialized /etc/machine-id and an empty dbus file to an install id', async () => {
    const map = { '/etc/machine-id': 'uninitialized\n', '/var/lib/dbus/machine-id': '\n' };
    const result = await facts(map, { createInstallIdIfMissing: true });
    expect(result.machineId).toBeUndefined();
    expect(result.installId).toMatch(/^[0-9a-f]{32}$/);
    expect(deriveFingerprint(result).source).toBe('install-id');
  });

  it('does not create an install id unless asked to', async () => {
    const result = await facts({});
    expect(result.installId).toBeUndefined();
    expect(() => deriveFingerprint(result)).toThrow();
    expect(() => statSync(join(dir, 'install-id'))).toThrow();
  });

  it('keeps the install id across runs, so the fingerprint does not move', async () => {
    const configDir = join(dir, 'nested', 't0ken');
    const first = deriveFingerprint(await collectFacts({ ...linux({}), configDir, createInstallIdIfMissing: true }));
    const second = deriveFingerprint(await collectFacts({ ...linux({}), configDir, createInstallIdIfMissing: false }));
    const third = deriveFingerprint(await collectFacts({ ...linux({}), configDir, createInstallIdIfMissing: true }));
    expect(second.fingerprint).toBe(first.fingerprint);
    expect(third.fingerprint).toBe(first.fingerprint);
    expect(readInstallId(configDir)).toMatch(/^[0-9a-f]{32}$/);
    if (isPosix) {
      expect(statSync(join(configDir, 'install-id')).mode & 0o777).toBe(0o600);
      expect(statSync(configDir).mode & 0o777).toBe(0o700);
    }
  });

  it('leaves the mode of a config directory it did not create', async () => {
    if (!isPosix) return;
    chmodSync(dir, 0o755);
    createInstallId(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o755);
    expect(statSync(join(dir, 'install-id')).mode & 0o777).toBe(0o600);
  });

  it('reports a corrupt install id as a local state error (exit 7) and leaves it untouched', async () => {
    writeFileSync(join(dir, 'install-id'), 'not an id\n');
    for (const createInstallIdIfMissing of [false, true]) {
      const error = await facts({}, { createInstallIdIfMissing }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CliError);
      expect((error as CliError).exitCode).toBe(Exit.state);
      expect((error as CliError).message).toContain(join(dir, 'install-id'));
      expect((error as CliError).hint).toMatch(/T0KEN_FINGERPRINT/);
    }
    expect(readFileSync(join(dir, 'install-id'), 'utf8')).toBe('not an id\n');
    expect(readInstallId(dir)).toBeUndefined();
  });

  it('refuses an install id that is a symbolic link (planted to fix this machine\'s fingerprint), exit 7, link untouched', async () => {
    const planted = join(dir, 'someone-elses-id');
    writeFileSync(planted, `${'ab'.repeat(16)}\n`);
    symlinkSync(planted, join(dir, 'install-id'));
    for (const createInstallIdIfMissing of [false, true]) {
      const error = await facts({}, { createInstallIdIfMissing }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CliError);
      expect((error as CliError).exitCode).toBe(Exit.state);
      expect((error as CliError).message).toMatch(/symbolic link/);
    }
    expect(readInstallId(dir)).toBeUndefined();
    expect(readFileSync(planted, 'utf8')).toBe(`${'ab'.repeat(16)}\n`);
  });

  it('marks a Linux machine id inside a container as shared with the image, and warns', async () => {
    const result = await facts({ '/.dockerenv': '', '/etc/machine-id': DEBIAN_ID });
    expect(result.container).toEqual({ inContainer: true, kind: 'docker' });
    expect(result.machineIdSharedWithImage).toBe(true);
    const fp = deriveFingerprint(result);
    expect(fp.warnings.join('\n')).toMatch(/image.*T0KEN_FINGERPRINT/s);
    // the container does not change the fingerprint itself
    expect(fp.fingerprint).toBe(deriveFingerprint(await facts({ '/etc/machine-id': DEBIAN_ID })).fingerprint);
  });

  it('warns in a container without a machine id that the install id lives in the config directory', async () => {
    const result = await facts({ '/.dockerenv': '' }, { createInstallIdIfMissing: true });
    const fp = deriveFingerprint(result);
    expect(fp.source).toBe('install-id');
    expect(fp.warnings.join('\n')).toMatch(/docker container.*config directory.*lost/s);
  });

  it('never puts the raw id in the derived result', async () => {
    const result = deriveFingerprint(await facts({ '/run/.containerenv': '', '/etc/machine-id': DEBIAN_ID.toUpperCase() }));
    expect(JSON.stringify(result).toLowerCase()).not.toContain(DEBIAN_ID);
    const installed = await facts({}, { createInstallIdIfMissing: true });
    expect(JSON.stringify(deriveFingerprint(installed))).not.toContain(installed.installId);
  });
});

describe('createInstallId', () => {
  it('returns the existing id when another process created it first', () => {
    const other = 'abcdefabcdefabcdefabcdefabcdef01';
    writeFileSync(join(dir, 'install-id'), `${other}\n`, { mode: 0o600 });
    expect(createInstallId(dir)).toBe(other);
  });

  it('waits for a racing writer whose file is still empty', async () => {
    const path = join(dir, 'install-id');
    const other = '0123456789abcdef0123456789abcde0';
    writeFileSync(path, '', { mode: 0o600 });
    const child = spawn(process.execPath, ['-e', `setTimeout(() => require('fs').writeFileSync(${JSON.stringify(path)}, '${other}\\n'), 50)`]);
    await new Promise((resolve) => child.once('spawn', resolve));
    expect(createInstallId(dir)).toBe(other);
    await new Promise((resolve) => child.once('exit', resolve));
  });

  it('creates a new random id each time in a fresh directory', () => {
    const a = createInstallId(join(dir, 'a'));
    const b = createInstallId(join(dir, 'b'));
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(b).not.toBe(a);
    mkdirSync(join(dir, 'c'));
    expect(readInstallId(join(dir, 'c'))).toBeUndefined();
  });
});

describe('detectContainer', () => {
  const detect = (map: Record<string, string>, env: NodeJS.ProcessEnv = {}) => detectContainer(files(map), env);

  it('sees nothing on a plain host', () => {
    expect(detect({ '/proc/1/cgroup': '0::/init.scope\n', '/proc/sys/kernel/osrelease': '6.8.0-45-generic\n' })).toEqual({ inContainer: false });
  });

  it('recognises Docker, Podman and Kubernetes markers', () => {
    expect(detect({ '/.dockerenv': '' })).toEqual({ inContainer: true, kind: 'docker' });
    expect(detect({ '/run/.containerenv': 'engine="podman-4.9.3"\n' })).toEqual({ inContainer: true, kind: 'podman' });
    expect(detect({ '/.dockerenv': '' }, { KUBERNETES_SERVICE_HOST: '10.96.0.1' })).toEqual({ inContainer: true, kind: 'kubernetes' });
  });

  it('uses the container variable, keeping only a name-like value', () => {
    expect(detect({}, { container: 'systemd-nspawn' })).toEqual({ inContainer: true, kind: 'systemd-nspawn' });
    expect(detect({}, { container: 'x\u001b[31m; rm -rf /' })).toEqual({ inContainer: true, kind: 'unknown' });
  });

  it('reads cgroup v1 paths', () => {
    expect(detect({ '/proc/1/cgroup': '12:pids:/docker/4f1c0e\n' })).toEqual({ inContainer: true, kind: 'docker' });
    expect(detect({ '/proc/1/cgroup': '11:memory:/kubepods/besteffort/pod1234\n' })).toEqual({ inContainer: true, kind: 'kubernetes' });
    expect(detect({ '/proc/1/cgroup': '1:name=systemd:/lxc/web01\n' })).toEqual({ inContainer: true, kind: 'lxc' });
  });

  it('reads cgroup v2 containers from what is mounted over /etc/hostname', () => {
    const mountinfo = [
      '600 500 0:52 / / rw,relatime master:1 - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/X',
      '611 600 259:2 /var/lib/docker/containers/4f1c0e/hostname /etc/hostname rw,relatime - ext4 /dev/nvme0n1p2 rw',
    ].join('\n');
    expect(detect({ '/proc/1/cgroup': '0::/\n', '/proc/self/mountinfo': mountinfo })).toEqual({ inContainer: true, kind: 'docker' });
    // the host running the engine mounts overlays but nothing over /etc/hostname
    expect(detect({ '/proc/self/mountinfo': mountinfo.split('\n')[0]! })).toEqual({ inContainer: false });
  });

  it('notes WSL without calling it a container', () => {
    expect(detect({ '/proc/sys/kernel/osrelease': '5.15.153.1-microsoft-standard-WSL2\n' })).toEqual({ inContainer: false, kind: 'wsl' });
  });

  it('only looks at files on Linux', async () => {
    const result = await collectFacts({
      platform: 'darwin',
      readFile: files({ '/.dockerenv': '' }),
      env: {},
      exec: () => `"IOPlatformUUID" = "${GUID}"`,
      systemUuid: noProcesses.systemUuid,
      configDir: dir,
      createInstallIdIfMissing: false,
    });
    expect(result.container).toEqual({ inContainer: false });
    expect(result.machineIdSharedWithImage).toBe(false);
  });
});
