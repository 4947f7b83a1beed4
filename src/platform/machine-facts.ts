import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { isUsableMachineId, type IdSource, type MachineFacts } from '../core/fingerprint.js';
import { detectContainer, type ReadFile } from './container.js';

export interface CollectOptions {
  platform?: NodeJS.Platform;
  readFile?: ReadFile;
  env?: NodeJS.ProcessEnv;
  /** Runs a command and returns its stdout, or undefined; injectable for tests. */
  exec?: (file: string, args: string[]) => string | undefined;
}

type MachineId = { source: IdSource; value: string };

const defaultReadFile: ReadFile = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

const defaultExec = (file: string, args: string[]): string | undefined => {
  try {
    return execFileSync(file, args, { encoding: 'utf8', timeout: 2_000, windowsHide: true, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
};

/**
 * The most stable identifier the OS offers. Linux reads files directly (no process); macOS, Windows
 * and FreeBSD ask their one tool; systeminformation is the last resort off Linux.
 */
export async function collectMachineId(options: CollectOptions = {}): Promise<MachineId | undefined> {
  const platform = options.platform ?? process.platform;
  const readFile = options.readFile ?? defaultReadFile;
  const exec = options.exec ?? defaultExec;
  const usable = (source: IdSource, value: string | undefined): MachineId | undefined =>
    value !== undefined && isUsableMachineId(value) ? { source, value: value.trim() } : undefined;

  if (platform === 'linux') {
    return usable('linux-machine-id', readFile('/etc/machine-id')) ?? usable('linux-dbus-machine-id', readFile('/var/lib/dbus/machine-id'));
  }
  let direct: MachineId | undefined;
  if (platform === 'darwin') {
    const out = exec('ioreg', ['-rd1', '-c', 'IOPlatformExpertDevice']);
    direct = usable('macos-platform-uuid', /"IOPlatformUUID"\s*=\s*"([^"]+)"/.exec(out ?? '')?.[1]);
  } else if (platform === 'win32') {
    const out = exec('reg', ['query', 'HKLM\\SOFTWARE\\Microsoft\\Cryptography', '/v', 'MachineGuid']);
    direct = usable('windows-machine-guid', /MachineGuid\s+REG_SZ\s+(\S+)/i.exec(out ?? '')?.[1]);
  } else if (platform === 'freebsd') {
    direct = usable('freebsd-hostuuid', exec('sysctl', ['-n', 'kern.hostuuid']) ?? readFile('/etc/hostid'));
  }
  if (direct) return direct;
  try {
    const si = await import('systeminformation');
    const uuid = await si.uuid();
    return usable('systeminformation-uuid', uuid.os || uuid.hardware);
  } catch {
    return undefined;
  }
}

const installIdPath = (configDir: string): string => join(configDir, 'install-id');

export function readInstallId(configDir: string): string | undefined {
  const value = defaultReadFile(installIdPath(configDir))?.trim();
  return value && /^[0-9a-f]{32}$/.test(value) ? value : undefined;
}

/** Creates the install id once (0600); a concurrent creator wins and its id is returned. */
export function createInstallId(configDir: string): string {
  if (!existsSync(configDir)) {
    mkdirSync(configDir, { recursive: true, mode: 0o700 });
    chmodSync(configDir, 0o700);
  }
  const id = randomBytes(16).toString('hex');
  try {
    writeFileSync(installIdPath(configDir), `${id}\n`, { flag: 'wx', mode: 0o600 });
    return id;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const existing = readInstallId(configDir);
    if (!existing) throw new Error(`${installIdPath(configDir)} exists but does not hold an install id`);
    return existing;
  }
}

export async function collectFacts(options: CollectOptions & { configDir: string; createInstallIdIfMissing: boolean }): Promise<MachineFacts> {
  const platform = options.platform ?? process.platform;
  const readFile = options.readFile ?? defaultReadFile;
  const env = options.env ?? process.env;
  const container = detectContainer(platform === 'linux' ? readFile : () => undefined, env);
  const machineId = await collectMachineId({ ...options, platform, readFile });
  const facts: MachineFacts = { platform, container };
  if (machineId) {
    facts.machineId = machineId;
    // Heuristic: inside a container, /etc/machine-id is almost always the one baked into the image.
    facts.machineIdSharedWithImage = container.inContainer && (machineId.source === 'linux-machine-id' || machineId.source === 'linux-dbus-machine-id');
    return facts;
  }
  const installId = readInstallId(options.configDir) ?? (options.createInstallIdIfMissing ? createInstallId(options.configDir) : undefined);
  if (installId) facts.installId = installId;
  return facts;
}
