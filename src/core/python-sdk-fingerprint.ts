// The MemoryX Python SDK's machine fingerprint, computed as its APIClient.get_machine_fingerprint()
// does: sha256("|".join([socket.gethostname(), platform.system(), platform.machine(),
// platform.processor() or "unknown", str(os.cpu_count() or 0)])).hexdigest()[:32]. Pure: the facts
// are gathered in src/platform/python-platform.ts. connect_memory() reuses ~/.memoryx/config.json
// only when its machine_fingerprint equals this value, so it must match Python's to the bit.
import { sha256, toHex } from './sha256.js';

/** What Python would see on this machine, each as the SDK reads it. */
export interface PythonPlatformFacts {
  /** socket.gethostname(): gethostname(2), the same as uname's nodename. */
  hostname: string;
  /** platform.system(): uname's sysname (Linux, Darwin), or Windows. */
  system: string;
  /** platform.machine(): uname's machine (x86_64, aarch64, arm64), or Windows' architecture. */
  machine: string;
  /** platform.processor(): '' when unknown (the SDK then writes "unknown"). */
  processor: string;
  /** os.cpu_count(): the CPUs online, not the ones this process may use; 0 when unknown. */
  cpuCount: number;
}

export function pythonSdkFingerprint(facts: PythonPlatformFacts): string {
  const raw = [facts.hostname, facts.system, facts.machine, facts.processor || 'unknown', String(facts.cpuCount || 0)].join('|');
  return toHex(sha256(new TextEncoder().encode(raw))).slice(0, 32);
}

/**
 * platform.processor() off Windows: the output of `uname -p`, stripped, with "unknown" (what GNU
 * uname prints on most Linux distributions) read as '' (CPython's _unknown_as_blank); '' when uname
 * could not run.
 */
export function pythonProcessorFromUname(output: string | undefined): string {
  const value = (output ?? '').trim();
  return value === 'unknown' ? '' : value;
}

/**
 * The number of CPUs in a kernel CPU list (`/sys/devices/system/cpu/online`: "0-3,6,8-9"), which
 * is what glibc's sysconf(_SC_NPROCESSORS_ONLN), and so Python's os.cpu_count(), counts on Linux.
 * Undefined for text that is not such a list.
 */
export function countCpuList(text: string): number | undefined {
  const list = text.trim();
  if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(list)) return undefined;
  let count = 0;
  for (const part of list.split(',')) {
    const [first, last] = part.split('-').map(Number) as [number, number | undefined];
    if (last !== undefined && last < first) return undefined;
    count += last === undefined ? 1 : last - first + 1;
  }
  return count;
}

/** A fingerprint as the SDK writes it: 32 lowercase hex characters. */
export const PYTHON_SDK_FINGERPRINT = /^[0-9a-f]{32}$/;
