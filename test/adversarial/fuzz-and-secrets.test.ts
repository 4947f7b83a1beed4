import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempConfigDir } from '../helpers/cli.js';
import { run, type InProcessResult } from '../helpers/run.js';
import { seededRandom } from '../helpers/random.js';
import { useSandbox } from '../helpers/sandbox.js';

// In-process (helpers/run.ts): what is checked is argv, output and exit codes, not the process.

const sandbox = useSandbox();

const CONTRACT_CODES = [0, 2, 3, 4, 5, 6, 7];
const STACK = /\n\s+at .+[:(]\d+:\d+|TypeError|ReferenceError|RangeError|SyntaxError: /;

describe('bad input', () => {
  it('500 generated argument vectors exit with contract codes, no stack trace, within seconds', async () => {
    const random = seededRandom('fuzz', 'FUZZ_SEED');
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const words = ['register', 'whoami', 'status', 'token', 'logout', 'claim', 'verify', 'stats', 'hash-proof', 'agent', 'create', 'list', 'login',
      'fingerprint', 'completion', 'help', 'exit-codes', 'bash', 'nope', '--json', '--no-input', '-q', '--debug', '--no-color', '--timeout', '--email',
      '--code', '--name', '--key-env', '--key-stdin', '--short', '--card', '--policy', '--if-exists', '--force', '--show-key', '--yes', '--explain',
      '--hostname', '--with-token', '-V', '-h', '--', '-', '--=', '---x', 'ok', 'fail'];
    const strange = () => pick([
      '', ' ', 'é', '名前', '🔑🔑', 'a'.repeat(5000), '\u0001', '\u001b[31mred', '\n', '\t', '-1', '0', '999999999999', 'NaN', '../../etc/passwd',
      '/dev/null', '%s%n', '$(id)', '`id`', '{"a":1}', 'x@y.z', '123456', 'my-agent', `${'z'.repeat(40)}`, '\u202e', 'fp_00',
    ]);
    const vectors = Array.from({ length: 500 }, () => Array.from({ length: 1 + Math.floor(random() * 5) }, () => (random() < 0.6 ? pick(words) : strange())));
    const config = tempConfigDir();
    const env = { T0KEN_CONFIG_DIR: config.dir, T0KEN_API_URL: sandbox.t0kenUrl, MNEMOM_API_URL: sandbox.mnemomUrl, T0KEN_FINGERPRINT: `fp_${'d'.repeat(32)}` };
    const failures: string[] = [];
    let slowest = 0;
    for (let i = 0; i < vectors.length; i += 4) {
      const batch = vectors.slice(i, i + 4).filter((v) => !v.includes('sandbox'));
      const results = await Promise.all(batch.map((args) => run(args, { env, timeoutMs: 10_000 }).then((r) => [args, r] as const)));
      for (const [args, r] of results) {
        slowest = Math.max(slowest, r.ms);
        const problem = !CONTRACT_CODES.includes(r.code) ? `exit ${r.code}` : STACK.test(r.stdout + r.stderr) ? 'stack trace' : r.ms > 8000 ? `${r.ms} ms` : '';
        if (problem) failures.push(`${problem}: t0ken ${JSON.stringify(args)} -> ${r.stderr.slice(0, 200)}`);
      }
    }
    config.cleanup();
    console.log(`fuzz: ${vectors.length} vectors, slowest ${slowest} ms, ${failures.length} failures`);
    expect(failures).toEqual([]);
  }, 300_000);
});

describe('secrets', () => {
  const PROVIDER = 'sk-ant-FUZZPROVIDER-q1w2e3r4t5y6';
  const MNEMOM = 'mnm_SECRETSTEST_a1b2c3d4e5f6g7';
  const ENV_T0KEN_KEY = 'omx_agent_ENVKEYSECRET0123456789';

  it('no full key appears in any output but `token` and `--show-key`, in human, --json and --debug modes', async () => {
    const config = tempConfigDir();
    const env = { T0KEN_CONFIG_DIR: config.dir, T0KEN_API_URL: sandbox.t0kenUrl, MNEMOM_API_URL: sandbox.mnemomUrl, PROVIDER, T0KEN_FINGERPRINT: `fp_${'e'.repeat(32)}` };
    await run(['register'], { env });
    await run(['agent', 'login', '--with-token'], { env, input: MNEMOM });
    const storedKey = JSON.parse(readFileSync(join(config.dir, 'config.json'), 'utf8')).t0ken[sandbox.t0kenUrl].api_key as string;
    const secrets = [PROVIDER, MNEMOM, storedKey, ENV_T0KEN_KEY];
    const commands: Array<{ args: string[]; input?: string; extra?: Record<string, string> }> = [
      { args: ['register'] }, { args: ['register', '--force'] }, { args: ['whoami'] }, { args: ['whoami'], extra: { T0KEN_API_KEY: ENV_T0KEN_KEY } },
      { args: ['claim', '--email', 'sec@example.com'] }, { args: ['verify'] }, { args: ['stats'] }, { args: ['stats'], extra: { T0KEN_API_KEY: ENV_T0KEN_KEY } },
      { args: ['fingerprint', '--explain'] }, { args: ['hash-proof', '--name', 'sec-agent', '--key-env', 'PROVIDER'] },
      { args: ['hash-proof', '--key-stdin'], input: PROVIDER }, { args: ['agent', 'create', '--name', 'sec-agent', '--key-env', 'PROVIDER', '--if-exists', 'ok'] },
      { args: ['agent', 'create', '--name', 'sec-agent', '--key-stdin'], input: PROVIDER }, { args: ['agent', 'list'] },
      { args: ['agent', 'list'], extra: { MNEMOM_API_KEY: MNEMOM } }, { args: ['agent', 'login', '--with-token'], input: MNEMOM },
      { args: ['stats'], extra: { T0KEN_API_KEY: 'omx_agent_WRONG' } },
    ];
    const outputs: Array<[string, InProcessResult]> = [];
    for (const mode of [[], ['--json'], ['--debug']]) {
      for (const c of commands) {
        const result = await run([...c.args, ...mode], { env: { ...env, ...c.extra }, input: c.input });
        outputs.push([`${c.args.join(' ')} ${mode.join(' ')}`, result]);
      }
    }
    for (const [label, result] of outputs) {
      for (const secret of secrets) expect(result.stdout + result.stderr, `${label} leaked ${secret.slice(0, 8)}…`).not.toContain(secret);
    }
    // The two outputs allowed to show the key, do.
    expect((await run(['token'], { env })).stdout.trim()).toBe(storedKey);
    expect((await run(['register', '--show-key'], { env })).stdout).toContain(storedKey);
    config.cleanup();
  }, 180_000);

  it('no option takes a secret value on the command line', async () => {
    const commands = [[], ['register'], ['whoami'], ['token'], ['logout'], ['claim'], ['verify'], ['stats'], ['hash-proof'], ['agent'], ['agent', 'create'],
      ['agent', 'list'], ['agent', 'login'], ['agent', 'logout'], ['fingerprint'], ['completion'], ['sandbox']];
    for (const command of commands) {
      const help = await run([...command, '--help']);
      const optionLines = help.stdout.split('\n').filter((l) => /^\s+(-\w, )?--/.test(l));
      for (const line of optionLines) {
        const [flag, value] = line.trim().split(/\s+/);
        const named = /key|token|secret|password|credential/i.test(flag ?? '');
        if (named && value?.startsWith('<')) expect(`${flag} ${value}`, command.join(' ')).toBe('--key-env <VAR>');
      }
    }
  });
});
