// `npm run bench:keychain`: what a keychain-stored key adds to `token` and `whoami`, as ratios against
// bare `node -e 0` measured in the same run, interleaved (baseline, case, baseline, case, …); each
// ratio is the median of the per-pair ratios, as in bench/startup.mjs.
//
// Rows: the key in config.json (T0KEN_CREDENTIAL_STORE=file: the keychain module is never loaded),
// the key in a real Secret Service (a private dbus-daemon + gnome-keyring-daemon, started here as the
// tests start them), and, when BENCH_BEFORE_BIN names another build's bin/t0ken.js (e.g. the commit
// before the keychain), that build with its key in config.json.
// Usage: npm run bench:keychain   (BENCH_RUNS=20 by default; Linux with dbus-daemon and gnome-keyring)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin/t0ken.js');
const beforeBin = process.env.BENCH_BEFORE_BIN;
const runs = Number(process.env.BENCH_RUNS ?? 20);
const work = mkdtempSync(join(tmpdir(), 't0ken-bench-keychain-'));
const baseEnv = { ...process.env, NO_COLOR: '1' };
for (const name of ['T0KEN_API_KEY', 'T0KEN_CREDENTIAL_STORE', 'DBUS_SESSION_BUS_ADDRESS', 'MNEMOM_TOKEN', 'MNEMOM_API_KEY', 'HTTPS_PROXY', 'HTTP_PROXY', 'https_proxy', 'http_proxy']) delete baseEnv[name];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
function time(args, env) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, status: result.status, stderr: result.stderr };
}

// The test helper that starts a private Secret Service, bundled on the fly.
const helper = join(work, 'keyring.mjs');
await build({ entryPoints: [join(root, 'test/helpers/keyring.ts')], bundle: true, platform: 'node', format: 'esm', outfile: helper, logLevel: 'silent', packages: 'external' });
const { startKeyring } = await import(helper);
const keyring = await startKeyring();

const sandbox = spawn(process.execPath, [bin, 'sandbox', '--port', '0'], { env: { ...baseEnv, T0KEN_CONFIG_DIR: join(work, 'sandbox') }, stdio: ['ignore', 'pipe', 'ignore'] });
const t0kenUrl = await new Promise((resolve, reject) => {
  let text = '';
  sandbox.stdout.setEncoding('utf8').on('data', (chunk) => {
    text += chunk;
    const url = /T0KEN_API_URL=['"]?([^\s'"]+)/.exec(text)?.[1];
    if (url) resolve(url);
  });
  sandbox.on('exit', () => reject(new Error('the sandbox did not start')));
});

const setups = [
  { name: 'key in config.json', bin, env: { ...baseEnv, T0KEN_API_URL: t0kenUrl, T0KEN_CONFIG_DIR: join(work, 'file'), T0KEN_CREDENTIAL_STORE: 'file' } },
  { name: 'key in the keychain', bin, env: { ...baseEnv, ...keyring.env, T0KEN_API_URL: t0kenUrl, T0KEN_CONFIG_DIR: join(work, 'keyring'), T0KEN_CREDENTIAL_STORE: 'keyring' } },
];
if (beforeBin) setups.unshift({ name: 'before the keychain (key in config.json)', bin: beforeBin, env: { ...baseEnv, T0KEN_API_URL: t0kenUrl, T0KEN_CONFIG_DIR: join(work, 'before') } });

const rows = [];
try {
  for (const setup of setups) {
    const registered = time([setup.bin, 'register'], setup.env);
    if (registered.status !== 0) throw new Error(`register (${setup.name}) failed: ${registered.stderr}`);
    for (const command of ['token', 'whoami']) {
      const args = [setup.bin, command];
      for (let i = 0; i < 3; i++) { time(['-e', '0'], setup.env); time(args, setup.env); } // warm-up
      const paired = [];
      const ms = [];
      const base = [];
      for (let i = 0; i < runs; i++) {
        const b = time(['-e', '0'], setup.env).ms;
        const r = time(args, setup.env);
        if (r.status !== 0) throw new Error(`${command} (${setup.name}) exited ${r.status}: ${r.stderr}`);
        base.push(b);
        ms.push(r.ms);
        paired.push(r.ms / b);
      }
      rows.push({ setup: setup.name, command, ms: median(ms), base: median(base), ratio: median(paired) });
    }
  }
} finally {
  sandbox.kill('SIGTERM');
  keyring.stop();
  rmSync(work, { recursive: true, force: true });
}

console.log(`\nA keychain-stored key: ${runs} runs each after warm-up, interleaved with \`node -e 0\` (median ${median(rows.map((r) => r.base)).toFixed(0)} ms here)\n`);
console.log('| command | where the key is | median ms | ratio vs `node -e 0` |');
console.log('|---|---|---:|---:|');
for (const r of rows) console.log(`| \`t0ken ${r.command}\` | ${r.setup} | ${r.ms.toFixed(0)} | ${r.ratio.toFixed(2)} |`);
for (const command of ['token', 'whoami']) {
  const file = rows.find((r) => r.command === command && r.setup === 'key in config.json');
  const chain = rows.find((r) => r.command === command && r.setup === 'key in the keychain');
  console.log(`\n\`${command}\`: the keychain adds ${(chain.ratio - file.ratio).toFixed(2)} of \`node -e 0\` (${(chain.ms - file.ms).toFixed(0)} ms)`);
}
