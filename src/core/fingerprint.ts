import { createHmac } from 'node:crypto';

/**
 * Machine fingerprint derivation: pure, no I/O. Following systemd's machine-id guidance, the raw
 * OS id is confidential: only a keyed hash (HMAC-SHA256 under t0ken's application key) leaves here.
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
  machineId?: { source: IdSource; value: string };
  installId?: string;
  container: { inContainer: boolean; kind?: string };
  machineIdSharedWithImage?: boolean;
}

export interface Fingerprint {
  fingerprint: string;
  source: IdSource;
  warnings: string[];
}

/** Fixed application key: changing it moves every fingerprint, so it never changes. */
export const FINGERPRINT_APP_KEY = 't0ken.machine-fingerprint.v1.9f3c2a7e51b84d06';
const FINGERPRINT_PATTERN = /^fp_[0-9a-f]{32}$/;

export function isUsableMachineId(raw: string | undefined): boolean {
  if (raw === undefined) return false;
  const id = normalizeMachineId(raw);
  if (id === '' || id === 'uninitialized') return false;
  if (/^0+$/.test(id) || /^f+$/.test(id)) return false;
  return true;
}

export function normalizeMachineId(raw: string): string {
  return raw.trim().toLowerCase().replace(/[{}\-\s]/g, '');
}

/** Ids of one kind hash alike wherever they were read from (machine-id and its dbus copy agree). */
function sourceClass(source: IdSource): string {
  switch (source) {
    case 'linux-machine-id':
    case 'linux-dbus-machine-id':
      return 'linux-machine-id';
    case 'install-id':
      return 'install-id';
    default:
      return source;
  }
}

function keyedHash(sourceKind: string, id: string): string {
  const digest = createHmac('sha256', FINGERPRINT_APP_KEY).update(`t0ken-fingerprint-v1:${sourceKind}:${id}`).digest('hex');
  return `fp_${digest.slice(0, 32)}`;
}

export function deriveFingerprint(facts: MachineFacts): Fingerprint {
  const warnings: string[] = [];
  const { container } = facts;
  if (facts.machineId && isUsableMachineId(facts.machineId.value)) {
    const { source, value } = facts.machineId;
    if (container.inContainer && facts.machineIdSharedWithImage) {
      warnings.push(
        `running in a container (${container.kind ?? 'unknown'}) whose machine id comes from its image: every clone of the image has the same fingerprint and would share one account; set T0KEN_FINGERPRINT per instance to tell them apart`,
      );
    }
    if (container.kind === 'wsl') {
      warnings.push('WSL may give this machine a new machine id after a restart; set T0KEN_FINGERPRINT if the fingerprint moves');
    }
    return { fingerprint: keyedHash(sourceClass(source), normalizeMachineId(value)), source, warnings };
  }
  if (facts.installId && isUsableMachineId(facts.installId)) {
    warnings.push('no OS machine id found; using a random install id stored in the config directory');
    if (container.inContainer) {
      warnings.push(
        `running in a container (${container.kind ?? 'unknown'}): the install id lives in the config directory and is lost with the container's filesystem; mount the config directory or set T0KEN_FINGERPRINT`,
      );
    }
    return { fingerprint: keyedHash('install-id', normalizeMachineId(facts.installId)), source: 'install-id', warnings };
  }
  throw new Error('this machine has no usable machine id and no install id yet');
}

export function isValidFingerprint(value: string): boolean {
  return FINGERPRINT_PATTERN.test(value);
}

export function fingerprintOverride(value: string): Fingerprint {
  if (!isValidFingerprint(value)) {
    throw new Error('expected fp_ followed by 32 lowercase hex characters');
  }
  return { fingerprint: value, source: 'env', warnings: [] };
}
