import { execFileSync } from 'node:child_process';

/**
 * Tests that need a real part of the user's world (gnome-keyring over D-Bus, tinyproxy, openssl,
 * systemd-id128, a non-root user, a tmpfs) ask for it here. On a developer's machine a missing part
 * skips those tests with a printed reason; in CI (CI=true) it fails the file: a skip there would hide
 * a missing install step in .ci/run.
 */
export function requirePart(name: string, probe: () => string | undefined): boolean {
  const missing = probe();
  if (missing === undefined) return true;
  if (inCI()) throw new Error(`${name} is required in CI but ${missing}; .ci/run must install it`);
  console.warn(`skipping the ${name} tests: ${missing}`);
  return false;
}

export function inCI(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/** A probe for `requirePart`: undefined when `command` runs, else why not. */
export function commandProbe(command: string, args: readonly string[] = ['--version']): () => string | undefined {
  return () => {
    try {
      execFileSync(command, args, { stdio: 'ignore', timeout: 10_000 });
      return undefined;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return code === 'ENOENT' ? `${command} is not installed` : `${command} ${args.join(' ')} failed (${code ?? (error as Error).message})`;
    }
  };
}

/** A probe that needs root (to make a tmpfs, to drop to another uid). */
export const rootProbe = (): string | undefined => (process.getuid?.() === 0 ? undefined : 'the tests are not running as root');
