// A newcomer's first hour (issue 15), the parts a pipe can see: -q, JSON on stderr, hints, a closed
// stdout, sandbox, verify's states, a 409 remembered, input rules.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateEmail } from '../../src/core/validate.js';
import { BIN, runCli, tempConfigDir } from '../helpers/cli.js';
import { run } from '../helpers/run.js';
import { useConfigDir, useSandbox } from '../helpers/sandbox.js';

const sandbox = useSandbox();
const config = useConfigDir(); // a fresh one per test

let fpSeq = 0;
const freshFingerprint = () => `fp_${String(++fpSeq).padStart(4, '0')}${'c'.repeat(28)}`;
const env = (extra: Record<string, string> = {}) => sandbox.env(config.dir, extra);
const t0ken = (args: string[], extra: Record<string, string> = {}, input?: string) => run(args, { env: env(extra), input });
/** A process of its own, for what starts one: sandbox --background re-runs bin/t0ken.js detached. */
const t0kenProcess = (args: string[], extra: Record<string, string> = {}) => runCli(args, { env: env(extra) });
const everyLineIsJson = (stderr: string) => stderr.trim().split('\n').filter(Boolean).every((line) => typeof JSON.parse(line) === 'object');
const count = (suffix: string) => sandbox.requests.filter((r) => r.path.split('?')[0]!.endsWith(suffix)).length;

describe('-q prints the result alone', () => {
  it('register, whoami, claim, verify, logout', async () => {
    const fp = { T0KEN_FINGERPRINT: freshFingerprint() };
    const register = await t0ken(['register', '-q'], fp);
    expect(register.code).toBe(0);
    expect(register.stdout).toMatch(/^\S+\n$/);
    expect(register.stderr).toBe('');
    const whoami = await t0ken(['whoami', '-q'], fp);
    expect(whoami.stdout).toBe(register.stdout);
    const claim = await t0ken(['claim', '--email', 'q@example.com', '-q'], fp);
    expect(claim.stdout).toMatch(/^\d{6}\n$/);
    expect(claim.stderr).toBe('');
    const verify = await t0ken(['verify', '-q'], fp);
    expect(verify.code).toBe(0);
    expect(verify.stdout.trim().split('\n')).toHaveLength(1);
    const logout = await t0ken(['logout', '--yes', '-q'], fp);
    expect(logout.code).toBe(0);
    expect(logout.stdout + logout.stderr).toBe('');
  });
});

describe('--json: stderr is JSON too', () => {
  it('notices become {"notice"} lines', async () => {
    const fp = { T0KEN_FINGERPRINT: freshFingerprint() };
    const register = await t0ken(['register', '--json'], fp);
    expect(register.code).toBe(0);
    expect(register.stderr).toContain('"notice"');
    expect(everyLineIsJson(register.stderr)).toBe(true);
    const claim = await t0ken(['claim', '--email', 'j@example.com', '--json'], fp);
    expect(everyLineIsJson(claim.stderr)).toBe(true);
    const debug = await t0ken(['stats', '--json', '--debug'], fp);
    expect(debug.code).toBe(0);
    expect(debug.stderr).toContain('{"debug":');
    expect(everyLineIsJson(debug.stderr)).toBe(true);
  });
});

describe('the first minutes at the command line', () => {
  it('a closed stdout ends quietly with exit 141 (as SIGPIPE), no stack trace', async () => {
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.destroy(); // the reader is gone before t0ken writes
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(141);
  });

  it('a closed stderr loses the messages, not the command: register stores the key it was issued, exit 0', async () => {
    const fp = { T0KEN_FINGERPRINT: freshFingerprint() };
    const result = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, 'register'], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, ...env(fp) } });
      child.stderr.destroy(); // its reader is gone before t0ken says where the key went (a notice on stderr, between the request and the store)
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.on('close', (code) => resolve({ code, stdout }));
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^user +machine_/);
    const token = await t0ken(['token'], fp);
    expect(token.code, token.stderr).toBe(0);
    expect(token.stdout).toMatch(/^omx_/);
  });

  it('a sandbox that was stopped (nothing listens on its loopback port): the hint says to start it again or unset the URL, not to check proxies', async () => {
    // Refused for certain: the port is held on 127.0.0.1 and asked for on 127.0.0.2, where nothing listens.
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as AddressInfo).port;
    try {
      const stats = await t0ken(['stats', '--timeout', '5'], { T0KEN_API_URL: `http://127.0.0.2:${port}/api/v1`, T0KEN_API_KEY: 'omx_agent_stopped0123456789' });
      expect(stats.code).toBe(5);
      expect(stats.stderr).toContain('ECONNREFUSED');
      expect(stats.stderr).toContain(`start it again there (\`t0ken sandbox --background --host 127.0.0.2 --port ${port}\``); // --background alone picks a new port, on 127.0.0.1
      expect(stats.stderr).toMatch(/or unset T0KEN_API_URL/);
      expect(stats.stderr).not.toMatch(/proxy/i);
      const list = await t0ken(['agent', 'list', '--timeout', '5'], { MNEMOM_API_URL: `http://127.0.0.2:${port}/v1`, MNEMOM_API_KEY: 'mnm_stopped_0123456789abcdef' });
      expect(list.code).toBe(5);
      expect(list.stderr).toContain('or unset MNEMOM_API_URL');
    } finally {
      holder.close();
    }
  });

  it('T0KEN_API_KEY set to another machine\'s key: the hint is about that variable first, not only about a restarted sandbox', async () => {
    const otherDir = tempConfigDir();
    const other = { T0KEN_FINGERPRINT: freshFingerprint(), T0KEN_CONFIG_DIR: otherDir.dir };
    expect((await t0ken(['register'], other)).code).toBe(0);
    const otherKey = (await t0ken(['token'], other)).stdout.trim();
    otherDir.cleanup();
    const mine = { T0KEN_FINGERPRINT: freshFingerprint() };
    expect((await t0ken(['register'], mine)).code).toBe(0);
    const stats = await t0ken(['stats'], { ...mine, T0KEN_API_KEY: otherKey });
    expect(stats.code).toBe(3);
    expect(stats.stderr.split('\n')[1]).toMatch(/^The key refused is T0KEN_API_KEY's \(another machine's or account's, or mistyped\): check it, or unset it/);
    expect(stats.stderr).not.toContain(otherKey);
  });

  it('--version with --json is one JSON document, wherever the flags are; without it the bare version', async () => {
    const version = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;
    for (const args of [['--version', '--json'], ['--json', '-V'], ['whoami', '--version', '--json']]) {
      const result = await t0kenProcess(args);
      expect(result.code, args.join(' ')).toBe(0);
      expect(JSON.parse(result.stdout), args.join(' ')).toEqual({ version });
    }
    expect((await t0kenProcess(['--version'])).stdout).toBe(`${version}\n`);
  });

  it('a key pasted where a short option or a word goes is never echoed: -kVALUE is named -k, a key-shaped value is masked', async () => {
    for (const args of [['-ksk-ant-Pasted0123456789'], ['token', '-ksk-ant-Pasted0123456789'], ['env', '--format', 'mnm_Pasted0123456789abc'], ['completion', 'sk-ant-Pasted0123456789'], ['mcp', 'config', '--client', 'omx_agent_Pasted0123456789', '--', 'x'], ['exec', '--only', 'sk-ant-Pasted0123456789', '--', 'true'], ['env', '--only', 'sk-ant-Pasted0123456789'], ['credentials', 'migrate', '--to=sk-ant-Pasted0123456789'], ['stats', '--timeout', 'sk-ant-Pasted0123456789'], ['agent', 'show', 'omx_agent_Pasted0123456789'], ['sandbox', '--port', 'mnm_Pasted0123456789'], ['help', 'omx_agent_Pasted0123456789abcdef'], ['exec', '--omx_agent_Pasted0123456789', '--', 'true'], ['token', '--omx_agent_Pasted0123456789abcdefghijklmnopqrstuvw']]) {
      const result = await t0ken(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stdout + result.stderr, args.join(' ')).not.toContain('Pasted');
    }
    expect((await t0ken(['-ksk-ant-Pasted0123456789'])).stderr).toContain("unknown option '-k'");
    expect((await t0ken(['env', '--format', 'yaml'])).stderr).toContain('not "yaml"'); // a word is still shown
    expect((await t0ken(['env', '--only', 'sk-ant-Pasted0123456789'])).stderr).toContain('not "sk-ant-…6789"'); // masked as keys are
    // A long word that is no key is shown as typed: an underscored name, a number
    expect((await t0ken(['agent', 'show', 'my_agent_name_with_underscores'])).stderr).toContain('"my_agent_name_with_underscores" is neither');
    expect((await t0ken(['sandbox', '--port', '123456789012345678901'])).stderr).toContain('invalid --port "123456789012345678901"');
  });

  it('register with another fingerprint than the stored account\'s (T0KEN_FINGERPRINT per container over a baked config) registers that machine, as the contract keys it', async () => {
    const first = freshFingerprint();
    const second = freshFingerprint();
    expect((await t0ken(['register'], { T0KEN_FINGERPRINT: first })).code).toBe(0);
    const other = await t0ken(['register', '--json'], { T0KEN_FINGERPRINT: second });
    expect(other.code, other.stderr).toBe(0);
    expect(JSON.parse(other.stdout)).toMatchObject({ already_registered: false, local_fingerprint: second });
    expect(other.stderr).toContain(`was registered with fingerprint ${first}, not this machine's ${second} (T0KEN_FINGERPRINT): registering this one in its place (T0KEN_FINGERPRINT=${first} t0ken register gets that account back)`);
    const quiet = await t0ken(['register', '-q'], { T0KEN_FINGERPRINT: first }); // and back: a warning -q does not hide
    expect(quiet.stderr).toMatch(/^warning: the stored account for .* registering this one in its place/m);
    const again = await t0ken(['register', '--json'], { T0KEN_FINGERPRINT: first });
    expect(JSON.parse(again.stdout)).toMatchObject({ already_registered: true, local_fingerprint: first });
  });

  it('an unknown --key=value is named without its value, and points to --key-env/--key-stdin', async () => {
    const result = await t0ken(['hash-proof', '--name', 'a1', '--key=sk-ant-REAL-do-not-echo']);
    expect(result.code).toBe(2);
    expect(result.stderr).not.toContain('sk-ant');
    expect(result.stderr).toContain("'--key'");
    expect(result.stderr).toMatch(/--key-env/);
    const json = await t0ken(['hash-proof', '--key=sk-ant-REAL-do-not-echo', '--json']);
    expect(json.stderr).not.toContain('sk-ant');
  });

  it.each([
    [['version'], /--version/, /verify/],
    [['-v'], /-V/, undefined],
    [['claim', 'you@example.com'], /--email/, undefined],
    [['verify', '123456'], /--code/, undefined],
    [['hash-proof', '--name', 'my-agent', '--key'], /--key-env <VAR>.*--key-stdin/, undefined],
  ] as const)('t0ken %j gets a hint that fits', async (args, hint, notThere) => {
    const result = await t0ken([...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(hint);
    if (notThere) expect(result.stderr).not.toMatch(notThere);
  });

  it('bare t0ken and t0ken agent print help on stdout and exit 0', async () => {
    for (const args of [[], ['agent']]) {
      const result = await t0ken(args);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Usage: t0ken/);
      expect(result.stderr).toBe('');
    }
  });

  it('claim prints one parenthesis for the expiry', async () => {
    const fp = { T0KEN_FINGERPRINT: freshFingerprint() };
    await t0ken(['register'], fp);
    const claim = await t0ken(['claim', '--email', 'paren@example.com'], fp);
    expect(claim.stdout).toMatch(/Expires: \d{4}-\d\d-\d\d \d\d:\d\d \(UTC[+-]\d\d:\d\d, in \d+ min\)\n/);
  });
});

describe('sandbox', () => {
  it('--host 0.0.0.0 prints loopback URLs that t0ken accepts; Ctrl-C (SIGINT) ends it with exit 0', async () => {
    const child = spawn(process.execPath, [BIN, 'sandbox', '--host', '0.0.0.0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    // Two pipes: what the sandbox wrote to stdout may arrive after what it then wrote to stderr.
    while (!stderr.includes('listening on') || !/T0KEN_SANDBOX_PID=\d+\n/.test(stdout)) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stdout).toMatch(new RegExp(`^export T0KEN_API_URL=http://127\\.0\\.0\\.1:\\d+/api/v1\nexport MNEMOM_API_URL=http://127\\.0\\.0\\.1:\\d+/v1\nexport T0KEN_SANDBOX_PID=${child.pid}\n$`));
    // It listens on every interface, and says so: not "listening on 127.0.0.1".
    expect(stderr).toMatch(/listening on 0\.0\.0\.0:\d+ \(every interface; from this machine http:\/\/127\.0\.0\.1:\d+\)/);
    const url = /T0KEN_API_URL=(\S+)/.exec(stdout)![1]!;
    const register = await t0ken(['register', '-q'], { T0KEN_API_URL: url });
    expect(register.code).toBe(0);
    const code = await new Promise((resolve) => {
      child.on('close', resolve);
      child.kill('SIGINT');
    });
    expect(code).toBe(0);
  });

  it('--background returns once it listens, with export lines any shell can source; kill $T0KEN_SANDBOX_PID stops it', async () => {
    const started = await t0kenProcess(['sandbox', '--background']);
    expect(started.code, started.stderr).toBe(0);
    const pid = Number(/^export T0KEN_SANDBOX_PID=(\d+)$/m.exec(started.stdout)?.[1]);
    expect(started.stderr).toContain(`kill ${pid}`);
    const url = /T0KEN_API_URL=(\S+)/.exec(started.stdout)![1]!;
    const register = await t0ken(['register', '-q'], { T0KEN_API_URL: url, T0KEN_FINGERPRINT: freshFingerprint() });
    expect(register.code, register.stderr).toBe(0);
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 10_000;
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    while (alive() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(alive()).toBe(false);
  });

  it('--background with a state file that is not one: exit 7, the file untouched, no sandbox left', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 't0ken-state-')), 'notes.json');
    writeFileSync(file, '[1, 2]\n');
    const started = await t0kenProcess(['sandbox', '--background', '--state', file]);
    expect(started.code).toBe(7);
    expect(started.stderr).toMatch(/^t0ken: the background sandbox did not start: \S+notes\.json is not a sandbox state file\n/);
    expect(started.stderr).not.toContain('in the foreground');
    expect(started.stdout).toBe('');
    expect(readFileSync(file, 'utf8')).toBe('[1, 2]\n');
  });

  it('a port another program holds: exit 2, one line naming it and what to do; a --state file is left as it was', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = String((holder.address() as AddressInfo).port);
    const file = join(mkdtempSync(join(tmpdir(), 't0ken-state-')), 'state.json');
    try {
      for (const args of [['sandbox', '--port', port], ['sandbox', '--port', port, '--state', file]]) {
        const result = await t0kenProcess(args);
        expect(result.code, args.join(' ')).toBe(2);
        expect(result.stderr).toBe(`t0ken: cannot listen on 127.0.0.1:${port} (EADDRINUSE)\nPick another --port, or --port 0 for a free one.\n`);
        expect(result.stdout).toBe('');
      }
      expect(() => readFileSync(file)).toThrow(/ENOENT/); // nothing written for a sandbox that never ran
    } finally {
      holder.close();
    }
  });

  it('an address no interface has: the reason is the address, in the foreground and in the background (not the warning that comes first)', async () => {
    for (const args of [['sandbox', '--host', '192.0.2.1'], ['sandbox', '--background', '--host', '192.0.2.1'], ['sandbox', '--host', '999.1.1.1']]) {
      const result = await t0kenProcess(args);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(/^t0ken: (the background sandbox did not start: )?cannot listen on (192\.0\.2\.1|999\.1\.1\.1):0 \((EADDRNOTAVAIL|ENOTFOUND|EAI_AGAIN)\)\n/);
      expect(result.stderr, args.join(' ')).not.toContain('reachable from other machines');
      // In the background too: the sandbox's own next step, not "run it in the foreground to see why"
      expect(result.stderr, args.join(' ')).toContain('No interface of this machine has the address');
      expect(result.stderr, args.join(' ')).not.toContain('in the foreground');
    }
  });

  it('--stop-when-idle past what a timer holds, or not a number: exit 2, not a sandbox that stops at once', async () => {
    for (const value of ['3000000', '1e309', 'abc', '-1', '0']) {
      const result = await t0kenProcess(['sandbox', '--port', '0', '--stop-when-idle', value]);
      expect(result.code, `${value}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toContain('invalid --stop-when-idle');
      expect(result.stdout).toBe('');
    }
  });

  it('help has no (default: "0") and no example that hangs', async () => {
    const help = await t0ken(['sandbox', '--help']);
    expect(help.stdout).not.toContain('(default: "0")');
    expect(help.stdout).not.toContain('eval "$(t0ken sandbox');
    expect(help.stdout).toMatch(/kill/);
  });
});

describe('verify: one path per state', () => {
  it('no claim started: exit 2 with the next step, no prompt, no request', async () => {
    const fp = { T0KEN_FINGERPRINT: freshFingerprint() };
    await t0ken(['register'], fp);
    const before = count('/claim/verify');
    const result = await t0ken(['verify'], fp);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/t0ken claim --email/);
    expect(count('/claim/verify')).toBe(before);
  });

  it('after a completed claim: exit 0, already claimed, nothing sent', async () => {
    const fp = { T0KEN_FINGERPRINT: freshFingerprint() };
    await t0ken(['register'], fp);
    await t0ken(['claim', '--email', 'done@example.com'], fp);
    expect((await t0ken(['verify'], fp)).code).toBe(0);
    const before = count('/claim/verify');
    const again = await t0ken(['verify'], fp);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/Already claimed: linked to done@example\.com/);
    expect(again.stderr).not.toMatch(/warning/);
    expect(count('/claim/verify')).toBe(before);
  });

  it('a 409 on claim is recorded: whoami then says claimed, as the service does', async () => {
    const fingerprint = freshFingerprint();
    await t0ken(['register'], { T0KEN_FINGERPRINT: fingerprint });
    await t0ken(['claim', '--email', 'first@example.com'], { T0KEN_FINGERPRINT: fingerprint });
    await t0ken(['verify'], { T0KEN_FINGERPRINT: fingerprint });
    const other = tempConfigDir();
    try {
      const fresh = { T0KEN_FINGERPRINT: fingerprint, T0KEN_CONFIG_DIR: other.dir };
      await t0ken(['register'], fresh);
      expect(JSON.parse((await t0ken(['whoami', '--json'], fresh)).stdout).claim.state).toBe('unclaimed');
      const claim = await t0ken(['claim', '--email', 'second@example.com'], fresh);
      expect(claim.code).toBe(6);
      // The hint says what was recorded: the generic 409 hint said nothing was changed.
      expect(claim.stderr).not.toContain('nothing was changed');
      expect(claim.stderr).toContain(`The service counts it as claimed already: t0ken now records it so in ${join(other.dir, 'config.json')}`);
      const again = await t0ken(['claim', '--email', 'second@example.com'], fresh);
      expect(again.code, again.stderr).toBe(6); // recorded the first time: now nothing was changed, and the hint says so
      expect(again.stderr).toContain('nothing was changed');
      const who = JSON.parse((await t0ken(['whoami', '--json'], fresh)).stdout);
      expect(who.claim.state).toBe('claimed');
      expect(who.claim.source).toBe('service');
      expect((await t0ken(['verify'], fresh)).code).toBe(0);
    } finally {
      other.cleanup();
    }
  });
});

describe('input', () => {
  it.each([
    ['a..b@example.com', /two dots/],
    ['.a@example.com', /starts or ends with a dot/],
    ['a@-example.com', /inner hyphens/],
    ['a@[127.0.0.1]', /IP address/],
    [`${'x'.repeat(65)}@example.com`, /65 characters long; at most 64/],
    [`a@${Array.from({ length: 5 }, () => 'd'.repeat(60)).join('.')}.com`, /is 310 characters long; an address has at most 254/],
    ['bad@dev@example.com', /more than one @/],
  ])('refuses %s with the reason', (email, reason) => {
    expect(() => validateEmail(email)).toThrow(reason);
  });

  it.each(['you@example.com', 'first.last+tag@sub.example.co.uk', 'ü@exämple.de', `${'x'.repeat(64)}@example.com`])('accepts %s', (email) => {
    expect(validateEmail(email)).toBe(email);
  });

  it('--key-stdin refuses more than one non-empty line, and takes one line with blank ones around it', async () => {
    const two = await t0ken(['hash-proof', '--name', 'my-agent', '--key-stdin'], {}, 'sk-one\nsk-two\n');
    expect(two.code).toBe(2);
    expect(two.stderr).toMatch(/2 non-empty lines/);
    const one = await t0ken(['hash-proof', '--name', 'my-agent', '--key-stdin'], {}, '\nsk-one\n\n');
    expect(one.code).toBe(0);
  });

  it('MNEMOM_API_KEY from the environment follows the same rule as agent login', async () => {
    const short = await t0ken(['agent', 'list'], { MNEMOM_API_KEY: 'mnm_short' });
    expect(short.code).toBe(2);
    const login = await t0ken(['agent', 'login', '--with-token'], {}, 'mnm_short');
    expect(login.code).toBe(2);
    const good = await t0ken(['agent', 'list'], { MNEMOM_API_KEY: 'mnm_newcomer_key_0123456789' });
    expect(good.code).toBe(0);
  });
});

describe('npm run demo', () => {
  it('prints no escape sequences into a pipe', async () => {
    const demo = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const env = { ...process.env };
      delete env.FORCE_COLOR;
      delete env.NO_COLOR;
      const child = spawn(process.execPath, [join(BIN, '..', '..', 'scripts', 'demo.mjs')], { stdio: ['ignore', 'pipe', 'pipe'], env });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
      child.on('close', (code) => resolve({ code, out }));
    });
    expect(demo.code, demo.out).toBe(0);
    expect(demo.out).toContain('# ');
    expect(demo.out).not.toContain('\u001b');
  });
});

describe('source maps', () => {
  it('ship next to the bundle, for --debug stack traces', () => {
    const map = JSON.parse(readFileSync(join(BIN, '..', '..', 'dist', 'cli.cjs.map'), 'utf8'));
    expect(map.sources.some((s: string) => s.endsWith('src/cli.ts'))).toBe(true);
  });

  it('a bug\'s stack trace under --debug names our source files and lines; without --debug, no trace', async () => {
    // A preload makes SHA-256 throw (src/core/sha256.ts writes its padding with DataView.setUint32),
    // as a bug in t0ken would: exit 1 and the report it asks for.
    const dir = mkdtempSync(join(tmpdir(), 't0ken-crash-'));
    const preload = join(dir, 'crash.cjs');
    writeFileSync(preload, "DataView.prototype.setUint32 = () => { throw new TypeError('simulated bug'); };\n");
    try {
      const crash = (extra: string[]) => new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['-r', preload, BIN, 'hash-proof', '--name', 'my-agent', '--key-env', 'K', ...extra], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, K: 'sk-test' } });
        let stderr = '';
        child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
        child.on('close', (code) => resolve({ code, stderr }));
      });
      const debug = await crash(['--debug']);
      expect(debug.code).toBe(1);
      expect(debug.stderr).toMatch(/at hashProof \(.*src\/core\/proof\.ts:\d+:\d+\)/);
      // to the line and column: the map of the chunk holds in the packed file (scripts/esm-chunk-to-function.mjs)
      const sha256Lines = readFileSync(join(BIN, '..', '..', 'src', 'core', 'sha256.ts'), 'utf8').split('\n');
      const throwing = sha256Lines.findIndex((line) => line.includes('.setUint32('));
      expect(debug.stderr).toContain(`src/core/sha256.ts:${throwing + 1}:${sha256Lines[throwing]!.indexOf('setUint32') + 1})`);
      const plain = await crash([]);
      expect(plain.code).toBe(1);
      expect(plain.stderr).toMatch(/simulated bug/);
      expect(plain.stderr).not.toMatch(/^\s+at /m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
