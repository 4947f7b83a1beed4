// The README as a newcomer reads it: its shell blocks run as written, and what it states about exit
// codes, claiming and the config location is what the code does.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimSteps } from '../../src/core/claim-story.js';
import { collectManifest } from '../../src/commands/manifest.js';
import { EXIT_CODE_TABLE } from '../../src/core/exit-codes.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { configDir } from '../../src/store/paths.js';
import { BIN } from '../helpers/cli.js';
import { commandProbe, requirePart } from '../helpers/real-part.js';

const readRepoFile = (path: string): string => readFileSync(fileURLToPath(new URL(`../../${path}`, import.meta.url)), 'utf8');
const README = readRepoFile('README.md');
const CONFIGURATION = readRepoFile('docs/configuration.md');

interface Block { heading: string; code: string; skip?: string }

/** The ```sh blocks, each with the heading above it and its `<!-- readme-test: skip (why) -->` marker. */
function shellBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  let heading = '';
  let skip: string | undefined;
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^#{1,4} /.test(line)) heading = line.replace(/^#+ /, '');
    const marker = /^<!-- readme-test: skip \((.+)\) -->$/.exec(line);
    if (marker) skip = marker[1];
    if (line === '```sh') {
      const end = lines.indexOf('```', i + 1);
      blocks.push({ heading, code: lines.slice(i + 1, end).join('\n'), ...(skip ? { skip } : {}) });
      skip = undefined;
      i = end;
    }
  }
  return blocks;
}

const blocks = shellBlocks(README);
let home: string;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 't0ken-readme-'));
  mkdirSync(join(home, 'bin'));
  symlinkSync(BIN, join(home, 'bin', 't0ken'));
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** A fresh login shell's environment: none of t0ken's variables, t0ken on PATH, a HOME of its own. */
function freshEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(T0KEN_|MNEMOM_|ANTHROPIC_|CI$|NO_COLOR$|FORCE_COLOR$|HTTPS?_PROXY$|NO_PROXY$|XDG_|ZDOTDIR$|DBUS_SESSION_BUS_ADDRESS$)/i.test(key)) env[key] = value;
  }
  return { ...env, HOME: home, PATH: `${join(home, 'bin')}:${env.PATH ?? '/usr/bin:/bin'}`, ...extra };
}

function runBlock(code: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runBlockWithInput(code, env, undefined);
}

/** runBlock with `input` on the block's stdin (what a person would type at its prompts). */
function runBlockWithInput(code: string, env: Record<string, string>, input: string | undefined): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // Its own process group: a block that fails before `kill %1` must not leave its sandbox behind.
    const child = spawn('bash', ['--norc', '--noprofile', '-e', '-o', 'pipefail', '-c', code], { env, cwd: home, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], detached: true });
    child.stdin?.end(input);
    const killGroup = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(killGroup, 20_000);
    child.on('error', reject);
    // bash is done when it exits; what it started in the background may still hold the pipes.
    child.on('exit', () => setTimeout(killGroup, 2000).unref());
    child.on('close', (status) => {
      clearTimeout(timer);
      killGroup();
      resolve({ code: status, stdout, stderr });
    });
  });
}

/** Past this the shell is killed: the walk-through runs about 18 commands, and at the suite's start, on 2 cores under the keychain tests' load, it once took over 30 s. */
const PASTE_LIMIT_MS = 100_000;

/**
 * Feeds `code` to an interactive shell on its stdin, line by line, as a paste at its prompt would.
 * stdin is a file: fish refuses a socket (what a Node 'pipe' is) as its input.
 */
function runInteractive(shell: 'bash' | 'zsh' | 'fish', code: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string; killedAfterMs?: number }> {
  const args = { bash: ['--norc', '--noprofile', '-i'], zsh: ['-f', '-i', '+o', 'promptsp', '+o', 'promptcr'], fish: ['--no-config', '-i'] }[shell];
  return new Promise((resolve, reject) => {
    const input = join(mkdtempSync(join(home, 'paste-')), 'block');
    writeFileSync(input, `${code}\nexit\n`);
    const stdin = openSync(input, 'r');
    const child = spawn(shell, args, { env: { ...env, PS1: '', PROMPT: '' }, cwd: home, stdio: [stdin, 'pipe', 'pipe'], detached: true });
    closeSync(stdin);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const started = Date.now();
    let killedAfterMs: number | undefined;
    const timer = setTimeout(() => {
      killedAfterMs = Date.now() - started;
      process.kill(-child.pid!, 'SIGKILL');
    }, PASTE_LIMIT_MS);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ code: status, stdout, stderr, killedAfterMs });
    });
  });
}

/** Something listening on `port`, as a sandbox left running would be; undefined when something already is. */
function occupy(port: number): Promise<{ close(): Promise<void> } | undefined> {
  return new Promise((resolve) => {
    const server = createServer((socket) => socket.end('HTTP/1.1 418 not the sandbox\r\n\r\n'));
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => resolve({ close: () => new Promise<void>((done) => server.close(() => done())) }));
  });
}

/** Waits until process `pid` is gone; false if it is still there after `ms` (then it is killed). */
async function exited(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      return false;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

const block = (heading: string): Block => {
  const found = blocks.find((b) => b.heading === heading);
  if (!found) throw new Error(`no shell block under "${heading}" in the README`);
  return found;
};

describe('the README\'s shell blocks', () => {
  it('each block is run below or says why not', () => {
    const run = ['60 seconds with the sandbox', 'Completions', 'In CI'];
    for (const b of blocks) expect(b.skip !== undefined || run.includes(b.heading), `block under "${b.heading}"`).toBe(true);
    expect(blocks.filter((b) => !b.skip).map((b) => b.heading)).toEqual(run);
  });

  // Pasted at a prompt, not run as a script: an interactive zsh takes `#` as an argument (no
  // INTERACTIVE_COMMENTS), fish has its own syntax, and a busy 8787 must not matter.
  for (const shell of ['bash', 'zsh', 'fish'] as const) {
    it(`"60 seconds with the sandbox" runs as pasted into an interactive ${shell}, with 8787 taken, and stops its sandbox`, async () => {
      if (!requirePart(shell, commandProbe(shell, ['--version'])) || !requirePart('curl', commandProbe('curl', ['--version']))) return;
      expect(README).toMatch(new RegExp(`## 60 seconds[^\n]*\n\n[^\n]*${shell === 'bash' ? 'bash' : shell}`));
      const taken = await occupy(8787);
      const tmp = mkdtempSync(join(home, 'tmp-'));
      try {
        const result = await runInteractive(shell, block('60 seconds with the sandbox').code, freshEnv({ TMPDIR: tmp }));
        expect(result.killedAfterMs, `${shell} was killed mid-walk-through; it had printed:\n${result.stdout}\n${result.stderr}`).toBeUndefined();
        const lines = result.stderr.split('\n');
        // The one error is the one the walk-through shows on purpose (a claim into an org you are not in).
        expect(lines.filter((line) => line.startsWith('t0ken: ')), result.stderr).toEqual([expect.stringMatching(/^t0ken: cannot claim \S+ into organisation org-nobody/)]);
        expect(lines.filter((line) => line.startsWith(`${shell}: `) && !/job control|terminal process group|Inappropriate ioctl/.test(line)), result.stderr).toEqual([]);
        expect(result.stdout).toMatch(/Claimed: this machine account is now linked to you@example\.com/);
        expect(result.stdout).toMatch(/my-agent/);
        expect(result.stdout).toMatch(/memories +0/);
        expect(result.stdout).toMatch(/^rekeyed +\d{4}-/m);
        // The walk-through's own directory: Node >= 22 keeps its compile cache in TMPDIR too.
        const [walkThrough] = readdirSync(tmp).filter((dir) => existsSync(join(tmp, dir, 'sandbox.env')));
        const envFile = readFileSync(join(tmp, walkThrough!, 'sandbox.env'), 'utf8');
        expect(envFile).not.toContain(':8787/');
        const pid = Number(/^export T0KEN_SANDBOX_PID=(\d+)$/m.exec(envFile)?.[1]);
        expect(await exited(pid, 10_000), `sandbox ${pid} still running`).toBe(true);
      } finally {
        await taken?.close();
      }
    }, PASTE_LIMIT_MS + 20_000);
  }

  it('"In CI" runs as written on any CI (no RUNNER_TEMP), with its secrets in the environment (against a sandbox)', async () => {
    if (!requirePart('jq', commandProbe('jq', ['--version']))) return;
    const sandbox: Sandbox = await startSandbox();
    // No RUNNER_TEMP (GitHub Actions only): the block must work on any CI.
    const ciTemp = mkdtempSync(join(home, 'ci-tmp-'));
    try {
      const result = await runBlock(block('In CI').code, freshEnv({
        TMPDIR: ciTemp,
        CI: 'true',
        T0KEN_API_URL: sandbox.t0kenUrl,
        MNEMOM_API_URL: sandbox.mnemomUrl,
        ANTHROPIC_API_KEY: 'sk-ant-ci-not-a-real-key',
        MNEMOM_API_KEY: 'mnm_ci_secret_0123456789abcdef',
      }));
      expect(result.code, result.stderr).toBe(0);
      const [userId, calls, agentId] = result.stdout.trim().split('\n');
      expect(userId).toMatch(/\S/);
      expect(Number(calls)).toBeGreaterThanOrEqual(0);
      expect(agentId).toMatch(/\S/);
      expect(readdirSync(ciTemp).filter((dir) => existsSync(join(ciTemp, dir, 'config.json')))).toHaveLength(1);
    } finally {
      await sandbox.close();
    }
  });

  for (const shell of ['zsh', 'fish'] as const) {
    it(`"Completions" pastes into an interactive ${shell} too (no # comments at its prompt)`, async () => {
      if (!requirePart(shell, commandProbe(shell, ['--version']))) return;
      const own = mkdtempSync(join(home, `completions-${shell}-`));
      const result = await runInteractive(shell, block('Completions').code, freshEnv({ HOME: own }));
      expect(result.killedAfterMs, `${shell} was killed mid-block:\n${result.stderr}`).toBeUndefined();
      expect(result.stderr.split('\n').filter((line) => line.startsWith(`${shell}: `) || line.includes('command not found')), result.stderr).toEqual([]);
      for (const file of ['.local/share/bash-completion/completions/t0ken', '.zfunc/_t0ken', '.config/fish/completions/t0ken.fish']) expect(existsSync(join(own, file)), file).toBe(true);
    }, PASTE_LIMIT_MS + 20_000);
  }

  it('"Completions" installs all three scripts into a fresh account without root', async () => {
    const result = await runBlock(block('Completions').code, freshEnv());
    expect(result.code, result.stderr).toBe(0);
    const shipped = (file: string) => readFileSync(fileURLToPath(new URL(`../../completions/${file}`, import.meta.url)), 'utf8');
    expect(readFileSync(join(home, '.local/share/bash-completion/completions/t0ken'), 'utf8')).toBe(shipped('t0ken.bash'));
    // A bash without the bash-completion package reads the script from ~/.bashrc.
    expect(readFileSync(join(home, '.bashrc'), 'utf8')).toBe('[ -r ~/.local/share/bash-completion/completions/t0ken ] && . ~/.local/share/bash-completion/completions/t0ken\n');
    expect(readFileSync(join(home, '.zfunc/_t0ken'), 'utf8')).toBe(shipped('_t0ken'));
    expect(readFileSync(join(home, '.config/fish/completions/t0ken.fish'), 'utf8')).toBe(shipped('t0ken.fish'));
    expect(readFileSync(join(home, '.zshrc'), 'utf8')).toMatch(/^fpath=\(~\/\.zfunc \$fpath\)\nautoload -Uz compinit && compinit\n$/);
    const again = await runBlock(block('Completions').code, freshEnv()); // a second run adds no second fpath line
    expect(again.code).toBe(0);
    expect(readFileSync(join(home, '.zshrc'), 'utf8').match(/fpath=/g)).toHaveLength(1);
    expect(readFileSync(join(home, '.bashrc'), 'utf8').match(/completions\/t0ken \]/g)).toHaveLength(1);
  });
});

describe('docs/configuration.md\'s keychain recipe', () => {
  it('runs as written (but the apt-get line): the password is read, never used unset, and the migration lands in the keychain', async () => {
    if (!requirePart('dbus-run-session and gnome-keyring', () => (commandProbe('dbus-run-session', ['--version'])() ?? commandProbe('gnome-keyring-daemon', ['--version'])()))) return;
    const recipe = shellBlocks(CONFIGURATION).find((b) => b.code.includes('gnome-keyring-daemon'));
    expect(recipe?.code).toBeDefined();
    // It must set what it uses: a password read from the terminal, not an unset variable.
    expect(recipe!.code).toMatch(/read -rs KEYRING_PASSWORD/);
    const sandbox: Sandbox = await startSandbox();
    const dir = mkdtempSync(join(home, 'keyring-'));
    const dirs = { HOME: join(dir, 'home'), XDG_DATA_HOME: join(dir, 'data'), XDG_CONFIG_HOME: join(dir, 'config'), XDG_RUNTIME_DIR: join(dir, 'run'), T0KEN_CONFIG_DIR: join(dir, 't0ken') };
    for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true, mode: 0o700 });
    // "the shell it opened": a shell that runs the next step and reports where the key lives.
    const shell = join(dir, 'next-step');
    writeFileSync(shell, '#!/bin/sh\nt0ken credentials migrate --to keyring >/dev/null && t0ken credentials status --json\n', { mode: 0o700 });
    try {
      const env = freshEnv({ ...dirs, SHELL: shell, T0KEN_API_URL: sandbox.t0kenUrl, T0KEN_CREDENTIAL_STORE: 'auto' });
      const registered = await runBlock('t0ken register -q', env);
      expect(registered.code, registered.stderr).toBe(0);
      const code = recipe!.code.split('\n').filter((line) => !line.startsWith('sudo ')).join('\n');
      const result = await runBlockWithInput(code, env, 'recipe-password\n');
      expect(result.code, result.stderr).toBe(0);
      const status = JSON.parse(result.stdout) as { secrets: { storage: string }[] };
      expect(status.secrets.map((secret) => secret.storage)).toEqual(['keyring']);
    } finally {
      await sandbox.close();
    }
  });
});

describe('what the README states', () => {
  it('its exit-code table is EXIT_CODE_TABLE, row for row', () => {
    const section = README.slice(README.indexOf('## Exit codes'), README.indexOf('\n## ', README.indexOf('## Exit codes') + 1));
    const rows = section.split('\n').filter((l) => /^\| (\d|128)/.test(l)).map((l) => {
      const cells = l.slice(2, -2).split(/ (?<!\\)\| /);
      return [cells[0], cells[1]!.replace(/\\\|/g, '|')];
    });
    expect(rows).toEqual(EXIT_CODE_TABLE.map(([code, meaning]) => [String(code), meaning]));
  });

  it('its Commands table names every command and every option each has (hidden ones aside)', async () => {
    const section = README.slice(README.indexOf('## Commands'), README.indexOf('\n## ', README.indexOf('## Commands') + 1));
    const rows = section.split('\n').filter((line) => line.startsWith('| `')).map((line) => line.split(/ (?<!\\)\| /)[0]!.slice(2));
    const missing: string[] = [];
    for (const spec of (await collectManifest()).commands) {
      if (spec.groupOnly) continue;
      const path = spec.path.join(' ');
      // A row names the command as the first words of one of its `…` parts (`credentials [status]` / `credentials migrate …`).
      const row = rows.filter((cell) => cell.replace(/\[(\w+)\]/g, '$1').split(' / ').some((part) => part.startsWith(`\`${path}`) && /^[\s`[<(]|^$/.test(part.slice(path.length + 1, path.length + 2))));
      if (row.length === 0) {
        missing.push(path);
        continue;
      }
      for (const option of spec.options ?? []) {
        if (option.hidden) continue;
        const long = /--[a-z-]+/.exec(option.flags)![0];
        if (!row.some((cell) => cell.includes(long))) missing.push(`${path} ${long}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('tells the claim story in the words claim --help uses', () => {
    expect(README).toContain(claimSteps());
  });

  it('docs/configuration.md names the config directory of each platform as the code computes it', () => {
    expect(configDir({ XDG_CONFIG_HOME: '/xdg' }, 'linux')).toBe('/xdg/t0ken');
    expect(CONFIGURATION).toContain('`$XDG_CONFIG_HOME/t0ken`');
    expect(configDir({}, 'linux')).toBe(join(homedir(), '.config', 't0ken'));
    expect(CONFIGURATION).toContain('`~/.config/t0ken`');
    expect(configDir({}, 'darwin')).toBe(join(homedir(), 'Library', 'Preferences', 't0ken'));
    expect(CONFIGURATION).toContain('`~/Library/Preferences/t0ken`');
    expect(configDir({ APPDATA: 'C:\\Users\\you\\AppData\\Roaming' }, 'win32')).toMatch(/^C:\\Users\\you\\AppData\\Roaming[\\/]t0ken$/);
    expect(CONFIGURATION).toContain('`%APPDATA%\\t0ken`');
  });

  it('is a newcomer\'s page: at most 250 lines, in the order install, 60 seconds, completions, agents, CI, commands', () => {
    expect(README.split('\n').length).toBeLessThanOrEqual(250);
    const sections = README.split('\n').filter((line) => line.startsWith('## ')).map((line) => line.slice(3));
    expect(sections.slice(0, 6)).toEqual(['Install', '60 seconds with the sandbox', 'Completions', 'Give your agents this identity', 'In CI', 'Commands']);
    // The test suite is for people working on t0ken, not a step before installing it.
    expect(README.indexOf('npm test')).toBeGreaterThan(README.indexOf('## Commands'));
    expect(README).toMatch(/t0ken\.ai/);
    expect(README).toMatch(/Mnemom/);
  });

  it('every link into docs/ names a file that exists and a heading it has', () => {
    const docs = [...README.matchAll(/\]\((docs\/[^)#]+)(?:#([^)]+))?\)/g)];
    expect(docs.length).toBeGreaterThanOrEqual(5);
    for (const [, file, anchor] of docs) {
      const text = readRepoFile(file!);
      if (anchor === undefined) continue;
      const anchors = text.split('\n').filter((l) => /^#{1,4} /.test(l)).map((l) => l.replace(/^#+ /, '').toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-'));
      expect(anchors, `${file}#${anchor}`).toContain(anchor);
    }
  });

  it('says t0ken is not published yet and how to install it from source', () => {
    expect(README).toMatch(/not on npm yet/);
    expect(README).toContain('npm pack');
    expect(README).toContain('npm install -g ./t0ken-*.tgz');
  });
});
