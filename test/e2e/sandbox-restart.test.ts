// A sandbox restarted without --state has forgotten the accounts it issued: what t0ken says then is
// what is true for a sandbox (register again), not "needs t0ken support". whoami shows one fingerprint.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { run } from '../helpers/run.js';
import { restartOnSamePort } from '../helpers/sandbox.js';

let dir: string;
const sandboxes: Sandbox[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 't0ken-restart-'));
});
afterEach(async () => {
  for (const s of sandboxes.splice(0)) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

async function sandboxOn(port?: number): Promise<Sandbox> {
  const s = await startSandbox(port === undefined ? {} : { port });
  sandboxes.push(s);
  return s;
}

it('after a restart, stats says to register again with the sandbox, and register --force does it', async () => {
  const first = await sandboxOn();
  const env = { T0KEN_CONFIG_DIR: dir, T0KEN_API_URL: first.t0kenUrl };
  expect((await run(['register', '-q'], { env })).code).toBe(0);
  await first.close();
  await restartOnSamePort(() => sandboxOn(Number(new URL(first.url).port))); // the same URL, a new world

  const stats = await run(['stats'], { env });
  expect(stats.code).toBe(3);
  expect(stats.stderr).toContain('`t0ken register --force`');
  expect(stats.stderr).toMatch(/restarted without --state/);
  expect(stats.stderr).not.toMatch(/t0ken support/);
  const whoami = await run(['whoami'], { env });
  expect(whoami.stdout).toMatch(/^api +http:\/\/127\.0\.0\.1:\d+\/api\/v1 \(on this machine: what follows is what t0ken stored; a sandbox restarted without --state has forgotten it\)$/m);

  expect((await run(['register', '--force', '-q'], { env })).code).toBe(0);
  expect((await run(['stats', '-q'], { env })).code).toBe(0);
});

it('a real API keeps its own advice (the same key comes back; support for a key no longer accepted)', async () => {
  const { authHintFor } = await import('../../src/api/t0ken.js');
  expect(authHintFor('https://t0ken.ai/api/v1')).toMatch(/needs t0ken support/);
  expect(authHintFor('http://127.0.0.1:9/api/v1')).toMatch(/register --force/);
});

it('whoami shows one fingerprint, the service\'s name for this machine, while this machine still matches', async () => {
  const s = await sandboxOn();
  const env = { T0KEN_CONFIG_DIR: dir, T0KEN_API_URL: s.t0kenUrl };
  expect((await run(['register', '-q'], { env })).code).toBe(0);
  const local = JSON.parse((await run(['fingerprint', '--json'], { env })).stdout) as { fingerprint: string };
  const whoami = await run(['whoami'], { env });
  expect(whoami.stdout.match(/fp_[0-9a-f]{32}/g)).toHaveLength(1);
  expect(whoami.stdout).not.toContain(local.fingerprint); // the sandbox named the machine itself
  const json = JSON.parse((await run(['whoami', '--json'], { env })).stdout) as Record<string, unknown>;
  expect(json.local_fingerprint).toBe(local.fingerprint);
  expect(json.fingerprint_matches).toBe(true);
});
