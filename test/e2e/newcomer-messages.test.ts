// Messages a newcomer met that said something untrue (issue 23): each says what is true now.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cleanEnv } from '../helpers/cli.js';
import { keyringProbe, startKeyring } from '../helpers/keyring.js';
import { requirePart } from '../helpers/real-part.js';
import { useCli } from '../helpers/run.js';

const { t0ken } = useCli();

describe('the keychain', () => {
  it('credentials migrate --to keyring with no keychain does not suggest the T0KEN_CREDENTIAL_STORE already in force', async () => {
    for (const mode of ['auto', undefined]) {
      const env = { T0KEN_CREDENTIAL_STORE: mode };
      expect((await t0ken(['register', '-q'], { env: { T0KEN_CREDENTIAL_STORE: 'file' } })).code).toBe(0);
      const migrate = await t0ken(['credentials', 'migrate', '--to', 'keyring'], { env });
      expect(migrate.code).toBe(7);
      expect(migrate.stderr).not.toMatch(/T0KEN_CREDENTIAL_STORE=(file \(or auto\)|auto)/);
      expect(migrate.stderr).toMatch(/stays in the config file/);
    }
  });

  it('credentials migrate counts in words: "1 secret", "2 secrets" (with a real gnome-keyring)', async () => {
    if (!requirePart('gnome-keyring over D-Bus', keyringProbe)) return;
    const keyring = await startKeyring();
    try {
      const env = { ...keyring.env, T0KEN_CREDENTIAL_STORE: 'auto' };
      expect((await t0ken(['register', '-q'], { env })).code).toBe(0);
      const one = await t0ken(['credentials', 'migrate', '--to', 'file'], { env });
      expect(one.stdout, one.stderr).toMatch(/^Moved 1 secret to /);
      expect((await t0ken(['agent', 'login', '--with-token'], { env: { ...env, T0KEN_CREDENTIAL_STORE: 'file' }, input: 'mnm_plural_0123456789abcdef' })).code).toBe(0);
      const two = await t0ken(['credentials', 'migrate', '--to', 'keyring'], { env });
      expect(two.stdout, two.stderr).toMatch(/^Moved 2 secrets to /);
    } finally {
      keyring.stop();
    }
  });

  it('T0KEN_CREDENTIAL_STORE=keyring with no keychain names that setting as the way out', async () => {
    const register = await t0ken(['register'], { env: { T0KEN_CREDENTIAL_STORE: 'keyring' } });
    expect(register.code).toBe(7);
    expect(register.stderr).toMatch(/unset T0KEN_CREDENTIAL_STORE/);
  });
});

describe('help says what the command does', () => {
  it('--timeout is the whole command\'s network time, as the contract says, not per request', async () => {
    const help = await t0ken(['--help']);
    expect(help.stdout).not.toMatch(/per-request/);
    expect(help.stdout.replace(/\s+/g, ' ')).toMatch(/--timeout <seconds> seconds for all of the command's network time, retries included/);
  });

  it('verify --help promises no prompt (verify never asks)', async () => {
    const help = await t0ken(['verify', '--help']);
    expect(help.stdout).not.toMatch(/asks|prompt/);
    expect(help.stdout).toMatch(/pending claim/);
  });

  it('the exit-code table\'s example of 141 is one that exits 141 (--help | head -1 exits 0: the help fits in the pipe)', async () => {
    const table = await t0ken(['help', 'exit-codes']);
    expect(table.stdout).not.toContain('--help | head -1');
    expect(table.stdout.replace(/\s+/g, ' ')).toMatch(/141, when its stdout is closed before all of its output is written/);
  });
});

describe('a closed stdout', () => {
  // A process, as the point is the pipe: more output than a pipe holds, a reader that takes one line.
  it('ends t0ken with 141 when output is lost, and --help | head -1 with 0 (all of it fit in the pipe)', () => {
    const names = join(mkdtempSync(join(tmpdir(), 't0ken-names-')), 'names.txt');
    writeFileSync(names, Array.from({ length: 5000 }, (_, i) => `agent-${i}`).join('\n'));
    const status = (command: string) => spawnSync('bash', ['-c', `${command} | head -1 >/dev/null; echo "\${PIPESTATUS[0]}"`], { env: { ...cleanEnv(), KEY: 'sk-test-key-0123456789' }, encoding: 'utf8', timeout: 20_000 }).stdout.trim();
    expect(status(`${process.execPath} ${BIN} hash-proof --names-from ${names} --key-env KEY`)).toBe('141');
    expect(status(`${process.execPath} ${BIN} --help`)).toBe('0');
  });

  it('--version (written by the shim itself) ends with 141 and says nothing when its reader is gone', async () => {
    const child = spawn(process.execPath, [BIN, '--version'], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // the read end closes long before node has started
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ code, stderr }).toEqual({ code: 141, stderr: '' });
  });
});

describe('a wrong claim code', () => {
  it('the hint does not send you to a claim that would be refused: a new code only from a minute after the last', async () => {
    expect((await t0ken(['register', '-q'])).code).toBe(0);
    const claim = await t0ken(['claim', '--email', 'wrong@example.com', '-q']);
    const code = claim.stdout.trim();
    const wrong = code === '000000' ? '111111' : '000000';
    const verify = await t0ken(['verify', '--code', wrong]);
    expect(verify.code).toBe(4);
    expect(verify.stderr).toMatch(/`t0ken claim --email wrong@example\.com` for a new one from \d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)? .*on \(one code a minute\)/);
    // What the hint says is what the service does: a claim now is refused.
    expect((await t0ken(['claim', '--email', 'wrong@example.com'])).code).not.toBe(0);
  });
});

describe('agent create --if-exists ok on an agent that has a card', () => {
  it('does not show "card -" (no card) for it, and says a --card given now was not attached', async () => {
    const env = { PROVIDER_KEY: 'sk-ant-card-test-key-0123456789', MNEMOM_API_KEY: 'mnm_card_test_0123456789abcd' };
    const card = join(mkdtempSync(join(tmpdir(), 't0ken-card-')), 'card.json');
    writeFileSync(card, '{"name": "carded"}\n');
    const create = ['agent', 'create', '--name', 'carded', '--key-env', 'PROVIDER_KEY', '--card', card, '--if-exists', 'ok'];
    const first = await t0ken(create, { env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^card +card-\w+$/m);
    const again = await t0ken(create, { env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).not.toMatch(/^card +-$/m);
    expect(again.stdout).toMatch(/^card +not known \(Mnemom names the card only when it creates the agent\)$/m);
    expect(again.stderr).toMatch(/--card \S+card\.json was not attached: the agent already existed/);
  });
});

describe('a fingerprint of its own for a container copy', () => {
  it('fingerprint --new prints a new valid one each time and stores nothing; set as T0KEN_FINGERPRINT it stays', async () => {
    const first = await t0ken(['fingerprint', '--new']);
    const second = await t0ken(['fingerprint', '--new']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^fp_[0-9a-f]{32}\n$/);
    expect(second.stdout).not.toBe(first.stdout);
    expect(first.stderr).toMatch(/nothing was stored.*T0KEN_FINGERPRINT/);
    const kept = first.stdout.trim();
    for (let run = 0; run < 2; run++) expect((await t0ken(['fingerprint'], { env: { T0KEN_FINGERPRINT: kept } })).stdout).toBe(`${kept}\n`);
    expect((await t0ken(['fingerprint', '--new', '--explain'])).code).toBe(2);
  });

  it('the container advice is a fingerprint made once and kept, not one recipe run at each start', async () => {
    const explain = await t0ken(['fingerprint', '--explain']);
    expect(explain.stderr).not.toMatch(/openssl rand|\$\(/);
    const help = await t0ken(['fingerprint', '--help']);
    expect(help.stdout).toMatch(/--new/);
  });
});
