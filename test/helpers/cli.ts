import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/t0ken.js', import.meta.url));

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  input?: string;          // written to stdin, then stdin is closed
  timeoutMs?: number;      // kill after this long (default 20 s)
  cwd?: string;            // the working directory (default: the test's)
  wrap?: string[];         // a command that runs node (e.g. strace and its options)
}

/**
 * Spawns the built binary as a user would: no TTY, a clean environment (no CI, no proxies, no
 * inherited T0KEN_/MNEMOM_ variables, no D-Bus session, T0KEN_CREDENTIAL_STORE=file) plus `env`.
 */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const env = cleanEnv(options.env);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const [command, ...argv] = [...(options.wrap ?? []), process.execPath, BIN, ...args];
    const child = spawn(command!, argv, { env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
    child.stdin.on('error', () => {}); // the CLI may exit before reading stdin
    child.stdin.end(options.input ?? '');
  });
}

/**
 * The environment a test runs the CLI in: this process's, without CI, proxies, a D-Bus session or
 * any T0KEN_/MNEMOM_ variable, with T0KEN_CREDENTIAL_STORE=file, then `extra` (undefined removes).
 */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (/^(T0KEN_|MNEMOM_|CI$|NO_COLOR$|FORCE_COLOR$|HTTPS?_PROXY$|NO_PROXY$|DBUS_SESSION_BUS_ADDRESS$)/i.test(key)) continue;
    env[key] = value;
  }
  // Ordinary tests never touch the keychain of the user running them: secrets go to the test's
  // config file. The keychain tests (test/e2e/keychain.test.ts) bring their own D-Bus and keyring.
  env.T0KEN_CREDENTIAL_STORE = 'file';
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** A fresh config directory; call the returned cleanup in afterEach/afterAll. */
export function tempConfigDir(prefix = 't0ken-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir: join(dir, 'config'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** With --json, stderr is JSON lines (warnings, then the error): the error is the last one. */
export function jsonError(stderr: string): { code: string; message: string; status?: number; hint?: string } {
  const lines = stderr.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!).error;
}
