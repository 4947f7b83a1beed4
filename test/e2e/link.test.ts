import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { run } from '../helpers/run.js';
import { commandProbe, requirePart, rootProbe } from '../helpers/real-part.js';
import { useConfigDir, useProjectAndHome, useSandbox } from '../helpers/sandbox.js';

/**
 * `t0ken link memoryx-python`: ~/.memoryx/config.json, shaped as the MemoryX Python SDK writes it,
 * in a temp HOME, and read back by python3 running the SDK's own test (connect_memory reuses the
 * file's api_key only when its machine_fingerprint is the one the SDK derives on this machine).
 */

const hasPython = requirePart('python3', commandProbe('python3'));
const withTmpfs = requirePart('a tmpfs (mount as root)', () => rootProbe() ?? commandProbe('mount')());

const sandbox = useSandbox();
const config = useConfigDir();
const dirs = useProjectAndHome('t0ken-link-');

const env = (extra: Record<string, string> = {}) => sandbox.env(config.dir, { HOME: dirs.home, T0KEN_FINGERPRINT: `fp_${'d'.repeat(32)}`, ...extra });
const t0ken = (args: string[], extra: Record<string, string> = {}) => run(args, { env: env(extra) });
const sdkFile = () => join(dirs.home, '.memoryx', 'config.json');

/** What the SDK's connect_memory() does with the file: its fingerprint rule and its test, verbatim in effect. */
const SDK_LOAD = `
import hashlib, json, os, platform, socket
fp = hashlib.sha256("|".join([socket.gethostname(), platform.system(), platform.machine(), platform.processor() or "unknown", str(os.cpu_count() or 0)]).encode()).hexdigest()[:32]
path = os.path.expanduser("~/.memoryx/config.json")
saved = json.load(open(path)) if os.path.exists(path) else {}
print(json.dumps({"fingerprint": fp, "reuses": saved.get("api_key") if saved.get("machine_fingerprint") == fp else None}))
`;
const python = (): { fingerprint: string; reuses: string | null } =>
  JSON.parse(execFileSync('python3', ['-c', SDK_LOAD], { env: { ...process.env, HOME: dirs.home }, encoding: 'utf8' }));

const OTHER_KEY = 'omx_agent_StrayPythonSdkAccount_0000wxyz';
/** A file as the SDK writes it after registering on its own: json.dump, default mode. */
function strayFile(fingerprint = 'f'.repeat(32)): string {
  mkdirSync(join(dirs.home, '.memoryx'), { recursive: true, mode: 0o755 });
  const text = JSON.stringify({ api_key: OTHER_KEY, project_id: 'default', user_id: 'machine_stray01', machine_fingerprint: fingerprint, base_url: 'https://t0ken.ai/api' }).replace(/":/g, '": ').replace(/,"/g, ', "');
  writeFileSync(sdkFile(), text, { mode: 0o644 });
  return text;
}
const backups = () => readdirSync(join(dirs.home, '.memoryx')).filter((name) => name.endsWith('.bak'));
const ourKey = async () => (await t0ken(['token'])).stdout.trim();

describe.runIf(hasPython)('the Python SDK reuses what link writes', () => {
  it('its fingerprint is the one python3 derives here, and connect_memory() would reuse t0ken\'s key', async () => {
    expect((await t0ken(['register'])).code).toBe(0);
    const result = await t0ken(['--json', 'link', 'memoryx-python']);
    expect(result.code, result.stderr).toBe(0);
    const body = JSON.parse(result.stdout);
    const sdk = python();
    expect(body.machine_fingerprint).toBe(sdk.fingerprint);
    expect(sdk.reuses).toBe(await ourKey());
    const written = JSON.parse(readFileSync(sdkFile(), 'utf8'));
    expect(Object.keys(written)).toEqual(['api_key', 'project_id', 'user_id', 'machine_fingerprint', 'base_url']);
    expect(written.base_url).toBe(sandbox.t0kenUrl.replace(/\/v1$/, ''));
    expect(statSync(sdkFile()).mode & 0o777).toBe(0o600);
    expect(result.stdout).not.toContain(written.api_key); // masked in the output
  });
});

const withAffinity = requirePart('taskset', commandProbe('taskset', ['-V']));
const withUts = requirePart('a UTS namespace (unshare --uts as root)', () => rootProbe() ?? commandProbe('unshare', ['--version'])());

describe.runIf(hasPython)('the fingerprint follows Python, not Node, where they differ (a process of its own: its CPUs and hostname are the point)', () => {
  /** The fingerprint `link --dry-run` would write and the one python3 derives, both run through `wrap`. */
  async function both(wrap: string[]): Promise<[string, string]> {
    expect((await t0ken(['register'])).code).toBe(0);
    const result = await runCli(['--json', 'link', 'memoryx-python', '--dry-run'], { env: env(), wrap });
    expect(result.code, result.stderr).toBe(0);
    const sdk = JSON.parse(execFileSync(wrap[0]!, [...wrap.slice(1), 'python3', '-c', SDK_LOAD], { env: { ...process.env, HOME: dirs.home }, encoding: 'utf8' }));
    return [JSON.parse(result.stdout).machine_fingerprint, sdk.fingerprint];
  }

  it.runIf(withAffinity)('os.cpu_count() counts the CPUs online, not the ones the process may run on (taskset -c 0)', async () => {
    const [ours, python] = await both(['taskset', '-c', '0']);
    expect(ours).toBe(python);
  });

  it.runIf(withUts)('socket.gethostname() with a hostname that is not ASCII (a UTS namespace of its own)', async () => {
    const [ours, python] = await both(['unshare', '--uts', 'sh', '-c', 'python3 -c "import socket, sys; socket.sethostname(sys.argv[1])" "mäc-mini.local" && exec "$@"', 'sh']);
    expect(ours).toBe(python);
  });
});

describe('another account\'s key in ~/.memoryx/config.json is never lost', () => {
  it('dry-run writes nothing; link keeps it as a named backup; re-link and logout keep it', async () => {
    expect((await t0ken(['register'])).code).toBe(0);
    const original = strayFile();

    const dry = await t0ken(['link', 'memoryx-python', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('another account (user machine_stray01, key omx_agent_…wxyz)');
    expect(dry.stdout).toContain('Nothing was written (--dry-run)');
    expect(readFileSync(sdkFile(), 'utf8')).toBe(original);
    expect(backups()).toEqual([]);

    const link = await t0ken(['link', 'memoryx-python']);
    expect(link.code, link.stderr).toBe(0);
    expect(backups()).toHaveLength(1);
    const backup = join(dirs.home, '.memoryx', backups()[0]!);
    expect(link.stdout).toContain(`kept as ${backup}`);
    expect(link.stdout).toContain('user machine_stray01, key omx_agent_…wxyz');
    expect(link.stdout + link.stderr).not.toContain(OTHER_KEY);
    expect(readFileSync(backup, 'utf8')).toBe(original);
    expect(statSync(backup).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(sdkFile(), 'utf8')).api_key).toBe(await ourKey());

    const again = await t0ken(['link', 'memoryx-python']);
    expect(again.stdout).toContain('nothing changed');
    expect(backups()).toHaveLength(1);

    const logout = await t0ken(['logout', '--yes']);
    expect(logout.code, logout.stderr).toBe(0);
    expect(logout.stderr).toContain(`${sdkFile()} still holds this account's key`);
    expect(readFileSync(backup, 'utf8')).toBe(original);
    expect(existsSync(sdkFile())).toBe(true); // the user's file: named, not deleted
  });

  it('a file without a key is kept too; a file of this account is rewritten in place, keeping the user\'s own fields', async () => {
    expect((await t0ken(['register'])).code).toBe(0);
    mkdirSync(join(dirs.home, '.memoryx'));
    writeFileSync(sdkFile(), '{"note": "mine"}');
    expect((await t0ken(['link', 'memoryx-python'])).code).toBe(0);
    expect(backups()).toHaveLength(1);

    const mine = JSON.parse(readFileSync(sdkFile(), 'utf8'));
    writeFileSync(sdkFile(), JSON.stringify({ ...mine, machine_fingerprint: '0'.repeat(32), extra: 1 }));
    const relink = await t0ken(['--json', 'link', 'memoryx-python']);
    expect(JSON.parse(relink.stdout).state_before).toBe('stale');
    expect(backups()).toHaveLength(1);
    expect(JSON.parse(readFileSync(sdkFile(), 'utf8'))).toEqual({ ...mine, extra: 1 });
  });

  it('register --force that gets a new key names the linked file still holding the old one', async () => {
    expect((await t0ken(['register'])).code).toBe(0);
    expect((await t0ken(['link', 'memoryx-python'])).code).toBe(0);
    const moved = await t0ken(['register', '--force'], { T0KEN_FINGERPRINT: `fp_${'e'.repeat(32)}` });
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stderr).toContain(`${sdkFile()} still holds the previous key; run \`t0ken link memoryx-python\``);
  });

  describe.runIf(withTmpfs)('a write that fails half-way (a full tmpfs)', () => {
    it('exit 7; the other account\'s file is intact; the next link names the backup the failed one kept (not a second copy)', async () => {
      expect((await t0ken(['register'])).code).toBe(0);
      const dir = join(dirs.home, '.memoryx');
      mkdirSync(dir, { mode: 0o700 });
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k,mode=0700', 'tmpfs', dir]);
      try {
        const original = strayFile();
        fillAllButOnePage(join(dir, 'filler'));
        const result = await t0ken(['link', 'memoryx-python']);
        expect(result.code, result.stderr).toBe(7);
        expect(result.stderr).toContain('ENOSPC');
        expect(readFileSync(sdkFile(), 'utf8')).toBe(original);
        for (const name of readdirSync(dir).filter((f) => f.endsWith('.bak'))) expect(readFileSync(join(dir, name), 'utf8')).toBe(original);
        expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);

        rmSync(join(dir, 'filler'));
        const again = await t0ken(['link', 'memoryx-python']);
        expect(again.code, again.stderr).toBe(0);
        expect(backups()).toHaveLength(1); // the backup the failed run kept is the one named now
        expect(again.stdout).toContain(`kept as ${join(dir, backups()[0]!)}`);
        expect(readFileSync(join(dir, backups()[0]!), 'utf8')).toBe(original);
      } finally {
        execFileSync('umount', [dir]);
      }
    });
  });
});

describe('T0KEN_API_KEY and link', () => {
  it('only the stored account\'s own key is written with its user and project: another key, or one no client could send, is exit 2 and nothing is written', async () => {
    expect((await t0ken(['register'])).code).toBe(0);
    const stored = (await t0ken(['token'])).stdout.trim();
    for (const key of [`${stored}\r`, 'omx_agent_SomeOtherAccount0123456789']) {
      const result = await t0ken(['link', 'memoryx-python'], { T0KEN_API_KEY: key });
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(/T0KEN_API_KEY/);
      expect(result.stderr).not.toContain('SomeOtherAccount0123456789');
      expect(existsSync(sdkFile())).toBe(false);
    }
    // Listing writes nothing: a damaged variable does not stop it (whoami shows it the same way)
    for (const args of [['link'], ['whoami', '--all']]) expect((await t0ken(args, { T0KEN_API_KEY: `${stored}\r` })).code, args.join(' ')).toBe(0);
    const same = await t0ken(['link', 'memoryx-python'], { T0KEN_API_KEY: stored });
    expect(same.code, same.stderr).toBe(0);
    expect(JSON.parse(readFileSync(sdkFile(), 'utf8')).api_key).toBe(stored);
    // A damaged T0KEN_API_KEY is no identity to compare with: the linked file is still this machine's, and claiming with it is exit 2
    const listed = await t0ken(['link', '--json'], { T0KEN_API_KEY: `${stored}\r` });
    expect(JSON.parse(listed.stdout).clients.find((c: { client: string }) => c.client === 'memoryx-python').state).toBe('linked');
    const claim = await t0ken(['claim', '--email', 'a@example.com', '--fingerprint', JSON.parse(readFileSync(sdkFile(), 'utf8')).machine_fingerprint], { T0KEN_API_KEY: `${stored}\r` });
    expect(claim.code, claim.stderr).toBe(2);
    expect(claim.stderr).toContain('T0KEN_API_KEY is not an API key');
  });
});

describe('link -q', () => {
  it('prints the file alone: written, or that --dry-run would write; nothing when nothing would change', async () => {
    expect((await t0ken(['register'])).code).toBe(0);
    const plan = await t0ken(['-q', 'link', 'memoryx-python', '--dry-run']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toBe(`${sdkFile()}\n`);
    expect((await t0ken(['-q', 'link', 'memoryx-python'])).stdout).toBe(`${sdkFile()}\n`);
    const again = await t0ken(['-q', 'link', 'memoryx-python', '--dry-run']);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('');
  });
});

describe('the same safety rules as t0ken\'s own files', () => {
  beforeEach(async () => {
    expect((await t0ken(['register'])).code).toBe(0);
  });

  it('a symlinked config.json is refused (exit 7), its target untouched', async () => {
    mkdirSync(join(dirs.home, '.memoryx'));
    const target = join(dirs.home, 'elsewhere.json');
    writeFileSync(target, '{}');
    symlinkSync(target, sdkFile());
    const result = await t0ken(['link', 'memoryx-python']);
    expect(result.code).toBe(7);
    expect(result.stderr).toContain('is a symbolic link');
    expect(readFileSync(target, 'utf8')).toBe('{}');
  });

  it('a ~/.memoryx others can write is refused (exit 7)', async () => {
    mkdirSync(join(dirs.home, '.memoryx'));
    chmodSync(join(dirs.home, '.memoryx'), 0o777);
    const result = await t0ken(['link', 'memoryx-python']);
    expect(result.code).toBe(7);
    expect(result.stderr).toContain('MemoryX directory');
    expect(result.stderr).toContain('chmod 700');
  });

  it('a relative HOME is refused (exit 7): nothing under the current directory (a process of its own: its cwd is the point)', async () => {
    const result = await runCli(['link', 'memoryx-python'], { env: env({ HOME: 'rel' }), cwd: dirs.project });
    expect(result.code).toBe(7);
    expect(result.stderr).toContain('HOME is empty or relative');
    expect(readdirSync(dirs.project)).toEqual([]);
  });

  it('a file that is not JSON is left untouched (exit 7)', async () => {
    mkdirSync(join(dirs.home, '.memoryx'));
    writeFileSync(sdkFile(), 'api_key = x');
    const result = await t0ken(['link', 'memoryx-python']);
    expect(result.code).toBe(7);
    expect(readFileSync(sdkFile(), 'utf8')).toBe('api_key = x');
  });

  it('an unknown client or one reached through exec is a usage error (exit 2)', async () => {
    expect((await t0ken(['link', 'memoryx-ruby'])).code).toBe(2);
    const mcp = await t0ken(['link', 'memoryx-mcp-server']);
    expect(mcp.code).toBe(2);
    expect(mcp.stderr).toContain('t0ken exec');
  });
});

describe('link alone lists each client and where it stands', () => {
  it('not linked, then another account, then this machine\'s', async () => {
    expect((await t0ken(['register'])).code).toBe(0);
    const states = async () => JSON.parse((await t0ken(['--json', 'link'])).stdout).clients.map((c: { client: string; state: string }) => `${c.client}:${c.state}`);
    expect(await states()).toEqual(['memoryx-python:missing', 'memoryx-mcp-server:through-exec', 'memoryx-node:through-exec']);
    strayFile();
    expect((await states())[0]).toBe('memoryx-python:other-account');
    expect((await t0ken(['link', 'memoryx-python'])).code).toBe(0);
    expect((await states())[0]).toBe('memoryx-python:linked');
    const text = await t0ken(['link', '--list']);
    expect(text.stdout).toContain('points at this machine\'s account');
  });
});

/** Fills the file system but one 4 KiB page (the lock's): the next file written there finds no room. */
function fillAllButOnePage(path: string): void {
  try {
    execFileSync('dd', ['if=/dev/zero', `of=${path}`, 'bs=4096'], { stdio: 'ignore' });
  } catch {
    // dd stops at ENOSPC, as wanted
  }
  const size = statSync(path).size;
  execFileSync('truncate', ['-s', String(size - 4096), path]);
}
