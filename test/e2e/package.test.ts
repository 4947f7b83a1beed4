// The package as a user gets it: `npm pack` (the README's from-source install), a global install of
// the tarball into a prefix of its own, and the installed command run. Packed and installed once.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const MAX_INSTALL_BYTES = 8 * 1024 * 1024;
let work: string;
let files: string[];
let install: { stdout: string; stderr: string; status: number | null };

function duBytes(path: string): number {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.size;
  return readdirSync(path).reduce((sum, name) => sum + duBytes(join(path, name)), 0);
}

/** Every installed package directory (node_modules/x, node_modules/@s/x), nested ones included. */
function packages(dir: string): string[] {
  const found: string[] = [];
  const nm = join(dir, 'node_modules');
  let names: string[];
  try {
    names = readdirSync(nm);
  } catch {
    return found;
  }
  for (const name of names.filter((n) => !n.startsWith('.'))) {
    const dirs = name.startsWith('@') ? readdirSync(join(nm, name)).map((s) => join(nm, name, s)) : [join(nm, name)];
    for (const d of dirs) found.push(d, ...packages(d));
  }
  return found;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 't0ken-package-'));
  // npm test has built dist/ already; --ignore-scripts keeps prepack from rebuilding it under the
  // feet of the other test files.
  const pack = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: root, encoding: 'utf8' }));
  files = pack[0].files.map((f: { path: string }) => f.path);
  const tarball = join(work, pack[0].filename);
  const result = spawnSync('npm', ['install', '-g', '--prefix', join(work, 'prefix'), '--no-audit', '--no-fund', '--prefer-offline', tarball], { encoding: 'utf8', env: { ...process.env, npm_config_loglevel: 'warn' } });
  install = { stdout: result.stdout, stderr: result.stderr, status: result.status };
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

const t0ken = (args: string[]) => spawnSync(join(work, 'prefix', 'bin', 't0ken'), args, { encoding: 'utf8', env: { ...process.env, T0KEN_CONFIG_DIR: join(work, 'config') } });

describe('a clone', () => {
  it('installs with `npm ci --omit=dev` (no build script runs at install time)', () => {
    const clone = join(work, 'clone');
    mkdirSync(clone);
    for (const entry of ['package.json', 'package-lock.json', 'scripts', 'bin']) cpSync(join(root, entry), join(clone, entry), { recursive: true });
    const ci = spawnSync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: clone, encoding: 'utf8' });
    expect(ci.status, ci.stderr).toBe(0);
  }, 60_000);
});

describe('the packed tarball', () => {
  it('holds the bundle, its source map, LICENSE and completions, and no build metadata', () => {
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'bin/t0ken.js', 'dist/cli.cjs', 'dist/cli.cjs.map', 'completions/_t0ken']));
    expect(files.filter((f) => f.includes('meta.json') || f.startsWith('src/') || f.startsWith('test/'))).toEqual([]);
  });

  it('installs globally without warnings about install scripts, small and with few packages', () => {
    expect(install.status, install.stderr).toBe(0);
    expect(install.stderr).not.toMatch(/prepare/);
    const installed = join(work, 'prefix', 'lib', 'node_modules', 't0ken');
    const names = packages(installed).map((p) => p.slice(p.lastIndexOf('node_modules') + 'node_modules/'.length)).sort();
    // What t0ken loads from node_modules at run time; everything else is bundled into dist/.
    for (const bundled of ['chalk', 'commander', 'ora', '@inquirer/prompts', 'conf']) expect(names).not.toContain(bundled);
    expect(names).toEqual(expect.arrayContaining(['systeminformation']));
    const bytes = duBytes(join(work, 'prefix'));
    console.log(`global install: ${(bytes / 1024 / 1024).toFixed(1)} MB, ${names.length + 1} packages (${names.join(', ')})`);
    expect(bytes).toBeLessThanOrEqual(MAX_INSTALL_BYTES);
    expect(names.length).toBeLessThanOrEqual(6);
  });

  it('runs: --version, --help, fingerprint, an error path', () => {
    const version = t0ken(['--version']);
    expect(version.stdout.trim()).toBe(JSON.parse(execFileSync('npm', ['pkg', 'get', 'version'], { cwd: root, encoding: 'utf8' })));
    const help = t0ken(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: t0ken/);
    const fingerprint = t0ken(['fingerprint']);
    expect(fingerprint.status, fingerprint.stderr).toBe(0);
    expect(fingerprint.stdout.trim()).toMatch(/^fp_[0-9a-f]{32}$/);
    const prompts = t0ken(['claim', '--no-input']); // loads the store, the prompts gate; nothing stored: exit 3
    expect(prompts.status).toBe(3);
  });
});
