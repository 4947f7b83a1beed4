import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { countCpuList, pythonProcessorFromUname, pythonSdkFingerprint, type PythonPlatformFacts } from '../../src/core/python-sdk-fingerprint.js';
import { pythonPlatformFacts } from '../../src/platform/python-platform.js';
import { commandProbe, requirePart } from '../helpers/real-part.js';

const hasPython = requirePart('python3', commandProbe('python3'));

/** python3 joining and hashing the same five values as the SDK's get_machine_fingerprint(). */
function pythonHash(facts: PythonPlatformFacts): string {
  const script = 'import hashlib, json, sys\nf = json.load(sys.stdin)\nprint(hashlib.sha256("|".join([f["hostname"], f["system"], f["machine"], f["processor"] or "unknown", str(f["cpuCount"] or 0)]).encode()).hexdigest()[:32])';
  return execFileSync('python3', ['-c', script], { input: JSON.stringify(facts), encoding: 'utf8' }).trim();
}

describe.runIf(hasPython)('the MemoryX Python SDK fingerprint', () => {
  it.each<PythonPlatformFacts>([
    { hostname: 'build-01', system: 'Linux', machine: 'x86_64', processor: '', cpuCount: 2 },
    { hostname: 'mäc-mini.local', system: 'Darwin', machine: 'arm64', processor: 'arm', cpuCount: 10 },
    { hostname: 'h', system: 'Linux', machine: 'aarch64', processor: 'aarch64', cpuCount: 0 },
  ])('hashes as Python does: %o', (facts) => {
    expect(pythonSdkFingerprint(facts)).toBe(pythonHash(facts));
  });

  it('this machine\'s facts are the ones Python reports', () => {
    const script = 'import json, os, platform, socket\nprint(json.dumps({"hostname": socket.gethostname(), "system": platform.system(), "machine": platform.machine(), "processor": platform.processor(), "cpuCount": os.cpu_count()}))';
    expect(pythonPlatformFacts()).toEqual(JSON.parse(execFileSync('python3', ['-c', script], { encoding: 'utf8' })));
  });
});

describe('the pieces Python computes differently from Node', () => {
  it('platform.processor(): uname -p stripped, "unknown" and no uname are blank', () => {
    expect(pythonProcessorFromUname('unknown\n')).toBe('');
    expect(pythonProcessorFromUname(undefined)).toBe('');
    expect(pythonProcessorFromUname('x86_64\n')).toBe('x86_64');
  });

  it('os.cpu_count(): the kernel\'s list of online CPUs, not the affinity', () => {
    expect(countCpuList('0-1\n')).toBe(2);
    expect(countCpuList('0-3,6,8-9')).toBe(7);
    expect(countCpuList('0')).toBe(1);
    expect(countCpuList('')).toBeUndefined();
    expect(countCpuList('3-1')).toBeUndefined();
    expect(countCpuList('a-b')).toBeUndefined();
  });
});
