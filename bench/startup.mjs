// `npm run bench`: start-up cost of whole t0ken processes, as ratios against bare `node -e 0` of the
// same Node, measured in the same run, interleaved (baseline, case, baseline, case, …) so machine
// noise hits both alike; the ratio is the median of the per-pair ratios. Measured on this machine's
// Node and on each line CI fetched into .ci/node/<version> (.ci/node-line), with
// NODE_EXTRA_CA_CERTS unset, as users run (it makes every start read a CA file: both sides of each
// ratio grow and every ratio is pulled towards 1). Also: fingerprint derivation in-process, and
// hash-proof throughput.
// Usage: npm run bench [-- --check]   (BENCH_RUNS=30 by default; BENCH_LINES=20,26 picks lines;
// BENCH_ONLY='stats,agent list' runs only the cases whose name contains one of those words, to
// measure one change on a busy machine)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin/t0ken.js');
const runs = Number(process.env.BENCH_RUNS ?? 30);
const work = mkdtempSync(join(tmpdir(), 't0ken-bench-'));
// TMPDIR: V8's code cache (bin/code-cache.cjs) starts empty each bench; the warm-up runs fill it.
const baseEnv = { ...process.env, T0KEN_CONFIG_DIR: join(work, 'config'), TMPDIR: work, NO_COLOR: '1' };
for (const name of ['T0KEN_API_KEY', 'MNEMOM_TOKEN', 'MNEMOM_API_KEY', 'HTTPS_PROXY', 'HTTP_PROXY', 'https_proxy', 'http_proxy', 'NODE_EXTRA_CA_CERTS']) delete baseEnv[name];

/** This machine's node, then each pinned line under .ci/node (newest last). */
const fetched = join(root, '.ci/node');
const lines = [
  { version: process.versions.node, node: process.execPath },
  ...(existsSync(fetched) ? readdirSync(fetched) : [])
    .filter((version) => /^\d+\.\d+\.\d+$/.test(version) && version !== process.versions.node && existsSync(join(fetched, version, 'bin/node')))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .map((version) => ({ version, node: join(fetched, version, 'bin/node') })),
].filter((line) => !process.env.BENCH_LINES || process.env.BENCH_LINES.split(',').includes(line.version.split('.')[0]));
/** process.execve exists from Node 22.15 (and 23.11): exec then becomes the program. */
const hasExecve = (version) => {
  const [major, minor] = version.split('.').map(Number);
  return major > 23 || (major === 23 && minor >= 11) || (major === 22 && minor >= 15);
};

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
function time(node, args, env, input) {
  const started = process.hrtime.bigint();
  const result = spawnSync(node, args, { env, input: input ?? '', stdio: ['pipe', 'ignore', 'ignore'] });
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
if (time(process.execPath, [bin, 'register'], env).status !== 0) throw new Error('register against the sandbox failed');

// Targets (issues 14, 20): every local command ≤ 1.15, a request to a loopback sandbox ≤ 1.30;
// exec ≤ 2.10 where it becomes the program (execve), ≤ 2.3 where it runs a child.
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
  { name: 'stats (loopback sandbox)', args: ['stats'], target: 1.3 },
  { name: 'agent list (loopback sandbox)', args: ['agent', 'list'], target: 1.3 },
  { name: 'hash-proof --names-from (10,000 names)', args: ['hash-proof', '--names-from', names, '--key-env', 'BENCH_PROVIDER_KEY'], target: 2.3 },
  // Two node start-ups (t0ken, then the program) are the floor: 2.0. What is above it is t0ken's.
  { name: 'exec -- node -e 0', args: (node) => ['exec', '--', node, '-e', '0'], target: (version) => (hasExecve(version) ? 2.1 : 2.3) },
  // Not t0ken: one GET to the sandbox with node:net (what t0ken's own HTTP/1.1 client runs on) and
  // nothing else, the floor under the loopback rows; and the same with node:http, for comparison.
  { name: 'net GET', label: '`node -e "net.connect(<sandbox>) + GET"` (not t0ken: the floor of a loopback request)', bare: true, args: () => ['-e', `const s = require('node:net').connect(${new URL(t0kenUrl).port}, ${JSON.stringify(new URL(t0kenUrl).hostname)}, () => s.end('GET ${new URL(t0kenUrl).pathname}/agents/machine-stats HTTP/1.1\\r\\nhost: 127.0.0.1\\r\\nconnection: close\\r\\n\\r\\n')); s.resume()`] },
  { name: 'http.get', label: '`node -e "http.get(<sandbox>)"` (not t0ken: the same GET with node:http)', bare: true, args: () => ['-e', `require('node:http').get(${JSON.stringify(`${t0kenUrl}/agents/machine-stats`)}, (r) => r.resume())`] },
];

const only = process.env.BENCH_ONLY?.split(',').map((word) => word.trim()).filter(Boolean);
const chosen = only ? cases.filter((c) => only.some((word) => c.name.includes(word))) : cases;
const rows = [];
try {
  for (const line of lines) {
    const argsOf = (c) => [...(c.bare ? [] : [bin]), ...(typeof c.args === 'function' ? c.args(line.node) : c.args)];
    for (const c of chosen) for (let i = 0; i < 3; i++) { time(line.node, ['-e', '0'], env); time(line.node, argsOf(c), env, c.input); } // warm-up (and the code cache)
    const base = new Map(chosen.map((c) => [c, []]));
    const paired = new Map(chosen.map((c) => [c, []]));
    // Round after round of every case, each run paired with a baseline run just before it: a burst
    // of load on this shared machine moves both sides of a pair, and is spread over all the cases
    // rather than landing on the one that happened to run then.
    for (let i = 0; i < runs; i++) {
      for (const c of chosen) {
        const b = time(line.node, ['-e', '0'], env).ms;
        const r = time(line.node, argsOf(c), env, c.input);
        if (r.status !== 0) throw new Error(`${c.name} exited ${r.status} on Node ${line.version}`);
        base.get(c).push(b);
        paired.get(c).push(r.ms / b);
      }
    }
    for (const c of chosen) {
      const target = typeof c.target === 'function' ? c.target(line.version) : c.target ?? Infinity;
      rows.push({ name: c.name, version: line.version, base: median(base.get(c)), ratio: median(paired.get(c)), target });
    }
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

rmSync(work, { recursive: true, force: true });

const cell = (r) => (r.target === Infinity ? r.ratio.toFixed(2) : `${r.ratio.toFixed(2)} ${r.ratio <= r.target ? '✓' : `✗ (≤ ${r.target})`}`);
console.log(`\nt0ken start-up: median of ${runs} paired runs against \`node -e 0\` of the same Node, after warm-up, NODE_EXTRA_CA_CERTS unset${process.env.NODE_EXTRA_CA_CERTS ? ' (it is set in this shell: not used here)' : ''}\n`);
console.log(`| command | ${lines.map((l) => `Node ${l.version}`).join(' | ')} | target |`);
console.log(`|---|${lines.map(() => '---:|').join('')}---|`);
for (const c of chosen) {
  const mine = rows.filter((r) => r.name === c.name);
  const targets = typeof c.target === 'function' ? `≤ ${c.target('22.15.0')} (execve), ≤ ${c.target('20.0.0')} (child)` : c.target ? `≤ ${c.target}` : '';
  console.log(`| ${c.label ?? `\`t0ken ${c.name}\``} | ${mine.map(cell).join(' | ')} | ${targets} |`);
}
console.log(`| \`node -e 0\` (ms, median) | ${lines.map((l) => median(rows.filter((r) => r.version === l.version).map((r) => r.base)).toFixed(0)).join(' | ')} | |`);
const missed = rows.filter((r) => r.ratio > r.target).length;
console.log(`\nfingerprint derivation in-process: ${deriveUs.toFixed(1)} µs each`);
console.log(`hash-proof: 10,000 names in ${proofMs.toFixed(0)} ms (${Math.round(10_000 / (proofMs / 1000)).toLocaleString('en-US')} names/s)`);
if (missed) console.log(`\n${missed} target(s) missed.`);
if (process.argv.includes('--check') && missed) process.exitCode = 1;
