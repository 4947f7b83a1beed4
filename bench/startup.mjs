// `npm run bench`: start-up cost of whole t0ken processes, as ratios against bare `node -e 0`
// measured in the same run, interleaved (baseline, case, baseline, case, …) so machine noise hits
// both alike; the ratio is the median of the per-pair ratios. Also: fingerprint derivation
// in-process, and hash-proof throughput.
// Usage: npm run bench [-- --check]   (BENCH_RUNS=30 by default; BENCH_ONLY='stats,agent list' runs
// only the cases whose name contains one of those words, to measure one change on a busy machine)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin/t0ken.js');
const runs = Number(process.env.BENCH_RUNS ?? 30);
const work = mkdtempSync(join(tmpdir(), 't0ken-bench-'));
const baseEnv = { ...process.env, T0KEN_CONFIG_DIR: join(work, 'config'), NO_COLOR: '1' };
for (const name of ['T0KEN_API_KEY', 'MNEMOM_TOKEN', 'MNEMOM_API_KEY', 'HTTPS_PROXY', 'HTTP_PROXY', 'https_proxy', 'http_proxy']) delete baseEnv[name];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
function time(args, env, input) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { env, input: input ?? '', stdio: ['pipe', 'ignore', 'ignore'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return { ms, status: result.status };
}

// The sandbox, for register and stats over loopback.
const sandbox = spawn(process.execPath, [bin, 'sandbox', '--port', '0'], { env: baseEnv, stdio: ['ignore', 'pipe', 'ignore'] });
const { url: t0kenUrl, mnemom: mnemomUrl } = await new Promise((resolve, reject) => {
  let text = '';
  sandbox.stdout.setEncoding('utf8').on('data', (chunk) => {
    text += chunk;
    const url = /T0KEN_API_URL=(\S+)/.exec(text)?.[1];
    const mnemom = /MNEMOM_API_URL=(\S+)/.exec(text)?.[1];
    if (url && mnemom) resolve({ url, mnemom });
  });
  sandbox.on('exit', () => reject(new Error('the sandbox did not start')));
});
// A made-up Mnemom key the sandbox accepts; assembled so that secret scanners do not take it for a real one.
const BENCH_MNEMOM_KEY = ['mnm', 'bench_key_0123456789abcdef'].join('_');
const env = { ...baseEnv, T0KEN_API_URL: t0kenUrl, MNEMOM_API_URL: mnemomUrl, MNEMOM_API_KEY: BENCH_MNEMOM_KEY, BENCH_PROVIDER_KEY: 'sk-bench-provider-key' };
// A fleet of 10,000 names for hash-proof --names-from.
const names = join(work, 'names.txt');
writeFileSync(names, `${Array.from({ length: 10_000 }, (_, i) => `agent-${i}`).join('\n')}\n`);
if (time([bin, 'register'], env).status !== 0) throw new Error('register against the sandbox failed');

// Targets (issue 14): every local command ≤ 1.15, a request to a loopback sandbox ≤ 1.20.
const cases = [
  { name: '--version', args: ['--version'], target: 1.15 },
  { name: '--help', args: ['--help'], target: 1.15 },
  { name: 'help exit-codes', args: ['help', 'exit-codes'], target: 1.15 },
  { name: 'completion bash', args: ['completion', 'bash'], target: 1.15 },
  { name: 'fingerprint', args: ['fingerprint'], target: 1.15 },
  { name: 'hash-proof --key-stdin', args: ['hash-proof', '--name', 'bench', '--key-stdin'], input: 'sk-bench-provider-key\n', target: 1.15 },
  { name: 'token', args: ['token'], target: 1.15 },
  { name: 'register (stored: no request)', args: ['register'], target: 1.15 },
  { name: 'whoami', args: ['whoami'], target: 1.15 },
  { name: 'env', args: ['env'], target: 1.15 },
  { name: 'mcp config', args: ['mcp', 'config', '--', 'npx', '-y', 'some-mcp-server'], target: 1.15 },
  { name: 'credentials status', args: ['credentials', 'status'], target: 1.15 },
  { name: 'stats (loopback sandbox)', args: ['stats'], target: 1.2 },
  { name: 'agent list (loopback sandbox)', args: ['agent', 'list'], target: 1.2 },
  { name: 'hash-proof --names-from (10,000 names)', args: ['hash-proof', '--names-from', names, '--key-env', 'BENCH_PROVIDER_KEY'], target: 2.3 },
  // Two node start-ups (t0ken, then the program) are the floor: 2.0. What is above it is t0ken's.
  { name: 'exec -- node -e 0', args: ['exec', '--', process.execPath, '-e', '0'], target: 2.3 },
];

const only = process.env.BENCH_ONLY?.split(',').map((word) => word.trim()).filter(Boolean);
const rows = [];
try {
  for (const c of only ? cases.filter((c) => only.some((word) => c.name.includes(word))) : cases) {
    for (let i = 0; i < 3; i++) { time(['-e', '0'], env); time([bin, ...c.args], env, c.input); } // warm-up
    const base = [];
    const cmd = [];
    const paired = [];
    for (let i = 0; i < runs; i++) {
      base.push(time(['-e', '0'], env).ms);
      const r = time([bin, ...c.args], env, c.input);
      if (r.status !== 0) throw new Error(`${c.name} exited ${r.status}`);
      cmd.push(r.ms);
      paired.push(r.ms / base[i]);
    }
    // Each run against the baseline run just before it, so a burst of load on this shared machine
    // moves both sides of a pair: steadier than a ratio of two medians.
    const ratio = median(paired);
    rows.push({ ...c, ms: median(cmd), base: median(base), ratio });
  }
} finally {
  sandbox.kill('SIGTERM');
}

// In-process: derivation and proof throughput, from the sources bundled on the fly.
const lib = join(work, 'lib.mjs');
await build({ stdin: { contents: "export { deriveFingerprint } from './src/core/fingerprint.ts'; export { hashProof } from './src/core/proof.ts';", resolveDir: root, loader: 'ts' }, bundle: true, platform: 'node', format: 'esm', outfile: lib, logLevel: 'silent' });
const { deriveFingerprint, hashProof } = await import(lib);
const facts = { platform: 'linux', machineId: { source: 'linux-machine-id', value: '5f0c3b1d8e2a4c6f9a7b1d3e5f7a9c0b' }, container: { inContainer: false } };
for (let i = 0; i < 1000; i++) deriveFingerprint(facts);
let started = performance.now();
for (let i = 0; i < 10_000; i++) deriveFingerprint(facts);
const deriveUs = ((performance.now() - started) * 1000) / 10_000;
started = performance.now();
for (let i = 0; i < 10_000; i++) hashProof('sk-bench-provider-key', `agent-${i}`);
const proofMs = performance.now() - started;

// NODE_EXTRA_CA_CERTS makes every node process read and parse that file at start-up (Node 20 does it
// eagerly): a constant added to both sides of each ratio, which brings every ratio closer to 1.
let extraCaNote = '';
if (process.env.NODE_EXTRA_CA_CERTS) {
  const bare = { ...env };
  delete bare.NODE_EXTRA_CA_CERTS;
  const withCa = [];
  const without = [];
  for (let i = 0; i < 20; i++) {
    withCa.push(time(['-e', '0'], env).ms);
    without.push(time(['-e', '0'], bare).ms);
  }
  extraCaNote = `\nNODE_EXTRA_CA_CERTS is set: \`node -e 0\` takes ${(median(withCa) / median(without)).toFixed(2)} times as long with it as without, and that start-up cost is on both sides of every ratio above. For the bare runtime's ratios: env -u NODE_EXTRA_CA_CERTS npm run bench`;
}
rmSync(work, { recursive: true, force: true });

const nodeMs = median(rows.map((r) => r.base));
console.log(`\nt0ken start-up, ${runs} runs each after warm-up, interleaved with \`node -e 0\` (median ${nodeMs.toFixed(0)} ms here)\n`);
console.log('| command | median ms | ratio vs `node -e 0` | target |');
console.log('|---|---:|---:|---|');
let missed = 0;
for (const r of rows) {
  const verdict = r.target === undefined ? '' : r.ratio <= r.target ? `≤ ${r.target} ✓` : `≤ ${r.target} ✗`;
  if (r.target !== undefined && r.ratio > r.target) missed++;
  console.log(`| \`t0ken ${r.name}\` | ${r.ms.toFixed(0)} | ${r.ratio.toFixed(2)} | ${verdict} |`);
}
console.log(`\nfingerprint derivation in-process: ${deriveUs.toFixed(1)} µs each`);
console.log(`hash-proof: 10,000 names in ${proofMs.toFixed(0)} ms (${Math.round(10_000 / (proofMs / 1000)).toLocaleString('en-US')} names/s)`);
if (extraCaNote) console.log(extraCaNote);
if (missed) console.log(`\n${missed} target(s) missed.`);
if (process.argv.includes('--check') && missed) process.exitCode = 1;
