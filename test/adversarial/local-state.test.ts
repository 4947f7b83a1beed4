import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync, chownSync, closeSync, cpSync, existsSync, ftruncateSync, fstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync,
  renameSync, rmSync, statfsSync, statSync, symlinkSync, writeFileSync, writeSync,
} from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli, type RunResult } from '../helpers/cli.js';
import { run } from '../helpers/run.js';
import { commandProbe, requirePart, rootProbe } from '../helpers/real-part.js';
import { seededRandom } from '../helpers/random.js';
import { useSandbox } from '../helpers/sandbox.js';

/**
 * The local state against a hostile or broken file system, with real parts: a real non-root user
 * (setpriv to uid 65534) for permissions, a real 64 KiB tmpfs for a full disk, real SIGKILLs.
 * "Another user" is root planting files in the victim's way.
 */

const NOBODY = 65534;
const FP = `fp_${'c'.repeat(32)}`;
const asNobody = requirePart('a non-root user (setpriv to uid 65534)', () => rootProbe() ?? commandProbe('setpriv')());
const withTmpfs = requirePart('a 64 KiB tmpfs', () => rootProbe() ?? tmpfsProbe());
const withMountNamespace = requirePart('a mount namespace (unshare -m, as root)', () => rootProbe() ?? mountNamespaceProbe());

const sandbox = useSandbox();
let root: string;       // everything this file creates, removed at the end
let checkout: string;   // bin/ + dist/ + package.json, readable by uid 65534
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 't0ken-local-state-'));
  chmodSync(root, 0o755);
  checkout = join(root, 'checkout');
  const repo = fileURLToPath(new URL('../../', import.meta.url));
  for (const part of ['bin', 'dist', 'package.json']) cpSync(join(repo, part), join(checkout, part), { recursive: true });
  execFileSync('chmod', ['-R', 'a+rX', checkout]);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

let nextDir = 0;
/** A fresh directory under `root`, with the given owner and mode. */
function freshDir(mode: number, owner = NOBODY): string {
  const dir = join(root, `d${nextDir++}`);
  mkdirSync(dir);
  chownSync(dir, owner, owner);
  chmodSync(dir, mode);
  return dir;
}

const posts = (suffix: string) => sandbox.requests.filter((r) => r.method === 'POST' && r.path.endsWith(suffix)).length;
const tempFiles = (dir: string) => readdirSync(dir).filter((name) => name.includes('.tmp-'));
const apiFor = (tenant: string) => `${sandbox.url}/${tenant}/api/v1`;

/**
 * Runs t0ken as uid 65534 (no supplementary groups) from the copied checkout, with a clean environment
 * (`HOME: undefined` leaves HOME out; `uid` runs as another uid, one the password database may not know).
 */
function runAsNobody(args: readonly string[], env: Record<string, string | undefined>, input = '', uid = NOBODY): Promise<RunResult> {
  const clean = Object.fromEntries(Object.entries({ PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: join(root, 'nobody-home'), ...env }).filter(([, value]) => value !== undefined));
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('setpriv', ['--reuid', String(uid), '--regid', String(uid), '--clear-groups', process.execPath, join(checkout, 'bin', 't0ken.js'), ...args], { env: clean, cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

describe.runIf(asNobody)('as a real non-root user', () => {
  it('a read-only config dir (chmod 500): register and claim exit 7 before their request, with the chmod to run', async () => {
    const dir = freshDir(0o700);
    const env = { T0KEN_CONFIG_DIR: dir, T0KEN_API_URL: apiFor('ro'), T0KEN_FINGERPRINT: FP };
    expect((await runAsNobody(['register'], env)).code).toBe(0);
    const before = readFileSync(join(dir, 'config.json'), 'utf8');
    chmodSync(dir, 0o500);
    const registers = posts('/ro/api/v1/agents/auto-register');
    const claims = posts('/ro/api/v1/agents/claim/init');

    const register = await runAsNobody(['register', '--force'], env);
    expect(register.code, register.stderr).toBe(7);
    expect(register.stderr).toContain('EACCES');
    expect(register.stderr).toContain(`chmod u+rwx ${dir}`);
    expect(register.stderr).not.toMatch(/bug|unexpected/);
    const claim = await runAsNobody(['claim', '--email', 'owner@example.com'], env);
    expect(claim.code, claim.stderr).toBe(7);
    // The service was never asked: no key issued, no code burnt.
    expect(posts('/ro/api/v1/agents/auto-register')).toBe(registers);
    expect(posts('/ro/api/v1/agents/claim/init')).toBe(claims);
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe(before);
    expect(readdirSync(dir)).toEqual(['config.json']); // no 0-byte lock, no temp file
    // Reading still works.
    expect((await runAsNobody(['whoami'], env)).code).toBe(0);
  });

  it('another user\'s config.json that we may not even open (mode 600): exit 7 saying whose it is, not a chmod only its owner can run', async () => {
    const dir = freshDir(0o700);
    const env = { T0KEN_CONFIG_DIR: dir, T0KEN_API_URL: apiFor('theirs-600'), T0KEN_FINGERPRINT: FP };
    expect((await runAsNobody(['register'], env)).code).toBe(0);
    const file = join(dir, 'config.json');
    chownSync(file, 0, 0);
    chmodSync(file, 0o600);
    const before = readFileSync(file, 'utf8');
    const whoami = await runAsNobody(['whoami'], env);
    expect(whoami.code, whoami.stderr).toBe(7);
    expect(whoami.stderr).toMatch(/^t0ken: the config file \S+ is owned by another user \(uid 0\)[^\n]*\n[^\n]*sudo chown[^\n]*\n$/);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('a symlink planted in a 0777 dir is refused, and its target (the victim\'s file) is neither written nor chmod-ed', async () => {
    const shared = freshDir(0o777, 0);
    const victimFile = join(freshDir(0o700), 'app.json');
    writeFileSync(victimFile, 'the victim\'s own data\n', { mode: 0o640 });
    chownSync(victimFile, NOBODY, NOBODY);
    chmodSync(victimFile, 0o640);
    symlinkSync(victimFile, join(shared, 'config.json'));
    const env = { T0KEN_CONFIG_DIR: shared, T0KEN_API_URL: apiFor('shared'), T0KEN_FINGERPRINT: FP };
    for (const args of [['register'], ['whoami'], ['agent', 'login', '--with-token']]) {
      const result = await runAsNobody(args, { ...env, MNEMOM_API_URL: sandbox.mnemomUrl }, 'mnm_planted_symlink_case_0123456789\n');
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(7);
      expect(result.stderr).toMatch(/writable by everyone/);
      expect(result.stderr).toContain(`chmod 700 ${shared}`);
    }
    expect(posts('/shared/api/v1/agents/auto-register')).toBe(0);
    expect(readFileSync(victimFile, 'utf8')).toBe('the victim\'s own data\n');
    expect(statSync(victimFile).mode & 0o777).toBe(0o640);
  });

  it('in the victim\'s own 0700 dir, a symlinked config.json or lock is refused with the mv to run; the target is untouched', async () => {
    const dir = freshDir(0o700);
    const target = join(root, 'elsewhere.json');
    writeFileSync(target, '{"not": "yours"}', { mode: 0o644 });
    symlinkSync(target, join(dir, 'config.json'));
    const env = { T0KEN_CONFIG_DIR: dir, T0KEN_API_URL: apiFor('link'), T0KEN_FINGERPRINT: FP };
    for (const args of [['whoami'], ['register']]) {
      const result = await runAsNobody(args, env);
      expect(result.code, result.stderr).toBe(7);
      expect(result.stderr).toMatch(/is a symbolic link/);
      expect(result.stderr).toContain(`mv ${join(dir, 'config.json')}`);
    }
    expect(readFileSync(target, 'utf8')).toBe('{"not": "yours"}');
    expect(statSync(target).mode & 0o777).toBe(0o644);

    rmSync(join(dir, 'config.json'));
    symlinkSync(target, join(dir, 'config.json.lock'));
    const locked = await runAsNobody(['register'], env);
    expect(locked.code, locked.stderr).toBe(7);
    expect(locked.stderr).toMatch(/lock file .* is a symbolic link/);
    expect(posts('/link/api/v1/agents/auto-register')).toBe(0);
    expect(readFileSync(target, 'utf8')).toBe('{"not": "yours"}');
  });

  it('a HOME this user may not enter (sudo -E, say): exit 7 saying so, not a permissions riddle', async () => {
    const closed = freshDir(0o700, 0);
    const result = await runAsNobody(['register'], { HOME: closed, T0KEN_API_URL: apiFor('closed-home'), T0KEN_FINGERPRINT: FP });
    expect(result.code, result.stderr).toBe(7);
    expect(result.stderr).toContain(`cannot reach the config directory ${closed}/.config/t0ken: permission denied (EACCES)`);
    expect(result.stderr).toMatch(/is HOME right\? Or set T0KEN_CONFIG_DIR/);
    expect(posts('/closed-home/api/v1/agents/auto-register')).toBe(0);
  });

  it('no HOME and a uid the password database does not know (a container\'s arbitrary uid): exit 7 saying to set HOME, never exit 1', async () => {
    const uid = 54321;
    expect(readFileSync('/etc/passwd', 'utf8')).not.toMatch(new RegExp(`^[^:]*:[^:]*:${uid}:`, 'm'));
    const env = { HOME: undefined, T0KEN_API_URL: apiFor('nohome'), T0KEN_FINGERPRINT: FP };
    for (const args of [['whoami'], ['register']]) {
      const result = await runAsNobody(args, env, '', uid);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(7);
      expect(result.stderr).toContain('HOME is not set');
      expect(result.stderr).toMatch(/export T0KEN_CONFIG_DIR=/);
    }
    expect((await runAsNobody(['fingerprint'], env, '', uid)).code).toBe(0); // needs no directory
    // With T0KEN_CONFIG_DIR set, t0ken's own commands work; what lives under HOME says to set it.
    const dir = freshDir(0o700, uid);
    const withDir = { ...env, T0KEN_CONFIG_DIR: dir };
    expect((await runAsNobody(['register'], withDir, '', uid)).code).toBe(0);
    for (const args of [['link', 'memoryx-python'], ['mcp', 'config', '--client', 'cursor', '--write', '--', 'npx', 'srv']]) {
      const result = await runAsNobody(args, withDir, '', uid);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(7);
      expect(result.stderr).toMatch(/HOME/);
    }
    const all = await runAsNobody(['whoami', '--all'], withDir, '', uid); // reads only: says what it could not look at
    expect(all.code, all.stderr).toBe(0);
    expect(all.stderr).toContain('warning: HOME is not set, and the password database has no home for this user, so ~/.memoryx/config.json has no place');
  });

  it('a HOME this user may not write (mode 500): the chmod named is for HOME itself, not a ~/.config that does not exist; link\'s hint is about HOME, not T0KEN_CONFIG_DIR', async () => {
    const home = freshDir(0o500);
    const register = await runAsNobody(['register'], { HOME: home, T0KEN_API_URL: apiFor('ro-home'), T0KEN_FINGERPRINT: FP });
    expect(register.code, register.stderr).toBe(7);
    expect(register.stderr).toContain(`You may not create files in ${home}: run chmod u+rwx ${home} `);
    expect(posts('/ro-home/api/v1/agents/auto-register')).toBe(0);

    const env = { HOME: home, T0KEN_CONFIG_DIR: freshDir(0o700), T0KEN_API_URL: apiFor('ro-home'), T0KEN_FINGERPRINT: FP };
    expect((await runAsNobody(['register'], env)).code).toBe(0);
    const link = await runAsNobody(['link', 'memoryx-python'], env);
    expect(link.code, link.stderr).toBe(7);
    expect(link.stderr).toContain(`run chmod u+rwx ${home} (or check that HOME is your own home directory)`);
    expect(link.stderr).not.toContain('T0KEN_CONFIG_DIR');
    // A MemoryX file this user may not read (mode 000): its hint is about HOME too
    const writable = freshDir(0o700);
    mkdirSync(join(writable, '.memoryx'), { mode: 0o700 });
    chownSync(join(writable, '.memoryx'), NOBODY, NOBODY);
    writeFileSync(join(writable, '.memoryx', 'config.json'), '{}');
    chownSync(join(writable, '.memoryx', 'config.json'), NOBODY, NOBODY);
    chmodSync(join(writable, '.memoryx', 'config.json'), 0o000);
    const unreadable = await runAsNobody(['link', 'memoryx-python'], { ...env, HOME: writable });
    expect(unreadable.code, unreadable.stderr).toBe(7);
    expect(unreadable.stderr).toContain('check that HOME is your own home directory');
    expect(unreadable.stderr).not.toContain('T0KEN_CONFIG_DIR');
    // A project this user may not write (the tests' root, its cwd): the file named, the errno in words, not Node's message about a lock file
    const mcp = await runAsNobody(['mcp', 'config', '--client', 'claude-code', '--write', '--', 'npx', 'srv'], env);
    expect(mcp.code, mcp.stderr).toBe(7);
    expect(mcp.stderr).toContain(`could not write ${join(root, '.mcp.json')}: permission denied (EACCES)`);
    expect(mcp.stderr).not.toContain('lock');
  });

  it('a config dir or config.json of another user is refused before anything is read or sent', async () => {
    const theirs = freshDir(0o755, 1234);
    const dirResult = await runAsNobody(['whoami'], { T0KEN_CONFIG_DIR: theirs });
    expect(dirResult.code, dirResult.stderr).toBe(7);
    expect(dirResult.stderr).toMatch(/belongs to another user \(uid 1234\)/);

    const mine = freshDir(0o700);
    writeFileSync(join(mine, 'config.json'), '{"version": 1, "t0ken": {}, "mnemom": {}}', { mode: 0o644 });
    chownSync(join(mine, 'config.json'), 1234, 1234);
    const fileResult = await runAsNobody(['register'], { T0KEN_CONFIG_DIR: mine, T0KEN_API_URL: apiFor('theirs'), T0KEN_FINGERPRINT: FP });
    expect(fileResult.code, fileResult.stderr).toBe(7);
    expect(fileResult.stderr).toMatch(/config file .* is owned by another user \(uid 1234\)/);
    expect(statSync(join(mine, 'config.json')).mode & 0o777).toBe(0o644); // not chmod-ed either
    expect(posts('/theirs/api/v1/agents/auto-register')).toBe(0);
  });

  it('another user\'s lock planted in the config dir: exit 7 at once naming it, nothing sent', async () => {
    const dir = freshDir(0o700);
    const lock = join(dir, 'config.json.lock');
    writeFileSync(lock, `1 1 ${Date.now()} planted`);
    chownSync(lock, 1234, 1234);
    const result = await runAsNobody(['register'], { T0KEN_CONFIG_DIR: dir, T0KEN_API_URL: apiFor('foreign-lock'), T0KEN_FINGERPRINT: FP });
    expect(result.code, result.stderr).toBe(7);
    expect(result.ms).toBeLessThan(5000);
    expect(result.stderr).toMatch(/lock file .*config\.json\.lock is owned by another user \(uid 1234\)/);
    expect(result.stderr).toContain(`mv ${lock}`);
    expect(posts('/foreign-lock/api/v1/agents/auto-register')).toBe(0);
  });
});

describe.runIf(withTmpfs)('a full disk (a real 64 KiB tmpfs)', () => {
  it('exit 7 with the ENOSPC hint, before the request; what was stored is kept; no 0-byte lock or temp file', async () => {
    const mountPoint = mkdtempSync(join(root, 'tmpfs-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'tmpfs', mountPoint]);
    try {
      const dir = join(mountPoint, 'config');
      const env = { T0KEN_CONFIG_DIR: dir, T0KEN_API_URL: apiFor('disk-a'), MNEMOM_API_URL: sandbox.mnemomUrl, T0KEN_FINGERPRINT: FP };
      expect((await run(['register'], { env })).code).toBe(0);
      const stored = readFileSync(join(dir, 'config.json'), 'utf8');
      const filler = fillUp(join(mountPoint, 'filler'));

      const register = await run(['register'], { env: { ...env, T0KEN_API_URL: apiFor('disk-b') } });
      expect(register.code, register.stderr).toBe(7);
      expect(register.stderr).toContain('ENOSPC');
      expect(register.stderr).toMatch(/is full: free some space \(df -h/);
      expect(register.stderr).not.toMatch(/permission|chmod|bug/i);
      expect(posts('/disk-b/api/v1/agents/auto-register')).toBe(0);
      expect(readdirSync(dir)).toEqual(['config.json']);

      // One page free: the lock fits, the new file does not. The write fails cleanly, the old file stays.
      filler.leavePages(1);
      const login = await run(['agent', 'login', '--with-token'], { env, input: 'mnm_full_disk_case_0123456789abcdef\n' });
      expect(login.code, login.stderr).toBe(7);
      expect(login.stderr).toContain('ENOSPC');
      expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe(stored);
      expect(readdirSync(dir)).toEqual(['config.json']);

      filler.remove();
      // The filler's pages come back to the tmpfs when the kernel drops its last reference; once in
      // a CI run the register below still found the disk full, so the space it needs is awaited.
      const free = await freeBytesOnceAtLeast(mountPoint, 32 * 1024, 10_000);
      const again = await run(['register'], { env: { ...env, T0KEN_API_URL: apiFor('disk-b') } });
      expect(again.code, `${again.stderr}(${free} bytes free on the tmpfs before it ran)`).toBe(0);
      expect(Object.keys(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).t0ken)).toHaveLength(2);
    } finally {
      execFileSync('umount', [mountPoint]);
    }
  });
});

describe.runIf(withTmpfs)('a read-only file system (a real tmpfs remounted ro)', () => {
  it('exit 7 with the read-only hint, before the request; reading still works', async () => {
    const mountPoint = mkdtempSync(join(root, 'rofs-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'tmpfs', mountPoint]);
    try {
      const dir = join(mountPoint, 'config');
      const env = { T0KEN_CONFIG_DIR: dir, T0KEN_API_URL: apiFor('rofs'), T0KEN_FINGERPRINT: FP };
      expect((await run(['register'], { env })).code).toBe(0);
      execFileSync('mount', ['-o', 'remount,ro', mountPoint]);
      const before = posts('/rofs/api/v1/agents/auto-register');
      const result = await run(['register', '--force'], { env });
      expect(result.code, result.stderr).toBe(7);
      expect(result.stderr).toContain('EROFS');
      expect(result.stderr).toMatch(/is on a read-only file system: remount it read-write, or set T0KEN_CONFIG_DIR to a directory of your own/);
      expect(posts('/rofs/api/v1/agents/auto-register')).toBe(before);
      expect((await run(['whoami'], { env })).code).toBe(0);
    } finally {
      execFileSync('umount', [mountPoint]);
    }
  });
});

describe('storing fails after the service acted', () => {
  it('claim: exit 7 showing the issued code and how to use it (not "a bug", not a lost code)', async () => {
    const dir = freshDir(0o700, process.getuid?.() ?? 0);
    const env = { T0KEN_CONFIG_DIR: dir, T0KEN_API_URL: apiFor('after'), T0KEN_FINGERPRINT: FP, T0KEN_CREDENTIAL_STORE: 'file' };
    expect((await run(['register'], { env })).code).toBe(0);
    const path = join(dir, 'config.json');
    // A service that answers the claim, while something takes config.json's place between the
    // check before the request and the write after it.
    const server = createServer((req, res) => {
      if (req.method === 'POST' && req.url?.endsWith('/agents/claim/init')) {
        renameSync(path, `${path}.moved`);
        mkdirSync(path);
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ success: true, data: { verification_code: '654321', expires_at: new Date(Date.now() + 600_000).toISOString() } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
      const data = JSON.parse(readFileSync(path, 'utf8'));
      data.t0ken = { [url]: data.t0ken[apiFor('after')] };
      writeFileSync(path, JSON.stringify(data));
      const result = await run(['claim', '--email', 'owner@example.com'], { env: { ...env, T0KEN_API_URL: url } });
      expect(result.code, result.stderr).toBe(7);
      expect(result.stderr).toMatch(/the service issued verification code 654321 for owner@example\.com .*, but t0ken could not store it: .*not a regular file/);
      expect(result.stderr).toContain('t0ken verify --code 654321');
      expect(result.stderr).not.toMatch(/bug|unexpected/);
    } finally {
      server.close();
    }
  });
});

describe('temp files never outlive their command', () => {
  it('a temp file left by a SIGKILLed writer is removed by the next write; real SIGKILLs leave none behind after it', async () => {
    const dir = freshDir(0o700, process.getuid?.() ?? 0);
    const env = { T0KEN_CONFIG_DIR: dir, MNEMOM_API_URL: sandbox.mnemomUrl };
    // What a killed writer leaves: a 0600 file holding every key.
    writeFileSync(join(dir, 'config.json.tmp-99999-deadbeef'), '{"mnemom": {"x": {"api_key": "mnm_left_behind_secret"}}}', { mode: 0o600 });
    const random = seededRandom('temp files');
    for (let round = 0; round < 12; round++) {
      const child = spawn(process.execPath, [BIN, 'agent', 'login', '--with-token'], { env: { ...process.env, ...env }, stdio: ['pipe', 'ignore', 'ignore'] });
      const closed = new Promise((r) => child.once('close', r));
      child.stdin.on('error', () => {});
      child.stdin.end(`mnm_killed_round_${String(round).padStart(4, '0')}_xxxxxxxx\n`);
      await new Promise((r) => setTimeout(r, 80 + Math.floor(random() * 200)));
      child.kill(round % 3 === 2 ? 'SIGTERM' : 'SIGKILL');
      await closed;
      // A SIGTERM is a clean death: it removes its own temp file at once. (A temp file of an earlier
      // SIGKILLed round may still be there: on a loaded machine the writers after it can die before
      // their first write sweeps it; the write after the loop must.)
      if (round % 3 === 2) expect(tempFiles(dir).filter((name) => name.startsWith(`config.json.tmp-${child.pid}-`))).toEqual([]);
    }
    // The next write (a reader leaves a dead writer's lock for the next writer to take over).
    const next = await run(['agent', 'login', '--with-token'], { env, input: 'mnm_after_the_kills_0123456789abcdef\n' });
    expect(next.code, next.stderr).toBe(0);
    expect(tempFiles(dir)).toEqual([]);
    expect(existsSync(join(dir, 'config.json.lock'))).toBe(false);
  });
});

describe('size and encoding of config.json', () => {
  const envFor = (dir: string) => ({ T0KEN_CONFIG_DIR: dir, T0KEN_API_URL: apiFor('size'), MNEMOM_API_URL: sandbox.mnemomUrl, T0KEN_FINGERPRINT: FP });

  it('over 1 MiB (here 30 MB) is exit 7 at once, unread and untouched; just under 1 MiB still works', async () => {
    const dir = freshDir(0o700, process.getuid?.() ?? 0);
    const env = envFor(dir);
    expect((await run(['register'], { env })).code).toBe(0);
    const path = join(dir, 'config.json');
    const valid = readFileSync(path, 'utf8');
    writeFileSync(path, valid.replace(/\n$/, '') + ' '.repeat(1024 * 1024 - Buffer.byteLength(valid)) + '\n');
    expect(statSync(path).size).toBe(1024 * 1024);
    expect((await run(['whoami'], { env })).code).toBe(0);

    const huge = Buffer.alloc(30 * 1024 * 1024, 0x20);
    Buffer.from(valid).copy(huge);
    writeFileSync(path, huge);
    for (const args of [['whoami'], ['register', '--force']]) {
      const result = await run(args, { env });
      expect(result.code, result.stderr).toBe(7);
      expect(result.ms).toBeLessThan(3000);
      expect(result.stderr).toMatch(/30\.0 MiB, over the 1 MiB/);
      expect(result.stderr).toContain(`mv ${path}`);
    }
    expect(statSync(path).size).toBe(huge.length);
    expect(posts('/size/api/v1/agents/auto-register')).toBe(1);
  });

  it('a config full of accounts (one per sandbox port, say) is never written past 1 MiB: register is exit 7 before its request, agent login after reading; logout still frees room', async () => {
    const dir = freshDir(0o700, process.getuid?.() ?? 0);
    const env = envFor(dir);
    expect((await run(['register'], { env })).code).toBe(0);
    const path = join(dir, 'config.json');
    const data = JSON.parse(readFileSync(path, 'utf8'));
    const account = data.t0ken[apiFor('size')];
    const pretty = (value: unknown) => JSON.stringify(value, null, 2).length;
    const perAccount = pretty({ t0ken: { a: account, 'http://127.0.0.1:40000/api/v1': account } }) - pretty({ t0ken: { a: account } });
    for (let port = 40000, size = pretty(data); size + perAccount < 1024 * 1024 - 100; port++, size += perAccount) data.t0ken[`http://127.0.0.1:${port}/api/v1`] = account;
    writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
    const before = readFileSync(path, 'utf8');
    const sent = posts('/other-size/api/v1/agents/auto-register');

    const register = await run(['register'], { env: { ...env, T0KEN_API_URL: apiFor('other-size') } });
    expect(register.code, register.stderr).toBe(7);
    expect(register.stderr).toContain(`the config file ${path} is full`);
    expect(register.stderr).toContain('T0KEN_API_URL=<url> t0ken logout --yes');
    expect(posts('/other-size/api/v1/agents/auto-register')).toBe(sent); // nothing issued that could not be kept
    const login = await run(['agent', 'login', '--with-token'], { env, input: `mnm_full_config_${'0'.repeat(480)}\n` });
    expect(login.code, login.stderr).toBe(7);
    expect(readFileSync(path, 'utf8')).toBe(before);
    expect((await run(['whoami'], { env })).code).toBe(0);

    const logout = await run(['logout', '--yes'], { env: { ...env, T0KEN_API_URL: 'http://127.0.0.1:40000/api/v1' } });
    expect(logout.code, logout.stderr).toBe(0);
    expect(statSync(path).size).toBeLessThan(Buffer.byteLength(before));
  });

  it('a config that is not JSON is named in the same words on every Node line (their JSON.parse messages differ)', async () => {
    const dir = freshDir(0o700, process.getuid?.() ?? 0);
    writeFileSync(join(dir, 'config.json'), '{"version": 2,}\n', { mode: 0o600 });
    const result = await run(['whoami'], { env: envFor(dir) });
    expect(result.code).toBe(7);
    expect(result.stderr).toContain(`the config file ${join(dir, 'config.json')} is corrupt: invalid JSON (unexpected "}" at line 1, column 15)`);
  });

  it('a UTF-8 byte-order mark (as some editors write) is a valid config, read and rewritten', async () => {
    const dir = freshDir(0o700, process.getuid?.() ?? 0);
    const env = envFor(dir);
    expect((await run(['register'], { env })).code).toBe(0);
    const path = join(dir, 'config.json');
    writeFileSync(path, `\uFEFF${readFileSync(path, 'utf8')}`);
    const whoami = await run(['whoami', '--json'], { env });
    expect(whoami.code, whoami.stderr).toBe(0);
    const login = await run(['agent', 'login', '--with-token'], { env, input: 'mnm_bom_case_0123456789abcdef\n' });
    expect(login.code, login.stderr).toBe(0);
    const data = JSON.parse(readFileSync(path, 'utf8'));
    expect(Object.keys(data.t0ken)).toEqual([apiFor('size')]);
    expect(Object.keys(data.mnemom)).toEqual([sandbox.mnemomUrl]);
  });
});

describe('a relative config path', () => {
  it('an empty HOME writes nothing under the current directory: exit 7 naming T0KEN_CONFIG_DIR and XDG_CONFIG_HOME', async () => {
    const cwd = freshDir(0o700, process.getuid?.() ?? 0);
    const env = { HOME: '', XDG_CONFIG_HOME: undefined, T0KEN_API_URL: apiFor('empty-home'), MNEMOM_API_URL: sandbox.mnemomUrl, T0KEN_FINGERPRINT: FP };
    for (const [args, input] of [[['register']], [['whoami']], [['agent', 'login', '--with-token'], 'mnm_empty_home_case_0123456789\n']] as Array<[string[], string?]>) {
      const result = await runCli(args, { env, cwd, input });
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(7);
      expect(result.stderr).toMatch(/not an absolute path \(HOME is empty/);
      expect(result.stderr).toMatch(/T0KEN_CONFIG_DIR.*XDG_CONFIG_HOME/);
    }
    expect(readdirSync(cwd)).toEqual([]);
    expect(posts('/empty-home/api/v1/agents/auto-register')).toBe(0);

    const relative = await runCli(['register'], { env: { ...env, HOME: '/nonexistent', T0KEN_CONFIG_DIR: 'conf/t0ken' }, cwd });
    expect(relative.code).toBe(7);
    expect(relative.stderr).toMatch(/T0KEN_CONFIG_DIR is a relative path/);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it.runIf(withMountNamespace)('with no machine id (an empty /etc/machine-id), fingerprint keeps its install id under the same rules: a relative or world-writable config dir is exit 7, nothing created', async () => {
    const empty = join(root, 'empty-machine-id');
    writeFileSync(empty, '');
    const noMachineId = (args: string[], env: Record<string, string>, cwd: string) => {
      const binds = ['/etc/machine-id', '/var/lib/dbus/machine-id'].filter((file) => existsSync(file)).map((file) => `mount --bind ${empty} ${file}`);
      const script = `${binds.join(' && ')} && exec "$0" "$@"`;
      return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script, process.execPath, join(checkout, 'bin', 't0ken.js'), ...args], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent', ...env }, cwd });
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
        child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
    };
    const cwd = freshDir(0o700, process.getuid?.() ?? 0);
    const relative = await noMachineId(['fingerprint'], { T0KEN_CONFIG_DIR: 'conf' }, cwd);
    expect(relative.code, relative.stderr).toBe(7);
    expect(relative.stderr).toMatch(/T0KEN_CONFIG_DIR is a relative path/);
    expect(readdirSync(cwd)).toEqual([]);
    const open = freshDir(0o777, process.getuid?.() ?? 0);
    const shared = await noMachineId(['fingerprint'], { T0KEN_CONFIG_DIR: open }, cwd);
    expect(shared.code, shared.stderr).toBe(7);
    expect(shared.stderr).toMatch(/writable by everyone/);
    expect(readdirSync(open)).toEqual([]);
    // A directory of the user's own: the install id is created there (0600), in a new 0700 directory
    const own = join(freshDir(0o700, process.getuid?.() ?? 0), 't0ken');
    const made = await noMachineId(['fingerprint', '--json'], { T0KEN_CONFIG_DIR: own }, cwd);
    expect(made.code, made.stderr).toBe(0);
    expect(JSON.parse(made.stdout).source).toBe('install-id');
    expect(statSync(own).mode & 0o777).toBe(0o700);
    expect(statSync(join(own, 'install-id')).mode & 0o777).toBe(0o600);
  });

  it('a group-writable dir (0770) is refused too', async () => {
    const dir = freshDir(0o770, process.getuid?.() ?? 0);
    const result = await run(['whoami'], { env: { T0KEN_CONFIG_DIR: dir } });
    expect(result.code).toBe(7);
    expect(result.stderr).toMatch(/writable by its group \(mode 770\)/);
  });
});

/** Whether a private mount namespace with a bind mount can be made here (root in a container may lack the capability). */
function mountNamespaceProbe(): string | undefined {
  try {
    execFileSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', 'mount --bind /etc/hostname /etc/hostname'], { stdio: 'ignore' });
    return undefined;
  } catch (error) {
    return `unshare -m failed (${(error as Error).message.split('\n')[0]})`;
  }
}

/** Whether a tmpfs can be mounted here (root in a container may lack the capability). */
function tmpfsProbe(): string | undefined {
  const probe = mkdtempSync(join(tmpdir(), 't0ken-tmpfs-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return undefined;
  } catch (error) {
    return `mount -t tmpfs failed (${(error as Error).message.split('\n')[0]})`;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

/** Fills a file system with one file until ENOSPC; `leavePages(n)` then frees n pages of it. */
/** The free bytes of the file system at `path`, once they reach `bytes` or when `ms` have passed. */
async function freeBytesOnceAtLeast(path: string, bytes: number, ms: number): Promise<number> {
  const deadline = Date.now() + ms;
  for (;;) {
    const { bavail, bsize } = statfsSync(path);
    if (bavail * bsize >= bytes || Date.now() > deadline) return bavail * bsize;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function fillUp(path: string): { leavePages(pages: number): void; remove(): void } {
  const fd = openSync(path, 'w');
  const page = Buffer.alloc(4096, 0x78);
  try {
    for (;;) writeSync(fd, page);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  }
  return {
    leavePages(pages) {
      const size = Math.floor(fstatSync(fd).size / 4096) * 4096;
      ftruncateSync(fd, size - pages * 4096);
    },
    remove() {
      closeSync(fd);
      rmSync(path);
    },
  };
}
