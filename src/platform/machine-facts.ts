import { chmodSync, closeSync, constants, openSync, readFileSync, writeFileSync } from 'node:fs';
import { makeDirectories } from './fs/make-directories.js';
import { join, win32 } from 'node:path';
import { stateError } from '../core/errors.js';
import { isUsableMachineId, type IdSource, type MachineFacts } from '../core/fingerprint.js';
import { detectContainer, type ReadFile } from './container.js';
import { lazyRequire } from './lazy-require.js';

/** What systeminformation's `uuid()` answers (only the fields used here). */
export interface SystemUuid {
  os?: string;
  hardware?: string;
}

export interface CollectOptions {
  platform?: NodeJS.Platform;
  /** Returns the file's text, or undefined when it is missing or unreadable. Injectable for tests. */
  readFile?: ReadFile;
  env?: NodeJS.ProcessEnv;
  /** Runs a program (no shell) and returns its stdout, or undefined on any failure. Injectable for tests. */
  exec?: (file: string, args: string[]) => string | undefined;
  /** The systeminformation fallback. Injectable for tests; defaults to a lazy import of systeminformation. */
  systemUuid?: () => Promise<SystemUuid | undefined>;
}

type MachineId = { source: IdSource; value: string };

const defaultReadFile: ReadFile = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

// child_process (with net and dgram behind it) is loaded only off Linux, where a tool must be asked.
const defaultExec = (file: string, args: string[]): string | undefined => {
  try {
    const { execFileSync } = lazyRequire('node:child_process') as typeof import('node:child_process');
    return execFileSync(file, args, { encoding: 'utf8', timeout: 2_000, windowsHide: true, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
};

/** systeminformation spawns several processes per call; give up after this long rather than hang. */
const SYSTEM_UUID_TIMEOUT_MS = 5_000;

const defaultSystemUuid = async (): Promise<SystemUuid | undefined> => {
  const module = lazyRequire('systeminformation') as { uuid?: () => Promise<SystemUuid>; default?: { uuid: () => Promise<SystemUuid> } };
  const uuid = module.uuid ?? module.default?.uuid;
  if (!uuid) return undefined;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), SYSTEM_UUID_TIMEOUT_MS);
    timer.unref();
  });
  try {
    return await Promise.race([uuid(), timeout]);
  } finally {
    clearTimeout(timer);
  }
};

/**
 * Where systeminformation's `uuid().os` is the very id our direct reader wants, it keeps that
 * reader's source, so a fallback read (say ioreg timed out once) gives the same fingerprint.
 */
const SYSTEM_UUID_OS_SOURCE: Partial<Record<NodeJS.Platform, IdSource>> = {
  darwin: 'macos-platform-uuid', // system_profiler's platform_UUID = IOPlatformUUID
  win32: 'windows-machine-guid', // reg query ... MachineGuid
  freebsd: 'freebsd-hostuuid', // sysctl kern.hostuuid
};

/** Platforms where systeminformation's uuid() answers at all (elsewhere its promise never settles). */
const SYSTEM_UUID_PLATFORMS: ReadonlySet<NodeJS.Platform> = new Set(['darwin', 'win32', 'freebsd', 'openbsd', 'netbsd']);

const usable = (source: IdSource, value: string | undefined): MachineId | undefined =>
  value !== undefined && isUsableMachineId(value) ? { source, value: value.trim() } : undefined;

/**
 * The most stable identifier the OS offers, or undefined. Linux reads two files directly (0.004 ms,
 * no process); macOS, Windows and FreeBSD ask their one tool; systeminformation is the last resort,
 * never used on Linux (it would spawn a shell to cat the same files).
 */
export async function collectMachineId(options: CollectOptions = {}): Promise<MachineId | undefined> {
  const platform = options.platform ?? process.platform;
  const readFile = options.readFile ?? defaultReadFile;
  const exec = options.exec ?? defaultExec;
  const env = options.env ?? process.env;

  if (platform === 'linux' || platform === 'android') {
    return usable('linux-machine-id', readFile('/etc/machine-id')) ?? usable('linux-dbus-machine-id', readFile('/var/lib/dbus/machine-id'));
  }

  let direct: MachineId | undefined;
  if (platform === 'darwin') {
    const out = exec('/usr/sbin/ioreg', ['-rd1', '-c', 'IOPlatformExpertDevice']);
    direct = usable('macos-platform-uuid', /"IOPlatformUUID"\s*=\s*"([^"]+)"/.exec(out ?? '')?.[1]);
  } else if (platform === 'win32') {
    // /reg:64 reads the 64-bit registry view even from a 32-bit Node, where MachineGuid would be missing.
    const reg = win32.join(env.SystemRoot ?? env.windir ?? 'C:\\Windows', 'System32', 'reg.exe');
    const out = exec(reg, ['query', 'HKLM\\SOFTWARE\\Microsoft\\Cryptography', '/v', 'MachineGuid', '/reg:64']);
    direct = usable('windows-machine-guid', /MachineGuid\s+REG_SZ\s+(\S+)/i.exec(out ?? '')?.[1]);
  } else if (platform === 'freebsd') {
    direct = usable('freebsd-hostuuid', exec('/sbin/sysctl', ['-n', 'kern.hostuuid'])) ?? usable('freebsd-hostuuid', readFile('/etc/hostid'));
  }
  if (direct || !SYSTEM_UUID_PLATFORMS.has(platform)) return direct;

  try {
    const uuid = await (options.systemUuid ?? defaultSystemUuid)();
    return usable(SYSTEM_UUID_OS_SOURCE[platform] ?? 'systeminformation-uuid', uuid?.os) ?? usable('systeminformation-uuid', uuid?.hardware);
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// The install id: a random id for machines without a usable OS id, kept beside the config file.

const INSTALL_ID_FILE = 'install-id';
const INSTALL_ID_PATTERN = /^[0-9a-f]{32}$/;
const installIdPath = (configDir: string): string => join(configDir, INSTALL_ID_FILE);

type InstallIdState = { state: 'missing' } | { state: 'ok'; id: string } | { state: 'bad'; reason: string };

const sleepSync = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

/**
 * Reads the install id file. An empty file is what another process's `wx` create looks like before
 * its write lands, so an empty file is re-read for a moment before it counts as broken.
 */
function inspectInstallId(configDir: string): InstallIdState {
  for (let attempt = 0; ; attempt++) {
    let text: string;
    try {
      // Never through a symbolic link, as for config.json: a planted link would choose the fingerprint.
      const fd = openSync(installIdPath(configDir), constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
      try {
        text = readFileSync(fd, 'utf8');
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'missing' };
      if ((error as NodeJS.ErrnoException).code === 'ELOOP') return { state: 'bad', reason: 'is a symbolic link' };
      return { state: 'bad', reason: `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
    }
    const id = text.trim();
    if (INSTALL_ID_PATTERN.test(id)) return { state: 'ok', id };
    if (id !== '' || attempt >= 40) return { state: 'bad', reason: id === '' ? 'is empty' : 'does not hold an install id' };
    sleepSync(25);
  }
}

function brokenInstallIdError(configDir: string, reason: string): Error {
  const file = installIdPath(configDir);
  return stateError(
    `${file} ${reason}; it is left untouched`,
    `That file keeps this machine's fingerprint stable. Restore it from a backup, or delete it to get a new fingerprint (and a new machine account), or set T0KEN_FINGERPRINT.`,
  );
}

/** The stored install id, or undefined when it is missing, unreadable or malformed. */
export function readInstallId(configDir: string): string | undefined {
  const found = inspectInstallId(configDir);
  return found.state === 'ok' ? found.id : undefined;
}

/**
 * Creates the install id (32 random hex, file mode 0600; the config dir 0700 when created here).
 * `wx` makes creation exclusive: when another process got there first, its id is returned.
 */
export function createInstallId(configDir: string): string {
  // makeDirectories reports the first directory it created; a directory the user made is left as it is.
  if (makeDirectories(configDir, 0o700) !== undefined) chmodSync(configDir, 0o700);
  const id = (lazyRequire('node:crypto') as typeof import('node:crypto')).randomBytes(16).toString('hex'); // node:crypto only here
  try {
    writeFileSync(installIdPath(configDir), `${id}\n`, { flag: 'wx', mode: 0o600 });
    return id;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const existing = inspectInstallId(configDir);
  if (existing.state === 'ok') return existing.id;
  throw brokenInstallIdError(configDir, existing.state === 'bad' ? existing.reason : 'vanished while being read');
}

/**
 * Everything the fingerprint is derived from. The install id is read only when no OS id is usable,
 * and created only when `createInstallIdIfMissing` (commands that only look pass false). A broken
 * install id file is a local state error (exit 7), never silently replaced.
 */
export async function collectFacts(options: CollectOptions & { configDir: string; createInstallIdIfMissing: boolean; guardConfigDir?: (create: boolean) => Promise<void> }): Promise<MachineFacts> {
  const platform = options.platform ?? process.platform;
  const readFile = options.readFile ?? defaultReadFile;
  const env = options.env ?? process.env;
  const linuxLike = platform === 'linux' || platform === 'android';
  const container = detectContainer(linuxLike ? readFile : () => undefined, env);
  const machineId = await collectMachineId({ ...options, platform, readFile, env });
  const facts: MachineFacts = { platform, container };

  if (machineId) {
    facts.machineId = machineId;
    // Heuristic: a container's /etc/machine-id (or dbus copy) is almost always the file baked into its
    // image at build time (Debian-based images ship one), shared by every container of that image.
    // It can be wrong (a bind-mounted host id, an entrypoint that regenerates it), so it only warns.
    facts.machineIdSharedWithImage =
      container.inContainer && (machineId.source === 'linux-machine-id' || machineId.source === 'linux-dbus-machine-id');
    return facts;
  }

  // The install id lives in the config directory: the store's checks first (never a relative path, a
  // directory others can write), its creation the store's too.
  await options.guardConfigDir?.(false);
  const found = inspectInstallId(options.configDir);
  if (found.state === 'bad') throw brokenInstallIdError(options.configDir, found.reason);
  if (found.state === 'ok') facts.installId = found.id;
  else if (options.createInstallIdIfMissing) {
    await options.guardConfigDir?.(true);
    facts.installId = createInstallId(options.configDir);
  }
  return facts;
}
