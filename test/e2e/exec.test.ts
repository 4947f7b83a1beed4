import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli, type RunResult } from '../helpers/cli.js';
import { commandProbe, requirePart } from '../helpers/real-part.js';
import { useConfigDir, useSandbox } from '../helpers/sandbox.js';

/** Where Node has process.execve, t0ken becomes the program; elsewhere it runs a child. */
const EXECVE = process.platform !== 'win32' && typeof (process as { execve?: unknown }).execve === 'function';
const MNEMOM_KEY = 'mnm_EXEC_mnemom_key_Zx8Yw7Vu6Ts5';
const sandbox = useSandbox();
const config = useConfigDir('shared');
const empty = useConfigDir('shared');
let work: string;
let t0kenKey: string;

const base = () => sandbox.env(config.dir);
const t0ken = (args: string[], env: Record<string, string | undefined> = {}, input?: string): Promise<RunResult> => runCli(args, { env: { ...base(), ...env }, input });

/** A node one-liner the child runs: prints the identity variables it was given, as JSON. */
const PRINT_ENV = `const e=process.env;console.log(JSON.stringify({T0KEN_API_KEY:e.T0KEN_API_KEY,MEMORYX_API_KEY:e.MEMORYX_API_KEY,MEMORYX_URL:e.MEMORYX_URL,MNEMOM_API_KEY:e.MNEMOM_API_KEY,T0KEN_EXEC:e.T0KEN_EXEC}))`;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 't0ken-exec-'));
  expect((await t0ken(['register'])).code).toBe(0);
  expect((await t0ken(['agent', 'login', '--with-token'], {}, `${MNEMOM_KEY}\n`)).code).toBe(0);
  t0kenKey = (await t0ken(['token'])).stdout.trim();
  expect(t0kenKey).toMatch(/^omx_/);
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('exec hands the identity over in the environment', () => {
  it('T0KEN_API_KEY, MEMORYX_API_KEY, MEMORYX_URL (a non-default API, without /v1), MNEMOM_API_KEY, T0KEN_EXEC=1', async () => {
    const result = await t0ken(['exec', '--', process.execPath, '-e', PRINT_ENV]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      T0KEN_API_KEY: t0kenKey,
      MEMORYX_API_KEY: t0kenKey,
      MEMORYX_URL: sandbox.t0kenUrl.replace(/\/v1$/, ''),
      MNEMOM_API_KEY: MNEMOM_KEY,
      T0KEN_EXEC: '1',
    });
    expect(result.stderr).toBe('');
  });

  it('--only t0ken and --only mnemom limit the set; global options may come before or after exec', async () => {
    const t = JSON.parse((await t0ken(['--quiet', 'exec', '--only', 't0ken', process.execPath, '-e', PRINT_ENV])).stdout);
    expect(t).toEqual({ T0KEN_API_KEY: t0kenKey, MEMORYX_API_KEY: t0kenKey, MEMORYX_URL: sandbox.t0kenUrl.replace(/\/v1$/, ''), T0KEN_EXEC: '1' });
    const m = JSON.parse((await t0ken(['exec', '--only=mnemom', '--json', '--', process.execPath, '-e', PRINT_ENV])).stdout);
    expect(m).toEqual({ MNEMOM_API_KEY: MNEMOM_KEY, T0KEN_EXEC: '1' });
    const bad = await t0ken(['exec', '--only', 'both', '--', 'true']);
    expect(bad.code).toBe(2);
  });

  it('T0KEN_API_KEY and MNEMOM_API_KEY already set win over the stored keys; a malformed MNEMOM_API_KEY is exit 2', async () => {
    const env = { T0KEN_API_KEY: 'omx_agent_fromTheEnvironment0001', MNEMOM_API_KEY: 'mnm_fromTheEnvironment_0001' };
    const seen = JSON.parse((await t0ken(['exec', '--', process.execPath, '-e', PRINT_ENV], env)).stdout);
    expect(seen.MEMORYX_API_KEY).toBe(env.T0KEN_API_KEY);
    expect(seen.MNEMOM_API_KEY).toBe(env.MNEMOM_API_KEY);
    const bad = await t0ken(['exec', '--', 'true'], { MNEMOM_API_KEY: 'sk-not-a-mnemom-key-00000000' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('MNEMOM_API_KEY');
    expect((await t0ken(['exec', '--only', 't0ken', '--', 'true'], { MNEMOM_API_KEY: 'sk-not-a-mnemom-key-00000000' })).code).toBe(0);
  });

  it('MEMORYX_URL is left out for the default API (an env-given key, nothing stored)', async () => {
    const seen = await runCli(['exec', '--', process.execPath, '-e', PRINT_ENV], { env: { T0KEN_CONFIG_DIR: empty.dir, T0KEN_API_KEY: 'omx_agent_defaultUrlKey00000001' } });
    expect(JSON.parse(seen.stdout)).toEqual({ T0KEN_API_KEY: 'omx_agent_defaultUrlKey00000001', MEMORYX_API_KEY: 'omx_agent_defaultUrlKey00000001', T0KEN_EXEC: '1' });
  });

  it('an MNEMOM_TOKEN already in the environment passes through; --only mnemom ignores a bad T0KEN_API_URL', async () => {
    const result = await t0ken(['exec', '--only', 'mnemom', '--', process.execPath, '-e', 'console.log(process.env.MNEMOM_TOKEN)'], { MNEMOM_TOKEN: 'jwt.header.payload', T0KEN_API_URL: 'http://remote.example/api/v1' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('jwt.header.payload\n');
    const none = await t0ken(['exec', '--only', 'mnemom', '--', 'true'], { MNEMOM_API_URL: 'http://127.0.0.1:9/v1', T0KEN_API_URL: 'http://remote.example/api/v1' });
    expect(none.code).toBe(3);
  });

  it('an MNEMOM_TOKEN alone (no key stored or set) is a Mnemom identity exec hands over; env, which prints only what it adds, says it is there', async () => {
    const print = ['--', process.execPath, '-e', 'console.log(process.env.MNEMOM_TOKEN, process.env.T0KEN_EXEC)'];
    for (const scope of [['--only', 'mnemom'], []]) {
      const result = await runCli(['exec', ...scope, ...print], { env: { T0KEN_CONFIG_DIR: empty.dir, MNEMOM_TOKEN: 'jwt.header.payload' } });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe('jwt.header.payload 1\n');
    }
    expect((await runCli(['exec', '--only', 't0ken', ...print], { env: { T0KEN_CONFIG_DIR: empty.dir, MNEMOM_TOKEN: 'jwt.header.payload' } })).code).toBe(3);
    const env = await runCli(['env', '--only', 'mnemom'], { env: { T0KEN_CONFIG_DIR: empty.dir, MNEMOM_TOKEN: 'jwt.header.payload' } });
    expect(env.code).toBe(3);
    expect(env.stderr).toContain('MNEMOM_TOKEN is set, but it is in the environment already');
  });

  it('exit 3 when there is nothing to hand over, and the program is not run', async () => {
    const marker = join(work, 'ran');
    const result = await runCli(['exec', '--', process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, '')`], { env: { T0KEN_CONFIG_DIR: empty.dir } });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('nothing to hand over');
    expect(() => rmSync(marker)).toThrow();
    expect((await t0ken(['exec', '--only', 'mnemom', '--', 'true'], { MNEMOM_API_URL: 'http://127.0.0.1:9/v1' })).code).toBe(3);
  });

  it('the key is in no process\'s argv (/proc/*/cmdline), t0ken\'s included, while the program runs', async () => {
    const scan = `const fs=require('fs');let hits=[];let n=0;for(const p of fs.readdirSync('/proc')){if(!/^\\d+$/.test(p))continue;try{const c=fs.readFileSync('/proc/'+p+'/cmdline','utf8');n++;if(c.includes(process.env.T0KEN_API_KEY)||c.includes(process.env.MNEMOM_API_KEY))hits.push(p)}catch{}};console.log(JSON.stringify({hits,n,parent:fs.readFileSync('/proc/'+process.ppid+'/cmdline','utf8').split('\\0')}))`;
    const result = await t0ken(['exec', '--', process.execPath, '-e', scan]);
    const report = JSON.parse(result.stdout);
    expect(report.n).toBeGreaterThan(2);
    // t0ken is the scanning process itself (execve), or its parent (a child): the scan saw it
    if (EXECVE) expect(report.parent).not.toContain(BIN);
    else expect(report.parent).toContain(BIN);
    expect(report.hits).toEqual([]);
  });
});

describe('exec behaves like a good exec wrapper', () => {
  it('passes the exit status through, and stdin, stdout and stderr are the program\'s', async () => {
    const result = await t0ken(['exec', '--', process.execPath, '-e', 'process.stdin.pipe(process.stdout);process.stdin.on("end",()=>{console.error("to stderr");process.exitCode=42})'], {}, 'hello through stdin\n');
    expect(result.code).toBe(42);
    expect(result.stdout).toBe('hello through stdin\n');
    expect(result.stderr).toBe('to stderr\n');
  });

  it('no shell: arguments reach the program as they are, its own flags included', async () => {
    const result = await t0ken(['exec', process.execPath, '-e', 'console.log(JSON.stringify(process.argv.slice(1)))', 'x', '--', '$HOME; echo hi', '--json', '--only', '*']);
    expect(JSON.parse(result.stdout)).toEqual(['x', '--', '$HOME; echo hi', '--json', '--only', '*']);
    expect((await t0ken(['exec', '--', 'echo $HOME'])).code).toBe(127);
  });

  it('finds the program on PATH; 127 when not found, 126 when not executable', async () => {
    const bin = join(work, 'bin');
    rmSync(bin, { recursive: true, force: true });
    mkdirSync(bin);
    writeFileSync(join(bin, 'my-agent'), '#!/bin/sh\necho "agent $1 $T0KEN_EXEC"\n');
    chmodSync(join(bin, 'my-agent'), 0o755);
    writeFileSync(join(bin, 'not-exec'), '#!/bin/sh\necho no\n');
    chmodSync(join(bin, 'not-exec'), 0o644);
    const path = `${bin}:${process.env.PATH}`;
    const found = await t0ken(['exec', 'my-agent', 'one'], { PATH: path });
    expect(found.code, found.stderr).toBe(0);
    expect(found.stdout).toBe('agent one 1\n');
    const missing = await t0ken(['exec', '--', 'no-such-program-t0ken'], { PATH: path });
    expect(missing.code).toBe(127);
    expect(missing.stderr).toContain('no-such-program-t0ken: command not found');
    expect((await t0ken(['exec', '--', join(bin, 'not-exec')])).code).toBe(126);
    expect((await t0ken(['exec', '--', bin])).code).toBe(126);
    const json = await t0ken(['exec', '--json', '--', 'no-such-program-t0ken']);
    expect(JSON.parse(json.stderr.trim()).error.code).toBe('command_not_found');
  });

  it(EXECVE ? 'becomes the program: same pid, nothing of t0ken stays' : 'runs the program as a child of t0ken', async () => {
    const child = spawn(process.execPath, [BIN, 'exec', '--', process.execPath, '-e', 'console.log(JSON.stringify({pid:process.pid,ppid:process.ppid}))'], { env: { ...cleanEnv(), ...base() }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    expect(await new Promise((resolve) => child.on('close', resolve))).toBe(0);
    const seen = JSON.parse(out);
    if (EXECVE) expect(seen.pid).toBe(child.pid);
    else expect(seen.ppid).toBe(child.pid);
  });

  it('programs the kernel refuses after every check passed: a reason and 126, never an abort (Node 22 and 24 abort when execve fails)', async () => {
    const bin = join(work, 'refused');
    mkdirSync(bin, { recursive: true });
    const elf = readFileSync('/bin/true');
    const loader = elf.indexOf('/lib64/ld-linux-x86-64.so.2');
    // An ELF for another C library (Alpine's musl), its loader missing; one cut short; one for another architecture.
    const musl = Buffer.from(elf);
    if (loader >= 0) Buffer.from('/lib64/ld-musl-x86_64.so.1\0').copy(musl, loader);
    const short = Buffer.alloc(264);
    elf.copy(short, 0, 0, 64);
    const foreign = Buffer.from(elf);
    foreign.writeUInt16LE(foreign.readUInt16LE(18) === 62 ? 183 : 62, 18);
    const tiny = elf.subarray(0, 12); // the magic and little else
    const wrongClass = Buffer.from(elf); // a 64-bit ELF that says i386: no compat mode runs it
    wrongClass.writeUInt16LE(3, 18);
    for (const [name, bytes] of [['musl', musl], ['short', short], ['tiny', tiny], ['foreign', foreign], ['wrong-class', wrongClass]] as const) {
      writeFileSync(join(bin, name), bytes);
      chmodSync(join(bin, name), 0o755);
    }
    if (loader >= 0) {
      const result = await t0ken(['exec', '--', join(bin, 'musl')]);
      expect(result.code, result.stderr).toBe(126);
      expect(result.stderr).toContain('cannot execute: required file not found (its loader "/lib64/ld-musl-x86_64.so.1")');
    }
    // Another architecture's binary is refused where nothing can run it: no binfmt_misc handler (qemu-user) here.
    const handlers = (() => {
      try {
        return readdirSync('/proc/sys/fs/binfmt_misc').filter((name) => name !== 'register' && name !== 'status').length > 0;
      } catch {
        return false;
      }
    })();
    for (const name of handlers ? ['short', 'tiny'] : ['short', 'tiny', 'foreign', 'wrong-class']) {
      const result = await t0ken(['exec', '--', join(bin, name)]);
      expect(result.code, `${name}: ${result.stderr}`).toBe(126);
      expect(result.stderr).toContain(`${join(bin, name)}: cannot execute binary file: Exec format error`);
    }
  });

  it.runIf(process.arch === 'x64')('a 32-bit (i386) program runs, as the kernel runs it in compat mode: it is not refused as another architecture\'s', async () => {
    // The smallest i386 ELF: one PT_LOAD, then exit(0) through int 0x80.
    const code = Buffer.from([0xb8, 1, 0, 0, 0, 0x31, 0xdb, 0xcd, 0x80]);
    const header = Buffer.alloc(52);
    Buffer.from([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]).copy(header);
    header.writeUInt16LE(2, 16); // ET_EXEC
    header.writeUInt16LE(3, 18); // EM_386
    header.writeUInt32LE(1, 20);
    header.writeUInt32LE(0x08048000 + 52 + 32, 24); // entry: the code after the headers
    header.writeUInt32LE(52, 28); // program headers right after this one
    header.writeUInt16LE(52, 40);
    header.writeUInt16LE(32, 42);
    header.writeUInt16LE(1, 44);
    const load = Buffer.alloc(32);
    for (const [at, value] of [[0, 1], [8, 0x08048000], [12, 0x08048000], [16, 52 + 32 + code.length], [20, 52 + 32 + code.length], [24, 5], [28, 0x1000]] as const) load.writeUInt32LE(value, at);
    const file = join(work, 'tiny32');
    writeFileSync(file, Buffer.concat([header, load, code]));
    chmodSync(file, 0o755);
    const direct = spawnSync(file).status; // 0, unless the kernel has no IA32 emulation
    const result = await t0ken(['exec', '--', file]);
    if (direct === 0) expect(result.code, result.stderr).toBe(0);
    else expect(result.code).not.toBe(0); // nothing here runs it: not t0ken either
  });

  it('a #! interpreter under a non-ASCII directory, a #! line longer than the kernel reads, a PATH entry through a symlink and ..: each runs as a shell runs it', async () => {
    const home = join(work, 'josé', 'bin');
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, 'sh'), readFileSync('/bin/sh'));
    chmodSync(join(home, 'sh'), 0o755);
    writeFileSync(join(home, 'srv'), `#!${join(home, 'sh')}\necho "pid $$"\n`);
    chmodSync(join(home, 'srv'), 0o755);
    const child = spawn(process.execPath, [BIN, 'exec', '--', join(home, 'srv')], { env: { ...cleanEnv(), ...base() }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    expect(await new Promise((resolve) => child.on('close', resolve))).toBe(0);
    if (EXECVE) expect(out).toBe(`pid ${child.pid}\n`); // t0ken became it: the interpreter's path was found as the kernel finds it
    else expect(out).toMatch(/^pid \d+\n$/);

    // An interpreter path that goes on past the 256 bytes the kernel reads, whose first 254 name a file that is there
    const cut = join(work, 'i');
    const interpreter = `${cut}${'a'.repeat(254 - cut.length)}`;
    writeFileSync(interpreter, readFileSync('/bin/sh'));
    chmodSync(interpreter, 0o755);
    const long = join(work, 'long-shebang');
    writeFileSync(long, `#!${interpreter}bbbb\necho long\n`);
    chmodSync(long, 0o755);
    const ran = await t0ken(['exec', '--', long]);
    expect({ code: ran.code, stdout: ran.stdout }).toEqual({ code: 0, stdout: 'long\n' }); // the kernel refuses it; execvp hands it to /bin/sh, as bash does

    const real = join(work, 'real');
    mkdirSync(join(real, 'sub'), { recursive: true });
    writeFileSync(join(real, 'prog'), '#!/bin/sh\necho REAL\n');
    const decoy = join(work, 'decoy');
    mkdirSync(decoy, { recursive: true });
    writeFileSync(join(decoy, 'prog'), '#!/bin/sh\necho WRONG\n');
    chmodSync(join(real, 'prog'), 0o755);
    chmodSync(join(decoy, 'prog'), 0o755);
    symlinkSync(join(real, 'sub'), join(decoy, 'lnk'));
    const viaLink = await t0ken(['exec', '--', 'prog'], { PATH: `${join(decoy, 'lnk')}/..:/usr/bin:/bin` });
    expect(viaLink.stdout).toBe('REAL\n'); // lnk/.. is real/, as execvp and bash see it (path.join made it decoy/)
  });

  it('a PATH entry where the name is a symlink loop is passed over, as a shell passes it over; the program still sees the name it was given as argv[0]', async () => {
    const loop = join(work, 'loop');
    const scripts = join(work, 'scripts');
    mkdirSync(loop, { recursive: true });
    mkdirSync(scripts, { recursive: true });
    symlinkSync('b', join(loop, 'looped'));
    symlinkSync('looped', join(loop, 'b'));
    writeFileSync(join(scripts, 'looped'), `#!${process.execPath}\nconsole.log('ran as ' + process.argv0)\n`);
    chmodSync(join(scripts, 'looped'), 0o755);
    const result = await t0ken(['exec', '--', 'looped'], { PATH: `${loop}:${scripts}:/usr/bin:/bin` });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^ran as /);
  });

  it('the program starts with no signal ignored (Node ignores SIGPIPE) and blocking stdio: `yes | head -1` ends', async () => {
    // Not node as the program: node ignores SIGPIPE itself. grep reports what it was started with.
    const result = await t0ken(['exec', '--', 'sh', '-c', 'grep ^SigIgn /proc/self/status; grep ^flags /proc/self/fdinfo/1']);
    expect(result.code, result.stderr).toBe(0);
    const [, ignored, flags] = /SigIgn:\s*([0-9a-f]+)\nflags:\s*([0-7]+)/.exec(result.stdout)!;
    expect(BigInt(`0x${ignored}`)).toBe(0n);
    expect(Number.parseInt(flags!, 8) & 0o4000).toBe(0); // O_NONBLOCK
    const pipeline = spawnSync('sh', ['-c', `${process.execPath} ${BIN} exec -- yes | head -1`], { env: { ...cleanEnv(), ...base() }, encoding: 'utf8', timeout: 10_000 });
    expect(pipeline.stdout).toMatch(/^y\n/);
    expect(pipeline.stderr).toBe('');
  });

  it.each([
    ['SIGKILL', 137],
    ['SIGTERM', 143],
    ['SIGSEGV', 139],
  ])('a program killed by %s gives 128+n (%i)', async (signal, status) => {
    const result = await t0ken(['exec', '--', process.execPath, '-e', `process.kill(process.pid, '${signal}')`]);
    // execve: the process that dies is t0ken's own (a shell's $? is 128+n); a child: t0ken exits 128+n
    if (EXECVE) expect(result.signal).toBe(signal);
    else expect(result.code).toBe(status);
  });

  it('a program\'s own --help, -h, help or completion is the program\'s, not t0ken\'s help', async () => {
    for (const tail of [['--help'], ['-h'], ['help', 'exec'], ['completion', 'bash']]) {
      const result = await t0ken(['exec', '--', process.execPath, '-e', 'console.log(JSON.stringify(process.argv.slice(1)))', 'x', ...tail]);
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual(['x', ...tail]);
    }
    const ownHelp = await t0ken(['exec', '--help']);
    expect(ownHelp.stdout).toContain('Usage: t0ken exec');
  });

  it('no argv after exec is a usage error', async () => {
    expect((await t0ken(['exec'])).code).toBe(2);
    expect((await t0ken(['exec', '--'])).code).toBe(2);
    expect((await t0ken(['exec', '--bogus', 'true'])).code).toBe(2);
  });
});

/** This process's environment without the variables a test must not pass on (T0KEN_*, MNEMOM_*, CI). */
function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(T0KEN_|MNEMOM_|CI$)/.test(k)) env[k] = v;
  return env;
}

/** Starts `t0ken exec` on a program that reports each signal it receives; resolves when it is ready. */
function startTrap(extraEnv: Record<string, string> = {}) {
  const script = `for (const s of ['SIGINT','SIGTERM','SIGHUP','SIGQUIT']) process.on(s, () => { console.log('got ' + s); if (s === 'SIGQUIT') process.exit(7); }); console.log('ready'); setInterval(() => {}, 1000);`;
  const env = { ...cleanEnv(), ...base(), ...extraEnv };
  const child = spawn(process.execPath, [BIN, 'exec', '--', process.execPath, '-e', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  const waiting: Array<() => void> = [];
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    for (const check of [...waiting]) check();
  });
  const waitFor = (text: string) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (!stdout.includes(text)) return;
        waiting.splice(waiting.indexOf(check), 1);
        resolve();
      };
      waiting.push(check);
      check();
    });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  exited.then(() => clearTimeout(timer));
  return { child, waitFor, exited, output: () => stdout };
}

describe('exec with arguments near the system\'s limit', () => {
  it('arguments that fit t0ken but not the program (t0ken adds its variables): exit 126 saying so; Node 22 and 24 aborted (SIGABRT, a native stack trace)', () => {
    const env = { ...process.env, ...base() } as Record<string, string>;
    const run = (total: number) => {
      const parts = Math.ceil(total / 100_000);
      const args = Array.from({ length: parts }, (_, i) => 'x'.repeat(i === parts - 1 ? total - 100_000 * (parts - 1) : 100_000));
      return spawnSync(process.execPath, [BIN, 'exec', '--', 'true', ...args], { encoding: 'utf8', env });
    };
    // The largest argument list t0ken itself starts with (the system's limit depends on the stack size).
    let fits = 100_000;
    let tooBig = 8 * 1024 * 1024;
    while (tooBig - fits > 64) {
      const middle = Math.floor((fits + tooBig) / 2);
      if ((run(middle).error as NodeJS.ErrnoException | undefined)?.code === 'E2BIG') tooBig = middle;
      else fits = middle;
    }
    const result = run(fits);
    expect(result.signal, result.stderr).toBeNull();
    expect(result.status, result.stderr).toBe(126);
    expect(result.stderr).toMatch(/^t0ken: true: cannot execute: its arguments and environment are too long for the system \(E2BIG\)\n[^\n]+\n$/);
  }, 60_000);
});

describe('exec passes signals on', () => {
  it('SIGINT, SIGTERM and SIGHUP reach the program, which decides; SIGQUIT too, and its exit status is t0ken\'s', async () => {
    const trap = startTrap();
    await trap.waitFor('ready');
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      trap.child.kill(signal);
      await trap.waitFor(`got ${signal}`);
    }
    trap.child.kill('SIGQUIT');
    expect(await trap.exited).toEqual({ code: 7, signal: null });
    expect(trap.output()).toBe('ready\ngot SIGINT\ngot SIGTERM\ngot SIGHUP\ngot SIGQUIT\n');
  });

  it('a signal sent to t0ken\'s whole process group (timeout, kill -- -pgid) reaches the program once, not twice', async () => {
    const counter = join(work, 'count-sigint-group.js');
    writeFileSync(counter, COUNT_SIGINT);
    // detached: t0ken leads a process group of its own, as under `timeout` or a supervisor
    const child = spawn(process.execPath, [BIN, 'exec', '--', process.execPath, counter], { env: { ...cleanEnv(), ...base() }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    const ready = new Promise<void>((resolve) => child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (stdout.includes('ready')) resolve();
    }));
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 15_000);
    await ready;
    process.kill(-child.pid!, 'SIGINT');
    expect(await ended).toEqual({ code: 0, signal: null });
    clearTimeout(timer);
    expect(stdout).toBe('ready\ncount=1\n');
  });

  it('SIGUSR1, SIGUSR2, SIGPROF and SIGALRM reach the program too (a child: not Node\'s inspector opened in t0ken, nor t0ken ended with the child left running)', async () => {
    const script = `for (const s of ['SIGUSR1','SIGUSR2','SIGPROF','SIGALRM']) process.on(s, () => { console.log('got ' + s); if (s === 'SIGALRM') process.exit(0); }); console.log('ready'); setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, [BIN, 'exec', '--', process.execPath, '-e', script], { env: { ...cleanEnv(), ...base() }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const waitFor = (text: string) => new Promise<void>((resolve) => {
      const check = () => stdout.includes(text) && resolve();
      child.stdout.on('data', check);
      check();
    });
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await waitFor('ready');
    child.kill('SIGUSR1');
    await waitFor('got SIGUSR1');
    child.kill('SIGUSR2');
    await waitFor('got SIGUSR2');
    child.kill('SIGPROF');
    await waitFor('got SIGPROF');
    child.kill('SIGALRM');
    expect(await ended).toEqual({ code: 0, signal: null });
    clearTimeout(timer);
    expect(stdout).toBe('ready\ngot SIGUSR1\ngot SIGUSR2\ngot SIGPROF\ngot SIGALRM\n');
    expect(stderr).not.toContain('Debugger listening');
  });

  it('a program that does not catch SIGTERM dies of it: t0ken\'s process too (execve) or t0ken exits 143', async () => {
    const child = spawn(process.execPath, [BIN, 'exec', '--', process.execPath, '-e', 'console.log("ready"); setInterval(() => {}, 1000)'], { env: { ...cleanEnv(), ...base() }, stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.kill('SIGTERM');
    const ended = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    expect(ended).toEqual(EXECVE ? { code: null, signal: 'SIGTERM' } : { code: 143, signal: null });
  });
});

describe('exec at a terminal', () => {
  const hasScript = requirePart('script (util-linux, a pseudo-terminal)', commandProbe('script', ['--version']));
  it.runIf(hasScript)('Ctrl-C reaches the program once (from the terminal), not twice; a program that dies of it gives 130', async () => {
    const counter = join(work, 'count-sigint.js');
    writeFileSync(counter, COUNT_SIGINT);
    const dies = join(work, 'die-on-sigint.js');
    writeFileSync(dies, `console.log('ready'); setInterval(() => {}, 1000);`);
    expect(await inTerminal(`${T0KEN_EXEC} ${process.execPath} ${counter}; echo "status=$?"`)).toMatch(/count=1\nstatus=0/);
    // A trap, so that bash does not end itself with the program's SIGINT death (as it does when it got Ctrl-C too).
    expect(await inTerminal(`trap : INT; ${T0KEN_EXEC} ${process.execPath} ${dies}; echo "status=$?"`)).toMatch(/status=130/);
  });

  it.runIf(hasScript)('Ctrl-C reaches the program once when stdin is not the terminal: the terminal signals its foreground group, whatever stdin is', async () => {
    const counter = join(work, 'count-sigint-redirected.js');
    writeFileSync(counter, COUNT_SIGINT);
    expect(await inTerminal(`${T0KEN_EXEC} ${process.execPath} ${counter} < /dev/null; echo "status=$?"`)).toMatch(/count=1\nstatus=0/);
  });

  it.runIf(hasScript)('a background job (job control on) that is sent SIGINT with kill passes it on: the terminal did not send it', async () => {
    const counter = join(work, 'count-sigint-background.js');
    const ready = join(work, 'background-ready');
    // ready once its SIGINT handler is there: with execve the kill goes straight to the program
    writeFileSync(counter, `${COUNT_SIGINT} require('fs').writeFileSync(${JSON.stringify(ready)}, '');`);
    const command = `set -m; ${T0KEN_EXEC} ${process.execPath} ${counter} & while [ ! -e ${ready} ]; do sleep 0.05; done; kill -INT $!; wait $!; echo "status=$?"`;
    expect(await inTerminal(command, false)).toMatch(/count=1\n(?:.*Done.*\n)?status=0\n/); // bash may report the job done in between
  });

  it('--debug exec never prints a key, even when the program is not found', async () => {
    const result = await t0ken(['--debug', 'exec', '--', 'no-such-program-t0ken']);
    expect(result.code).toBe(127);
    expect(result.stdout + result.stderr).not.toContain(t0kenKey);
    expect(result.stdout + result.stderr).not.toContain(MNEMOM_KEY);
  });
});

/** A program that counts the SIGINTs it gets in the 400 ms after the first, then prints the count and exits 0. */
const COUNT_SIGINT = `let n = 0; process.on('SIGINT', () => { if (++n === 1) setTimeout(() => { console.log('count=' + n); process.exit(0); }, 400); }); console.log('ready'); setInterval(() => {}, 1000);`;
const T0KEN_EXEC = `${process.execPath} ${BIN} exec --`;

/**
 * Runs a bash command line in a pseudo-terminal (script(1)); with `pressCtrlC`, types Ctrl-C once the
 * output says ready. Resolves with what the terminal showed, without carriage returns.
 */
function inTerminal(commandLine: string, pressCtrlC = true): Promise<string> {
  return new Promise<string>((resolve) => {
    const env = cleanEnv();
    // script runs the command with $SHELL -c. Pin bash: dash -c (Debian's /bin/sh, what script picks
    // when SHELL is unset, as in CI) also gets the terminal's SIGINT and dies of it once its child has
    // exited, even with status 0, so `echo status` would never run whatever t0ken does.
    const child = spawn('script', ['-qec', commandLine, '/dev/null'], { env: { ...env, ...base(), SHELL: '/bin/bash' }, stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (pressCtrlC && out.includes('ready') && !out.includes('^C')) child.stdin.write('\x03');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve(out.replace(/\r/g, ''));
    });
  });
}
