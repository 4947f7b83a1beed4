/** Container (and WSL) detection from files and environment; reads only, spawns nothing. */

export type ReadFile = (path: string) => string | undefined;

export interface ContainerInfo {
  inContainer: boolean;
  kind?: string;
}

export function detectContainer(readFile: ReadFile, env: NodeJS.ProcessEnv): ContainerInfo {
  if (readFile('/.dockerenv') !== undefined) return { inContainer: true, kind: 'docker' };
  if (readFile('/run/.containerenv') !== undefined) return { inContainer: true, kind: 'podman' };
  if (env.KUBERNETES_SERVICE_HOST) return { inContainer: true, kind: 'kubernetes' };
  if (env.container) return { inContainer: true, kind: env.container };
  const cgroup = readFile('/proc/1/cgroup') ?? '';
  const match = /(docker|kubepods|containerd|lxc|libpod)/.exec(cgroup);
  if (match) return { inContainer: true, kind: match[1] === 'kubepods' ? 'kubernetes' : match[1] };
  const osRelease = readFile('/proc/sys/kernel/osrelease') ?? '';
  if (/microsoft/i.test(osRelease)) return { inContainer: false, kind: 'wsl' };
  return { inContainer: false };
}
