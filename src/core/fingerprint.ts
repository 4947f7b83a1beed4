import { createHmac } from 'node:crypto';

/**
 * Machine fingerprint derivation: pure, no I/O.
 *
 * Following systemd's machine-id guidance, the raw OS id is confidential: only a keyed hash
 * (HMAC-SHA256 under t0ken's own application key) leaves this module, so the fingerprint cannot be
 * linked to the id other software sees, and the id cannot be recovered from it.
 *
 * The inputs are deliberately few: the OS machine id (or a random install id). Hostname, RAM, CPU,
 * MAC addresses and network state are not inputs at all, so changing them cannot move the result.
 */

export type IdSource =
  | 'env'
  | 'linux-machine-id'
  | 'linux-dbus-machine-id'
  | 'macos-platform-uuid'
  | 'windows-machine-guid'
  | 'freebsd-hostuuid'
  | 'systeminformation-uuid'
  | 'install-id';

export interface MachineFacts {
  platform: NodeJS.Platform;
  /** The raw OS id; absent when none is usable. Confidential: never printed, logged or sent. */
  machineId?: { source: IdSource; value: string };
  /** Random id kept in the config directory; used only when `machineId` is absent. */
  installId?: string;
  /** `kind` is e.g. 'docker', 'podman', 'kubernetes'; 'wsl' with `inContainer: false` (WSL is not a container). */
  container: { inContainer: boolean; kind?: string };
  /** In a container, the id looks baked into the image, so every clone of the image shares it. */
  machineIdSharedWithImage?: boolean;
}

export interface Fingerprint {
  fingerprint: string;
  source: IdSource;
  warnings: string[];
}

/** Fixed application key. Changing it (or the message layout below) moves every fingerprint: never change it. */
export const FINGERPRINT_APP_KEY = 't0ken.machine-fingerprint.v1.9f3c2a7e51b84d06';
const MESSAGE_PREFIX = 't0ken-fingerprint-v1';
const FINGERPRINT_PATTERN = /^fp_[0-9a-f]{32}$/;

/**
 * Placeholder ids that many machines share (firmware defaults). Hashing one would make all those
 * machines collide, so they are treated like no id at all. Compared after normalization.
 */
const KNOWN_PLACEHOLDER_IDS: ReadonlySet<string> = new Set([
  'uninitialized', // systemd's marker for "not generated yet" (first boot, image builds)
  '03000200040005000006000700080009', // SMBIOS UUID left at its default by many cheap boards
]);

/** Trim, lower-case, and drop dashes, braces and inner whitespace, so `{ABCD-…}` and `abcd…` are one id. */
export function normalizeMachineId(raw: string): string {
  return raw.trim().toLowerCase().replace(/[{}\-\s]/g, '');
}

/** False for missing, empty, whitespace-only, 'uninitialized', all-zero, all-'f' and known placeholder ids. */
export function isUsableMachineId(raw: string | undefined): boolean {
  if (raw === undefined) return false;
  const id = normalizeMachineId(raw);
  if (id === '' || KNOWN_PLACEHOLDER_IDS.has(id)) return false;
  if (/^0+$/.test(id) || /^f+$/.test(id)) return false;
  return true;
}

/**
 * Ids of one kind hash alike wherever they were read from: /var/lib/dbus/machine-id is the same id as
 * /etc/machine-id (usually a symlink or copy), so losing one file must not move the fingerprint.
 */
function sourceClass(source: IdSource): string {
  return source === 'linux-dbus-machine-id' ? 'linux-machine-id' : source;
}

function keyedHash(sourceKind: string, normalizedId: string): string {
  const digest = createHmac('sha256', FINGERPRINT_APP_KEY).update(`${MESSAGE_PREFIX}:${sourceKind}:${normalizedId}`).digest('hex');
  return `fp_${digest.slice(0, 32)}`;
}

function containerName(kind: string | undefined): string {
  return kind ? `a ${kind} container` : 'a container';
}

export function deriveFingerprint(facts: MachineFacts): Fingerprint {
  const warnings: string[] = [];
  const { container } = facts;

  if (facts.machineId && isUsableMachineId(facts.machineId.value)) {
    const { source, value } = facts.machineId;
    if (container.inContainer && facts.machineIdSharedWithImage) {
      warnings.push(
        `running in ${containerName(container.kind)} whose machine id appears to come from its image: every container made from that image gets the same fingerprint, so they would collide as one machine account; set T0KEN_FINGERPRINT to a distinct fp_ value per instance`,
      );
    }
    if (container.kind === 'wsl') {
      warnings.push('running under WSL, where the Linux machine id may change when WSL restarts, which would move this fingerprint; set T0KEN_FINGERPRINT to keep one');
    }
    return { fingerprint: keyedHash(sourceClass(source), normalizeMachineId(value)), source, warnings };
  }

  if (facts.installId !== undefined && isUsableMachineId(facts.installId)) {
    warnings.push('no OS machine id found; using a random install id stored in the config directory');
    if (container.inContainer) {
      warnings.push(
        `running in ${containerName(container.kind)}: the install id lives in the config directory and is lost when the container's filesystem is discarded (a new fingerprint, a new machine account); keep the config directory on a volume or set T0KEN_FINGERPRINT`,
      );
    }
    return { fingerprint: keyedHash('install-id', normalizeMachineId(facts.installId)), source: 'install-id', warnings };
  }

  throw new Error('this machine has no usable OS machine id and no install id yet');
}

export function isValidFingerprint(value: string): boolean {
  return FINGERPRINT_PATTERN.test(value);
}

/** T0KEN_FINGERPRINT: taken exactly as given when well formed; otherwise an Error saying what is wrong. */
export function fingerprintOverride(value: string): Fingerprint {
  if (isValidFingerprint(value)) return { fingerprint: value, source: 'env', warnings: [] };
  const expected = 'expected fp_ followed by 32 lowercase hex characters (35 in all), as `t0ken fingerprint` prints';
  let problem: string;
  if (value.trim() !== value) problem = 'it has leading or trailing whitespace';
  else if (isValidFingerprint(value.toLowerCase())) problem = 'it has upper-case letters';
  else if (!value.startsWith('fp_')) problem = 'it does not start with fp_';
  else if (value.length !== 35) problem = `it is ${value.length} characters long`;
  else problem = 'it has characters other than 0-9 and a-f after fp_';
  throw new Error(`${expected}; ${problem}`);
}
