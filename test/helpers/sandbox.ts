import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { startSandbox, type RawResponse, type RecordedRequest, type Sandbox, type SandboxOptions } from '../../src/sandbox/server.js';
import { tempConfigDir } from './cli.js';

/** The sandbox a file (or a describe block) runs against; useSandbox starts and stops it. */
export interface SandboxHandle {
  readonly url: string;
  readonly t0kenUrl: string;
  readonly mnemomUrl: string;
  readonly requests: RecordedRequest[];
  failNext(count: number, response: RawResponse): void;
  gatewayAgent(input: { hash_proof: string; name?: string; org_id?: string }): { status: number; body: Record<string, unknown> };
  /** T0KEN_CONFIG_DIR, T0KEN_API_URL and MNEMOM_API_URL for a CLI run against this sandbox, plus `extra`. */
  env(configDir: string, extra?: Record<string, string>): Record<string, string>;
}

/**
 * Starts a sandbox in beforeAll and closes it in afterAll of the enclosing scope (the file, or the
 * describe block it is called in). Read its URLs through the returned object inside hooks and tests.
 */
export function useSandbox(options: SandboxOptions = {}): SandboxHandle {
  let sandbox: Sandbox | undefined;
  beforeAll(async () => {
    sandbox = await startSandbox(options);
  });
  afterAll(async () => {
    await sandbox?.close();
    sandbox = undefined;
  });
  const running = (): Sandbox => {
    if (!sandbox) throw new Error('useSandbox: the sandbox runs only inside hooks and tests (after beforeAll)');
    return sandbox;
  };
  return {
    get url() { return running().url; },
    get t0kenUrl() { return running().t0kenUrl; },
    get mnemomUrl() { return running().mnemomUrl; },
    get requests() { return running().requests; },
    failNext: (count, response) => running().failNext(count, response),
    gatewayAgent: (input) => running().gatewayAgent(input),
    env: (configDir, extra = {}) => ({ T0KEN_CONFIG_DIR: configDir, T0KEN_API_URL: running().t0kenUrl, MNEMOM_API_URL: running().mnemomUrl, ...extra }),
  };
}

/**
 * A temporary config directory (tempConfigDir), removed by the hooks this registers.
 * 'each' (the default): a fresh one for every test (beforeEach/afterEach).
 * 'shared': one made now, shared by every test of the enclosing scope, removed in afterAll.
 */
export function useConfigDir(lifetime: 'each' | 'shared' = 'each', prefix?: string): { readonly dir: string } {
  if (lifetime === 'shared') {
    const config = tempConfigDir(prefix);
    afterAll(() => config.cleanup());
    return { dir: config.dir };
  }
  let config: { dir: string; cleanup: () => void } | undefined;
  beforeEach(() => {
    config = tempConfigDir(prefix);
  });
  afterEach(() => {
    config?.cleanup();
    config = undefined;
  });
  return {
    get dir() {
      if (!config) throw new Error('useConfigDir: a per-test config dir exists only inside a test (after beforeEach)');
      return config.dir;
    },
  };
}

/**
 * A fresh, empty project directory (the cwd an MCP client's ./.mcp.json lives in) and HOME for each
 * test, all under `root`, a temp dir removed after the file.
 */
export function useProjectAndHome(prefix: string): { readonly root: string; readonly project: string; readonly home: string } {
  const root = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  let dirs: { project: string; home: string } | undefined;
  beforeEach(() => {
    dirs = { project: join(root, `project-${n}`), home: join(root, `home-${n++}`) };
    mkdirSync(dirs.project);
    mkdirSync(dirs.home);
  });
  const current = () => {
    if (!dirs) throw new Error('useProjectAndHome: the directories exist only inside a test (after beforeEach)');
    return dirs;
  };
  return {
    root,
    get project() {
      return current().project;
    },
    get home() {
      return current().home;
    },
  };
}

/**
 * Starts a sandbox again on the port an earlier one left (a restart at the same URL). The port is
 * free again, but another process on this machine may hold it for a moment as the local end of an
 * outgoing connection (it is in the ephemeral range): tries again for up to 10 s rather than fail.
 */
export async function restartOnSamePort<T>(start: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt === 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
