import { hmacSha256, sha256 } from './sha256.js';

/**
 * Machine fingerprint derivation: pure, no I/O.
 *
 * The fingerprint is systemd's application-specific machine id for t0ken's application id
 * (`sd_id128_get_machine_app_specific`): HMAC-SHA256 keyed by the 16 bytes of the machine id over
 * the 16 bytes of the application id, its first 16 bytes, with the UUID v4 version and variant bits
 * set. So `systemd-id128 machine-id --app-specific=<FINGERPRINT_APP_ID>` prints the same 32 hex, and
 * any program (an SDK, an MCP server) can reproduce it without t0ken. Other platforms apply the same
 * derivation to their own 128-bit id (IOPlatformUUID, MachineGuid, kern.hostuuid, the install id).
 * As systemd's guidance asks, the raw id stays confidential: only the keyed hash leaves this module,
 * it cannot be linked to what other applications derive, and the id cannot be recovered from it.
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

/** t0ken's fixed application id (128 bits, as `systemd-id128 new` makes them). Changing it moves every fingerprint: never change it. */
export const FINGERPRINT_APP_ID = 'b3d3dcb4eb1043e49cff7917e3d99610';
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
 * `sd_id128_get_app_specific(base, app_id)`: HMAC-SHA256(key = base, message = app_id), first 16
 * bytes, then the UUID v4 bits (byte 6 = 0x4_, byte 8 = 0b10______), exactly as systemd does.
 */
export function appSpecificId(base: Buffer, appId: Buffer): string {
  if (base.length !== 16 || appId.length !== 16) throw new Error('both ids must be 16 bytes');
  const id = Buffer.from(hmacSha256(base, appId).subarray(0, 16));
  id[6] = (id[6]! & 0x0f) | 0x40;
  id[8] = (id[8]! & 0x3f) | 0x80;
  return id.toString('hex');
}

/**
 * The 16 bytes of a normalized id: 32 hex digits are the id itself (every id t0ken reads is one:
 * machine-id, UUIDs, MachineGuid, the install id). Anything else (a firmware id of another length)
 * is first reduced to 128 bits with SHA-256, so it still yields a well-formed fingerprint.
 */
export function idBytes(normalizedId: string): Buffer {
  if (/^[0-9a-f]{32}$/.test(normalizedId)) return Buffer.from(normalizedId, 'hex');
  return Buffer.from(sha256(Buffer.from(normalizedId, 'utf8')).subarray(0, 16));
}

function keyedHash(normalizedId: string): string {
  return `fp_${appSpecificId(idBytes(normalizedId), Buffer.from(FINGERPRINT_APP_ID, 'hex'))}`;
}

/**
 * How to give a copy a fingerprint of its own that stays: made once (`fingerprint --new`), then kept
 * in its environment. A recipe run at each start (`$(openssl rand …)`) would be a new machine each time.
 */
export const FINGERPRINT_RECIPE = 'its own T0KEN_FINGERPRINT, made once (`t0ken fingerprint --new`) and kept in its environment';

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
        `in ${containerName(container.kind)} using its image's machine id: copies get the same fingerprint; give each ${FINGERPRINT_RECIPE}`,
      );
    }
    if (container.kind === 'wsl') {
      warnings.push(`under WSL the machine id may change when WSL restarts: to keep one fingerprint, give it ${FINGERPRINT_RECIPE}`);
    }
    return { fingerprint: keyedHash(normalizeMachineId(value)), source, warnings };
  }

  if (facts.installId !== undefined && isUsableMachineId(facts.installId)) {
    warnings.push('no OS machine id found; using a random install id stored in the config directory');
    if (container.inContainer) {
      warnings.push(
        `in ${containerName(container.kind)}, the install id in the config directory is lost with its filesystem: keep that directory on a volume, or give it ${FINGERPRINT_RECIPE}`,
      );
    }
    return { fingerprint: keyedHash(normalizeMachineId(facts.installId)), source: 'install-id', warnings };
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
