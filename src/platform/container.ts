/**
 * Container (and WSL) detection from files and environment variables. Reads only, spawns nothing.
 * Every signal here is a heuristic: a container can hide all of them, and none of them is proof.
 * The result only decides which warnings `t0ken fingerprint --explain` gives; it is never an input
 * to the fingerprint itself.
 */

/** Returns the file's text, or undefined when it is missing or unreadable. */
export type ReadFile = (path: string) => string | undefined;

export interface ContainerInfo {
  inContainer: boolean;
  /** 'docker', 'podman', 'kubernetes', 'containerd', 'lxc', the `container` variable's value, or 'wsl' (not a container). */
  kind?: string;
}

/** The `container` variable (systemd-nspawn, podman, lxc set it) is free text: keep it only when it looks like a name. */
function kindFromEnv(value: string): string {
  return /^[a-z0-9][a-z0-9._-]{0,31}$/i.test(value) ? value.toLowerCase() : 'unknown';
}

/**
 * With cgroup v2, /proc/1/cgroup is just `0::/` inside Docker, so look at what is bind-mounted over
 * /etc/hostname, /etc/hosts and /etc/resolv.conf: engines mount them from their per-container state.
 * (On a host nothing is mounted there, so this does not fire for the machine that runs the engine.)
 */
function kindFromMountinfo(mountinfo: string): string | undefined {
  for (const line of mountinfo.split('\n')) {
    const fields = line.split(' ');
    const root = fields[3];
    const mountPoint = fields[4];
    if (root === undefined || (mountPoint !== '/etc/hostname' && mountPoint !== '/etc/hosts' && mountPoint !== '/etc/resolv.conf')) continue;
    if (root.includes('/docker/containers/')) return 'docker';
    if (root.includes('/containers/storage/') || root.includes('/libpod')) return 'podman';
    if (root.includes('/kubelet/pods/')) return 'kubernetes';
    if (root.includes('/containerd/')) return 'containerd';
  }
  return undefined;
}

export function detectContainer(readFile: ReadFile, env: NodeJS.ProcessEnv): ContainerInfo {
  // Most specific first: a Kubernetes pod may also carry /.dockerenv from a Docker runtime.
  if (env.KUBERNETES_SERVICE_HOST) return { inContainer: true, kind: 'kubernetes' };
  if (readFile('/run/.containerenv') !== undefined) return { inContainer: true, kind: 'podman' };
  if (readFile('/.dockerenv') !== undefined) return { inContainer: true, kind: 'docker' };
  if (env.container) return { inContainer: true, kind: kindFromEnv(env.container) };
  const cgroup = /(docker|kubepods|containerd|lxc|libpod)/.exec(readFile('/proc/1/cgroup') ?? '');
  if (cgroup?.[1]) {
    const kind = cgroup[1] === 'kubepods' ? 'kubernetes' : cgroup[1] === 'libpod' ? 'podman' : cgroup[1];
    return { inContainer: true, kind };
  }
  const mounted = kindFromMountinfo(readFile('/proc/self/mountinfo') ?? '');
  if (mounted) return { inContainer: true, kind: mounted };
  // WSL is a VM, not a container; noted because its machine id may not survive a restart.
  if (/microsoft/i.test(readFile('/proc/sys/kernel/osrelease') ?? '')) return { inContainer: false, kind: 'wsl' };
  return { inContainer: false };
}
