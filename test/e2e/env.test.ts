import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commandProbe, requirePart } from '../helpers/real-part.js';
import { run } from '../helpers/run.js';
import { useConfigDir } from '../helpers/sandbox.js';

const config = useConfigDir('shared');
const work = mkdtempSync(join(tmpdir(), 't0ken-env-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Values no naive quoting survives: quotes of both kinds, $, backticks, backslashes, spaces, newlines. */
const HOSTILE = `omx_a'b"c $HOME \`id\` \\n\\ x\n  second line\t$(echo no)!*?'`;
const MNEMOM = 'mnm_env_test_key_0123456789ab';
const env = (extra: Record<string, string> = {}) => ({ T0KEN_CONFIG_DIR: config.dir, T0KEN_API_KEY: HOSTILE, MNEMOM_API_KEY: MNEMOM, ...extra });

/** Runs a shell with the printed text on stdin and a clean environment (none of the variables set). */
function shell(program: string, script: string, input: string): string {
  const clean: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work };
  return execFileSync(program, ['-c', script], { input, env: clean, encoding: 'utf8' });
}
const READ_BACK = 'printf "%s|%s|%s" "$T0KEN_API_KEY" "$MEMORYX_API_KEY" "$MNEMOM_API_KEY"';
const expected = `${HOSTILE}|${HOSTILE}|${MNEMOM}`;

describe('env prints the variables so any value survives the shell', () => {
  it('sh format through bash: eval "$(t0ken env)"', async () => {
    const result = await run(['env'], { env: env() });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.startsWith("export T0KEN_API_KEY='omx_a'\\''b")).toBe(true);
    expect(shell('bash', `eval "$(cat)"; ${READ_BACK}`, result.stdout)).toBe(expected);
    expect(shell('sh', `eval "$(cat)"; ${READ_BACK}`, result.stdout)).toBe(expected);
  });

  it.runIf(requirePart('zsh', commandProbe('zsh')))('sh format through zsh', async () => {
    const result = await run(['env', '--format', 'sh'], { env: env() });
    expect(shell('zsh', `eval "$(cat)"; ${READ_BACK}`, result.stdout)).toBe(expected);
  });

  it.runIf(requirePart('fish', commandProbe('fish')))('fish format through fish: t0ken env --format fish | source', async () => {
    const result = await run(['env', '--format', 'fish'], { env: env() });
    expect(result.code, result.stderr).toBe(0);
    expect(shell('fish', `cat | source; ${READ_BACK}`, result.stdout)).toBe(expected);
  });

  it('json format (and --json) is one object', async () => {
    const json = await run(['env', '--format', 'json', '--only', 't0ken'], { env: env() });
    expect(JSON.parse(json.stdout)).toEqual({ T0KEN_API_KEY: HOSTILE, MEMORYX_API_KEY: HOSTILE });
    const flag = await run(['--json', 'env'], { env: env() });
    expect(JSON.parse(flag.stdout)).toEqual({ T0KEN_API_KEY: HOSTILE, MEMORYX_API_KEY: HOSTILE, MNEMOM_API_KEY: MNEMOM });
  });

  it('dotenv: plain values bare, others single-quoted and read back by node --env-file; a value it cannot carry is exit 2 with nothing printed', async () => {
    const tricky = 'omx_x $HOME "quoted" #hash';
    const result = await run(['env', '--format', 'dotenv', '--only', 't0ken'], { env: env({ T0KEN_API_KEY: tricky, T0KEN_API_URL: 'http://127.0.0.1:9/api/v1' }) });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`T0KEN_API_KEY='${tricky}'\nMEMORYX_API_KEY='${tricky}'\nMEMORYX_URL=http://127.0.0.1:9/api\n`);
    const file = join(work, '.env');
    writeFileSync(file, result.stdout);
    const read = execFileSync(process.execPath, [`--env-file=${file}`, '-e', 'process.stdout.write(process.env.T0KEN_API_KEY + "|" + process.env.MEMORYX_URL)'], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect(read).toBe(`${tricky}|http://127.0.0.1:9/api`);
    const refused = await run(['env', '--format', 'dotenv'], { env: env() });
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('cannot be written as dotenv');
  });

  it('nothing to hand over is exit 3; an unknown format or --only is exit 2', async () => {
    const none = await run(['env'], { env: { T0KEN_CONFIG_DIR: config.dir } });
    expect(none.code).toBe(3);
    expect(none.stdout).toBe('');
    expect((await run(['env', '--format', 'csh'], { env: env() })).code).toBe(2);
    expect((await run(['env', '--only', 'all'], { env: env() })).code).toBe(2);
  });
});
