import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import Module from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

/**
 * The CLI is compiled from a cache on every Node line, not only on the one that built dist/:
 * Node >= 22 through its compile cache (bin/t0ken.js enables it, kept per Node version in the temp
 * directory), Node 20 from the V8 code cache the build leaves beside dist/cli.cjs.
 */
const MAJOR = Number(process.versions.node.split('.')[0]);
const cli = fileURLToPath(new URL('../../dist/cli.cjs', import.meta.url));
const temp = mkdtempSync(join(tmpdir(), 't0ken-compile-cache-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe(`compiling the CLI from a cache on Node ${process.versions.node}`, () => {
  it.runIf(MAJOR >= 22)('the compile cache is written by the first run and accepted by the next', async () => {
    const env = { TMPDIR: temp, NODE_DEBUG_NATIVE: 'COMPILE_CACHE', T0KEN_API_KEY: 'omx_agent_compileCacheKey0001', T0KEN_CONFIG_DIR: join(temp, 'config') };
    const first = await runCli(['token'], { env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain(join(temp, 'node-compile-cache')); // Node's own default place, found without node:os
    const second = await runCli(['token'], { env });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(new RegExp(`cache for (CommonJS )?${cli.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} was accepted`));
  });

  it.runIf(MAJOR < 22)('the build\'s V8 code cache fits this Node', () => {
    const source = readFileSync(cli, 'utf8');
    const script = new vm.Script((Module as unknown as { wrap(code: string): string }).wrap(source), { filename: cli, cachedData: readFileSync(cli.replace(/\.cjs$/, '.v8cache')) });
    expect(script.cachedDataRejected).toBe(false);
  });
});
