import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { requirePart } from '../helpers/real-part.js';
import { Tmux, tmuxProbe } from '../helpers/tmux.js';

/**
 * `t0ken exec` in a real terminal (tmux), as the foreground job: signals from another process, from
 * the terminal (Ctrl-C, a resize) and job control (SIGTSTP/SIGCONT). Where Node has process.execve
 * t0ken becomes the program (same pid); elsewhere (Node < 22.15) it runs a child and passes every
 * signal on exactly once. The same tests hold on both paths; each also checks which path it was.
 */
const hasTmux = requirePart('tmux', tmuxProbe);
const EXECVE = process.platform !== 'win32' && typeof (process as { execve?: unknown }).execve === 'function';

/** Counts the signals it gets and prints each; SIGTERM prints the counts and exits 0. */
const REPORTER = `const counts = {};
for (const s of ['SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGWINCH']) process.on(s, () => { counts[s] = (counts[s] ?? 0) + 1; console.log('got ' + s + ' ' + counts[s]); });
process.on('SIGTERM', () => { console.log('final ' + JSON.stringify(counts)); process.exit(0); });
console.log('ready pid=' + process.pid + ' ppid=' + process.ppid);
setInterval(() => {}, 1000);`;

let work: string;
let tmux: Tmux | undefined;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 't0ken-exec-pty-'));
  writeFileSync(join(work, 'reporter.js'), REPORTER);
});
afterEach(() => {
  tmux?.stop();
  tmux = undefined;
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * Starts `t0ken exec -- node reporter.js` as the foreground job of an interactive bash in a terminal
 * (a job of its own, as a user's; tmux would continue a pane's own process when it stops), which
 * prints its exit status after. Resolves with t0ken's pid and the program's.
 */
async function startInTerminal(): Promise<{ t0ken: number; program: number }> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: work,
    T0KEN_CONFIG_DIR: join(work, 'config'),
    T0KEN_API_KEY: 'omx_agent_ptyTestKey0000000001',
    T0KEN_CREDENTIAL_STORE: 'file',
    PS1: '$ ',
  };
  tmux = Tmux.start({ command: 'bash --norc --noprofile', env });
  tmux.type(`${process.execPath} ${BIN} exec -- ${process.execPath} ${join(work, 'reporter.js')}; echo "status=$?"`);
  tmux.keys('Enter');
  const [, pid, ppid] = /ready pid=(\d+) ppid=(\d+)/.exec(await tmux.waitFor(/ready pid=\d+ ppid=\d+/))!;
  const program = Number(pid);
  // execve: the program is t0ken's own process; else its parent is t0ken.
  return { t0ken: EXECVE ? program : Number(ppid), program };
}

/** The process's state letter from /proc (R, S, T for stopped…). */
function state(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > 8000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.runIf(hasTmux && process.platform === 'linux')(`exec in a terminal's foreground (${EXECVE ? 'process.execve' : 'a child process'})`, () => {
  it(EXECVE ? 'becomes the program: the program has t0ken\'s pid' : 'runs the program as its child', async () => {
    const { t0ken, program } = await startInTerminal();
    if (EXECVE) expect(program).toBe(t0ken);
    else expect(program).not.toBe(t0ken);
    expect(readFileSync(`/proc/${t0ken}/cmdline`, 'utf8').split('\0')).toContain(join(work, 'reporter.js'));
    process.kill(t0ken, 'SIGTERM');
    await tmux!.waitFor('status=0');
  });

  it('SIGINT and SIGHUP from another process reach the program once; Ctrl-C and a window resize too', async () => {
    const { t0ken } = await startInTerminal();
    process.kill(t0ken, 'SIGINT');
    await tmux!.waitFor('got SIGINT 1');
    tmux!.keys('C-c');
    await tmux!.waitFor('got SIGINT 2');
    process.kill(t0ken, 'SIGHUP');
    await tmux!.waitFor('got SIGHUP 1');
    tmux!.resize(100, 20);
    await tmux!.waitFor('got SIGWINCH 1');
    // SIGTERM comes after the others through the same way: a duplicate of any would have come first.
    process.kill(t0ken, 'SIGTERM');
    const screen = await tmux!.waitFor('status=0');
    expect(screen).toContain('final {"SIGINT":2,"SIGHUP":1,"SIGWINCH":1}');
  });

  it('Ctrl-C reaches what the program started too: a shell waiting on a sleep ends at once, 130', async () => {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work, T0KEN_CONFIG_DIR: join(work, 'config'), T0KEN_API_KEY: 'omx_agent_ptyTestKey0000000001', T0KEN_CREDENTIAL_STORE: 'file', PS1: '$ ' };
    tmux = Tmux.start({ command: 'bash --norc --noprofile', env });
    tmux.type(`${process.execPath} ${BIN} exec -- sh -c 'echo started; sleep 60; echo after'; echo "status=$?"`);
    tmux.keys('Enter');
    await tmux.waitFor(/^started$/m);
    tmux.keys('C-c');
    // Back at the prompt within seconds, not after the sleep's 60 s. A child path: t0ken exits 130 and
    // bash goes on to print it; execve: the job itself died of SIGINT, and bash drops the rest of the line.
    const screen = await tmux.waitFor(/\^C\n?(?:status=130\n)?[^\n]*[#$]\s*$/, 8000);
    expect(screen).not.toMatch(/^after$/m);
    if (!EXECVE) expect(screen).toContain('status=130');
  });

  it('kill -TSTP stops the program with t0ken, kill -CONT resumes both', async () => {
    const { t0ken, program } = await startInTerminal();
    process.kill(t0ken, 'SIGTSTP');
    await until(() => state(program) === 'T' && state(t0ken) === 'T', 'the program and t0ken to stop');
    process.kill(t0ken, 'SIGCONT');
    await until(() => state(program) !== 'T' && state(t0ken) !== 'T', 'the program and t0ken to resume');
    process.kill(t0ken, 'SIGTERM');
    await tmux!.waitFor('final {}'); // bash took the stopped job to the background: no status line for it
    await until(() => !existsSync(`/proc/${program}`) && !existsSync(`/proc/${t0ken}`), 'the program and t0ken to end');
  });
});
