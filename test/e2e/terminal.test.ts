// A newcomer at a real terminal (tmux): prompts on the terminal while stdout is captured, hidden
// prompts instead of echoed keys, what Ctrl-C leaves behind, retyped emails, zsh's first TAB.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { commandProbe, requirePart } from '../helpers/real-part.js';
import { useSandbox } from '../helpers/sandbox.js';
import { Tmux, tmuxProbe } from '../helpers/tmux.js';

const hasTmux = requirePart('tmux', tmuxProbe);
const hasZsh = hasTmux && requirePart('zsh', commandProbe('zsh', ['--version']));

const sandbox = useSandbox();
let home: string;
let session: Tmux | undefined;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 't0ken-terminal-'));
  mkdirSync(join(home, 'bin'));
  symlinkSync(BIN, join(home, 'bin', 't0ken'));
});
afterAll(() => rmSync(home, { recursive: true, force: true }));
afterEach(() => {
  session?.stop();
  session = undefined;
});

const shellEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
  PATH: `${join(home, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
  HOME: home,
  PS1: '$ ',
  T0KEN_CONFIG_DIR: join(home, 'config'),
  T0KEN_API_URL: sandbox.t0kenUrl,
  MNEMOM_API_URL: sandbox.mnemomUrl,
  ...extra,
});

/** A bash at a real terminal; `run` types a command line and presses Enter. */
function bash(extra: Record<string, string> = {}): { tmux: Tmux; run: (line: string) => void } {
  const tmux = Tmux.start({ command: 'bash --norc --noprofile', env: shellEnv(extra) });
  session = tmux;
  return { tmux, run: (line) => (tmux.type(line), tmux.keys('Enter')) };
}

/**
 * Types `secret` into a hidden prompt and returns the screen once it is known to be there and
 * hidden: ctrl+t shows it (so it was read), ctrl+t again hides it (waited for, not slept on).
 */
async function typeHidden(tmux: Tmux, secret: string): Promise<string> {
  tmux.type(secret);
  tmux.keys('C-t');
  await tmux.waitFor(secret);
  tmux.keys('C-t');
  return tmux.waitUntil((screen) => !screen.includes(secret), `${secret} hidden again`);
}
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe.skipIf(!hasTmux)('prompts at a real terminal', () => {
  it('a terminal opened for writing only as stdin (0>/dev/tty): no prompt, exit 2 naming the flag (readline failed with ENOTCONN: a stack trace, exit 1)', async () => {
    const { tmux, run } = bash();
    run('t0ken hash-proof --name ab 0>/dev/tty; echo "rc=$?"');
    const screen = await tmux.waitFor(/rc=\d+/);
    expect(screen).toContain('a value is missing and no prompt can be shown');
    expect(screen).toContain('rc=2');
    expect(screen).not.toMatch(/ENOTCONN|at .*\.js/);
  });

  it('--json at a terminal never prompts: a missing value or confirmation is a JSON error naming the flag, exit 2', async () => {
    const { tmux, run } = bash();
    run('t0ken register -q > /dev/null; t0ken --json hash-proof --name ab > /dev/null; echo "rc=$?"; t0ken --json logout; echo "rc=$?"');
    const screen = await tmux.waitFor(/rc=\d+[\s\S]*rc=\d+/);
    expect(screen).not.toContain('Provider API key');
    expect(screen).toContain('{"error":{"code":"invalid_input","message":"a value is missing and no prompt can be shown"');
    expect(screen.match(/rc=2/g)).toHaveLength(2);
  });

  it('X=$(t0ken hash-proof …) asks on the terminal; the key is hidden, no * per character, ctrl+t reveals it', async () => {
    const { tmux, run } = bash();
    run('X=$(t0ken hash-proof --name my-agent); echo "rc=$? X=$X"');
    await tmux.waitFor('Provider API key');
    const hidden = await typeHidden(tmux, 'sk-ant-terminal-test');
    expect(hidden).not.toContain('sk-ant-terminal-test');
    expect(hidden).not.toMatch(/\*{3,}/);
    tmux.keys('C-t');
    const revealed = await tmux.waitFor('sk-ant-terminal-test');
    expect(revealed.split('\n').find((l) => l.includes('sk-ant-terminal-test'))).not.toMatch(/hidden|masked/i);
    tmux.keys('Enter');
    const done = await tmux.waitFor(/rc=\d+ X=/);
    expect(done).toContain(`rc=0 X=${sha256('sk-ant-terminal-test|my-agent')}`);
    expect(done).not.toContain('toggle visibility'); // the help line goes with the prompt
  });

  it('--key-stdin at a terminal asks with a hidden prompt; Ctrl-C clears the help line and says interrupted', async () => {
    const { tmux, run } = bash();
    run('t0ken hash-proof --name my-agent --key-stdin; echo "rc=$?"');
    await tmux.waitFor('toggle visibility');
    expect(await typeHidden(tmux, 'sk-visible-if-echoed')).not.toContain('sk-visible-if-echoed');
    tmux.keys('C-c');
    const screen = await tmux.waitFor(/rc=\d+/);
    expect(screen).toContain('rc=130');
    expect(screen).toContain('interrupted');
    expect(screen).not.toContain('toggle visibility');
    expect(screen).not.toContain('sk-visible-if-echoed');
  });

  it('agent login --with-token at a terminal asks with a hidden prompt and stores the key', async () => {
    const { tmux, run } = bash();
    run('t0ken agent login --with-token; echo "rc=$?"');
    await tmux.waitFor('Mnemom API key');
    tmux.type('mnm_terminal_test_key_0123456789');
    tmux.keys('Enter');
    const screen = await tmux.waitFor(/rc=\d+/);
    expect(screen).toContain('rc=0');
    expect(screen).not.toContain('mnm_terminal_test_key_0123456789');
    const config = JSON.parse(readFileSync(join(home, 'config', 'config.json'), 'utf8'));
    expect(config.mnemom[sandbox.mnemomUrl].api_key).toBe('mnm_terminal_test_key_0123456789');
  });

  it('an invalid email is cleared, so the retyped one is taken alone', async () => {
    const { tmux, run } = bash({ T0KEN_FINGERPRINT: `fp_${'e'.repeat(32)}` });
    run('t0ken register -q >/dev/null && t0ken claim; echo "rc=$?"');
    await tmux.waitFor('Email of the person');
    tmux.type('bad@');
    tmux.keys('Enter');
    await tmux.waitFor(/invalid|nothing after the @/i);
    tmux.type('dev@example.com');
    tmux.keys('Enter');
    const screen = await tmux.waitFor(/rc=\d+/);
    expect(screen).toContain('rc=0');
    const config = JSON.parse(readFileSync(join(home, 'config', 'config.json'), 'utf8'));
    expect(config.t0ken[sandbox.t0kenUrl].pending_claim.email).toBe('dev@example.com');
  });
});

describe.skipIf(!hasTmux)('exec as a background job of the terminal', () => {
  it('a program that reads the terminal is stopped by job control (it read the keys typed at the shell), and what is typed next is the shell\'s', async () => {
    const { tmux, run } = bash({ T0KEN_API_KEY: 'omx_agent_background0123456789' });
    run(`t0ken exec --only t0ken -- sh -c 'read x; echo "child got $x"' &`);
    run('until jobs -l | grep -q Stopped; do sleep 0.05; done; echo JOB-STOPPED');
    await tmux.waitFor('JOB-STOPPED\n');
    run('echo SECOND-LINE');
    const screen = await tmux.waitFor(/^SECOND-LINE$/m);
    expect(screen, screen).not.toMatch(/^child got/m);
    run('kill -9 %1');
  });
});

describe.skipIf(!hasTmux)('Ctrl-C during a spinner', () => {
  let stall: Server;
  beforeAll(async () => {
    stall = createServer(() => {}); // accepts, never answers
    await new Promise<void>((resolve) => stall.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => stall.close(() => resolve())));

  it('says "interrupted" and exits 130', async () => {
    stall.closeAllConnections?.();
    const url = `http://127.0.0.1:${(stall.address() as AddressInfo).port}/api/v1`;
    const { tmux, run } = bash({ T0KEN_API_URL: url, T0KEN_CONFIG_DIR: join(home, 'spinner-config') });
    run('t0ken register --timeout 30; echo "rc=$?"');
    await tmux.waitFor('Registering this machine');
    tmux.keys('C-c');
    const screen = await tmux.waitFor(/rc=\d+/);
    expect(screen).toContain('rc=130');
    expect(screen).toMatch(/t0ken: interrupted/);
  });
});

describe.skipIf(!hasZsh)('zsh completion installed the README way', () => {
  /** A new interactive zsh in tmux with t0ken's completion installed as the README says, at its prompt. */
  async function zshWithCompletion(): Promise<Tmux> {
    const zfunc = join(home, '.zfunc');
    mkdirSync(zfunc, { recursive: true });
    writeFileSync(join(zfunc, '_t0ken'), readFileSync(fileURLToPath(new URL('../../completions/_t0ken', import.meta.url)), 'utf8'));
    writeFileSync(join(home, '.zshrc'), 'fpath=(~/.zfunc $fpath)\nautoload -Uz compinit && compinit -u\nPS1="%% "\n');
    const tmux = Tmux.start({ command: 'zsh', env: { ...shellEnv(), ZDOTDIR: home } });
    session = tmux;
    await tmux.waitFor('%');
    return tmux;
  }

  it('completes on the first TAB of a new shell (autoloaded from a user directory on fpath)', async () => {
    const tmux = await zshWithCompletion();
    tmux.type('t0ken ag');
    tmux.keys('Tab');
    await tmux.waitFor('t0ken agent');
    tmux.type('cr');
    tmux.keys('Tab');
    await tmux.waitFor('t0ken agent create');
  });

  it('lists what each command and option does, and completes --key-env with exported variable names', async () => {
    const tmux = await zshWithCompletion();
    tmux.type('t0ken agent ');
    tmux.keys('Tab');
    await tmux.waitFor(/create\s+-- create a Mnemom agent/);
    tmux.keys('C-u');
    tmux.type('t0ken agent create --if');
    tmux.keys('Tab');
    await tmux.waitFor('t0ken agent create --if-exists');
    tmux.keys('C-u');
    tmux.type('export T0KEN_PROBE_PROVIDER_KEY=x');
    tmux.keys('Enter');
    tmux.type('t0ken hash-proof --key-env T0KEN_PROBE_P');
    tmux.keys('Tab');
    await tmux.waitFor('t0ken hash-proof --key-env T0KEN_PROBE_PROVIDER_KEY');
  });

  it('after exec: program names, then the program\'s own completion (t0ken completing itself)', async () => {
    writeFileSync(join(home, 'bin', 't0kenprobe-agent'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const tmux = await zshWithCompletion();
    tmux.type('t0ken exec --only t0ken -- t0kenprobe-');
    tmux.keys('Tab');
    await tmux.waitFor('t0ken exec --only t0ken -- t0kenprobe-agent');
    tmux.keys('C-u');
    tmux.type('t0ken exec -- t0ken ag');
    tmux.keys('Tab');
    await tmux.waitFor('t0ken exec -- t0ken agent');
  });
});
