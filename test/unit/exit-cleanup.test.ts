import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { afterAll, expect, it } from 'vitest';

// Signals are process-wide, so each case runs in a child process: a small script around
// src/platform/fs/exit-cleanup.ts, bundled here with esbuild.
const work = mkdtempSync(join(tmpdir(), 't0ken-exit-cleanup-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const module = fileURLToPath(new URL('../../src/platform/fs/exit-cleanup.ts', import.meta.url));

function run(name: string, body: string): ReturnType<typeof spawnSync> {
  const entry = join(work, `${name}.ts`);
  writeFileSync(entry, `import { cleanupOnExit } from ${JSON.stringify(module)};\n${body}`);
  const outfile = join(work, `${name}.cjs`);
  buildSync({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'cjs', logLevel: 'silent' });
  return spawnSync(process.execPath, [outfile], { encoding: 'utf8', timeout: 10_000 });
}

it('a SIGTERM that arrives during a write is not lost when the write ends before Node dispatches it', () => {
  // The signal is caught while the cleanup is pending and dispatched on the next turn of the event
  // loop, after the write (synchronous) has finished: the process must still die of it.
  const result = run('late-dispatch', `
const forget = cleanupOnExit(() => {});
process.kill(process.pid, 'SIGTERM');
forget();
setTimeout(() => process.stdout.write('survived'), 500);
`);
  expect(result.stdout).toBe('');
  expect(result.signal).toBe('SIGTERM');
});

it('a SIGTERM while a cleanup is pending runs it, then the process dies of the signal', () => {
  const marker = join(work, 'pending-file');
  writeFileSync(marker, 'secret');
  const result = run('pending', `
import { unlinkSync } from 'node:fs';
cleanupOnExit(() => unlinkSync(${JSON.stringify(marker)}));
process.kill(process.pid, 'SIGTERM');
setTimeout(() => process.stdout.write('survived'), 500);
`);
  expect(result.signal).toBe('SIGTERM');
  expect(result.stdout).toBe('');
  expect(existsSync(marker)).toBe(false);
});

it('with another SIGTERM listener (exec forwarding to its child), the signal is left to it', () => {
  const result = run('other-listener', `
process.on('SIGTERM', () => { process.stdout.write('handled'); process.exit(0); });
const forget = cleanupOnExit(() => {});
forget();
process.kill(process.pid, 'SIGTERM');
setTimeout(() => process.stdout.write('ignored'), 500);
`);
  expect(result.status).toBe(0);
  expect(result.stdout).toBe('handled');
});
