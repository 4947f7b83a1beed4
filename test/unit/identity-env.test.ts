import { describe, expect, it } from 'vitest';
import { collectManifest } from '../../src/commands/manifest.js';
import { argvView } from '../../src/core/command-spec.js';
import { parseExecArgv as parseWith } from '../../src/core/exec-argv.js';
import { childEnvironment, dotenvValue, formatVariables, identityVariables, memoryxUrl } from '../../src/core/identity-env.js';
import { fishQuote, shQuote } from '../../src/core/quote.js';
import { DEFAULT_T0KEN_API_URL } from '../../src/core/url.js';

describe('identityVariables', () => {
  const records = { t0ken: { apiKey: 'omx_agent_k', baseUrl: DEFAULT_T0KEN_API_URL }, mnemom: { apiKey: 'mnm_k' } };
  it('the default API: no MEMORYX_URL', () => {
    expect(identityVariables(records, DEFAULT_T0KEN_API_URL)).toEqual({ T0KEN_API_KEY: 'omx_agent_k', MEMORYX_API_KEY: 'omx_agent_k', MNEMOM_API_KEY: 'mnm_k' });
  });
  it('another API: MEMORYX_URL is the URL without its final /v1', () => {
    const vars = identityVariables({ t0ken: { apiKey: 'k', baseUrl: 'https://staging.t0ken.ai/api/v1' } }, DEFAULT_T0KEN_API_URL);
    expect(vars.MEMORYX_URL).toBe('https://staging.t0ken.ai/api');
    expect(memoryxUrl('https://host/v1')).toBe('https://host');
    expect(memoryxUrl('https://host/api/v2')).toBe('https://host/api/v2');
  });
  it('--only limits the set; nothing stored is an empty set', () => {
    expect(Object.keys(identityVariables(records, DEFAULT_T0KEN_API_URL, 'mnemom'))).toEqual(['MNEMOM_API_KEY']);
    expect(Object.keys(identityVariables(records, DEFAULT_T0KEN_API_URL, 't0ken'))).toEqual(['T0KEN_API_KEY', 'MEMORYX_API_KEY']);
    expect(identityVariables({}, DEFAULT_T0KEN_API_URL)).toEqual({});
  });
  it('the child environment is a copy plus the identity and T0KEN_EXEC=1', () => {
    const parent = { PATH: '/bin', T0KEN_API_KEY: 'old', GONE: undefined };
    expect(childEnvironment(parent, { T0KEN_API_KEY: 'new' })).toEqual({ PATH: '/bin', T0KEN_API_KEY: 'new', T0KEN_EXEC: '1' });
    expect(parent.T0KEN_API_KEY).toBe('old');
  });
});

describe('quoting', () => {
  it('sh and fish quotes', () => {
    expect(shQuote(`a'b`)).toBe(`'a'\\''b'`);
    expect(fishQuote(`a'b\\c`)).toBe(`'a\\'b\\\\c'`);
    expect(formatVariables({ A: '$x' }, 'sh')).toBe(`export A='$x'\n`);
    expect(formatVariables({ A: '$x' }, 'fish')).toBe(`set -gx A '$x';\n`);
  });
  it('dotenv: bare, quoted, or refused', () => {
    expect(dotenvValue('A', 'omx_agent_AbC-1.2')).toBe('omx_agent_AbC-1.2');
    expect(dotenvValue('A', 'a b$c')).toBe(`'a b$c'`);
    expect(() => dotenvValue('A', "it's")).toThrow(/single quote/);
    expect(() => dotenvValue('A', 'a\nb')).toThrow(/line break/);
  });
  it('a NUL cannot be in any environment: refused in every format', () => {
    for (const format of ['sh', 'fish', 'dotenv', 'json'] as const) expect(() => formatVariables({ A: 'a\0b' }, format)).toThrow(/NUL/);
  });
});

describe('parseExecArgv', async () => {
  const specs = argvView(await collectManifest());
  const parseExecArgv = (args: readonly string[]) => parseWith(specs, args);
  it.each([
    [['exec', '--', 'node', '-e', '0'], { options: {}, command: ['node', '-e', '0'] }],
    [['exec', 'node', '--only', 'x'], { options: {}, command: ['node', '--only', 'x'] }],
    [['--json', 'exec', '--only', 'mnemom', '-q', 'claude'], { options: { only: 'mnemom' }, command: ['claude'] }],
    [['exec', '--only=t0ken', '--timeout', '5', '--', '--weird-name'], { options: { only: 't0ken' }, command: ['--weird-name'] }],
  ])('%j', (args, expected) => {
    const parsed = parseExecArgv(args);
    expect(parsed).not.toBe('not-exec');
    expect(parsed).toMatchObject(expected);
  });
  it('globals before and after exec', () => {
    expect(parseExecArgv(['--json', 'exec', '--timeout=5', 'x'])).toEqual({ name: 'exec', globals: { input: true, color: true, json: true, timeout: '5' }, options: {}, command: ['x'] });
  });
  it('not exec, or help: commander decides', () => {
    for (const args of [['token'], ['--bogus', 'exec', 'x'], ['exec', '--help'], ['exec', '-h', 'x'], ['env', 'exec'], []]) expect(parseExecArgv(args)).toBe('not-exec');
  });
  it('a missing or wrong --only value names the values and shows a whole command', () => {
    const hint = 'For example: t0ken exec --only t0ken -- my-agent';
    expect(() => parseExecArgv(['exec', '--only'])).toThrow(expect.objectContaining({ message: '--only needs a value: t0ken or mnemom', hint }));
    expect(() => parseExecArgv(['exec', '--only=x', 'y'])).toThrow(expect.objectContaining({ message: '--only takes t0ken or mnemom, not "x"', hint }));
    expect(() => parseExecArgv(['--timeout'])).toThrow(expect.objectContaining({ message: '--timeout needs a value', hint: 'For example --timeout 30' }));
  });

  it('usage errors are exit 2', () => {
    for (const args of [['exec'], ['exec', '--'], ['exec', '--only'], ['exec', '--only', 'all', 'x'], ['exec', '--nope', 'x'], ['exec', '--', '']]) {
      expect(() => parseExecArgv(args), JSON.stringify(args)).toThrow(expect.objectContaining({ exitCode: 2 }));
    }
  });
});
