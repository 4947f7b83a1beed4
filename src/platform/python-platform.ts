import { readFileSync } from 'node:fs';
import { countCpuList, pythonProcessorFromUname, type PythonPlatformFacts } from '../core/python-sdk-fingerprint.js';
import { lazyRequire } from './lazy-require.js';

// Loaded only by the commands that ask (the bundle would otherwise load them for every command).
const os = (): typeof import('node:os') => lazyRequire('node:os') as typeof import('node:os');

/**
 * What Python's socket and platform modules would report on this machine (see
 * core/python-sdk-fingerprint.ts for how the MemoryX Python SDK combines them). Only `link`,
 * `whoami --all` and `claim --fingerprint` ask, so loading child_process here costs no other command.
 */
export function pythonPlatformFacts(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): PythonPlatformFacts {
  const { cpus, hostname, machine, type } = os();
  if (platform === 'win32') {
    // CPython on Windows: system "Windows", machine and processor from these variables.
    const arch = env.PROCESSOR_ARCHITEW6432 || env.PROCESSOR_ARCHITECTURE || machine();
    return { hostname: hostname(), system: 'Windows', machine: arch, processor: env.PROCESSOR_IDENTIFIER || arch, cpuCount: cpus().length };
  }
  return { hostname: hostname(), system: type(), machine: machine(), processor: pythonProcessorFromUname(unameP(env)), cpuCount: onlineCpus(platform) };
}

/** `uname -p` as CPython's platform._Processor.from_subprocess runs it: PATH lookup, stderr ignored. */
function unameP(env: NodeJS.ProcessEnv): string | undefined {
  try {
    const { execFileSync } = lazyRequire('node:child_process') as typeof import('node:child_process');
    return execFileSync('uname', ['-p'], { encoding: 'utf8', env, timeout: 5_000, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
}

/**
 * os.cpu_count() is sysconf(_SC_NPROCESSORS_ONLN): glibc reads the kernel's list of online CPUs,
 * whatever this process's affinity (nproc and os.availableParallelism() count that instead).
 * Elsewhere libuv's count of CPUs is the same number.
 */
function onlineCpus(platform: NodeJS.Platform): number {
  if (platform === 'linux') {
    try {
      const count = countCpuList(readFileSync('/sys/devices/system/cpu/online', 'utf8'));
      if (count !== undefined) return count;
    } catch {
      // no sysfs (some containers): libuv reads /proc/stat, as glibc then does
    }
  }
  return os().cpus().length;
}
