// `npm run demo`: the whole t0ken flow against the local sandbox, in a throw-away config dir.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/t0ken.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 't0ken-demo-'));
const providerKey = 'sk-demo-provider-key-not-real-0000';
const mnemomKey = `mnm_demo_${randomBytes(12).toString('hex')}`; // any mnm_ key works on the sandbox

const sandbox = spawn(process.execPath, [bin, 'sandbox', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
const urls = await new Promise((resolve, reject) => {
  let text = '';
  sandbox.stdout.setEncoding('utf8').on('data', (chunk) => {
    text += chunk;
    const t0ken = /T0KEN_API_URL=(\S+)/.exec(text)?.[1];
    const mnemom = /MNEMOM_API_URL=(\S+)/.exec(text)?.[1];
    if (t0ken && mnemom) resolve({ t0ken, mnemom });
  });
  sandbox.on('exit', (code) => reject(new Error(`the sandbox exited early (${code})`)));
});

const env = {
  ...process.env,
  T0KEN_CONFIG_DIR: join(work, 'config'),
  T0KEN_API_URL: urls.t0ken,
  MNEMOM_API_URL: urls.mnemom,
  PROVIDER_KEY: providerKey,
};
delete env.T0KEN_API_KEY;
delete env.MNEMOM_TOKEN;
delete env.MNEMOM_API_KEY;

// Bold titles only on a terminal that wants colour: `npm run demo | less` or `> demo.txt` get plain text.
const bold = process.stdout.isTTY && !process.env.NO_COLOR && process.env.TERM !== 'dumb' ? (text) => `\x1b[1m${text}\x1b[0m` : (text) => text;

let failed = false;
function step(title, args, { input, expect = 0 } = {}) {
  if (failed) return;
  console.log(`\n${bold(`# ${title}`)}\n$ t0ken ${args.join(' ')}${input !== undefined ? '   (stdin: a key)' : ''}`);
  const result = spawnSync(process.execPath, [bin, ...args], { env, input: input ?? '', encoding: 'utf8' });
  process.stdout.write(result.stdout);
  process.stdout.write(result.stderr);
  if (result.status !== expect) {
    console.error(`demo: expected exit ${expect}, got ${result.status}`);
    failed = true;
  }
  return result;
}

try {
  console.log(`Sandbox running: T0KEN_API_URL=${urls.t0ken} MNEMOM_API_URL=${urls.mnemom}`);
  console.log(`Config dir: ${env.T0KEN_CONFIG_DIR}`);
  step('This machine\'s fingerprint, and where it comes from', ['fingerprint', '--explain']);
  step('Register a machine account (the key is stored, 0600, and shown masked)', ['register']);
  step('Registering again is a no-op that shows the stored account', ['register']);
  step('Who am I?', ['whoami']);
  step('Start linking the account to a person', ['claim', '--email', 'demo@example.com']);
  step('Complete the claim with the pending code', ['verify']);
  step('Machine statistics', ['stats']);
  step('Statistics as JSON for scripts', ['stats', '--json']);
  step('Hash proof of a provider key (read from an env var, never argv)', ['hash-proof', '--name', 'demo-agent', '--key-env', 'PROVIDER_KEY']);
  step('Store a Mnemom API key from stdin', ['agent', 'login', '--with-token'], { input: `${mnemomKey}\n` });
  writeFileSync(join(work, 'card.json'), JSON.stringify({ name: 'demo-agent', values: ['honesty'] }));
  step('Create a Mnemom agent with an alignment card', ['agent', 'create', '--name', 'demo-agent', '--key-env', 'PROVIDER_KEY', '--card', join(work, 'card.json')]);
  step('Creating it again fails with exit 6 (conflict)…', ['agent', 'create', '--name', 'demo-agent', '--key-env', 'PROVIDER_KEY'], { expect: 6 });
  step('…unless --if-exists ok, which a CI job can run on every build', ['agent', 'create', '--name', 'demo-agent', '--key-env', 'PROVIDER_KEY', '--if-exists', 'ok']);
  step('List agents', ['agent', 'list']);
  step('Forget the machine account', ['logout', '--yes']);
  step('Now whoami exits 3: nothing stored', ['whoami'], { expect: 3 });
} finally {
  sandbox.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}
console.log(failed ? '\nThe demo stopped at a failing step.' : '\nDemo complete: every step behaved as expected.');
process.exitCode = failed ? 1 : 0;
