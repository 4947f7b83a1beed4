import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { useConfigDir } from '../helpers/sandbox.js';

// A command that reads stdin blocks in read(2) while the writer is slow (`sleep 60 | t0ken …`, or
// a person who has not pressed Ctrl-D). Ctrl-C and a supervisor's SIGTERM must end it then, as
// they end `cat`: a handler of t0ken's own cannot run while the read holds the event loop.

const config = useConfigDir();

/** Whether `pid`'s main thread is blocked in read(2) on fd 0 (x86-64 and arm64 both number read 0 and 63; the first argument is the fd). */
function blockedReadingStdin(pid: number): boolean {
  try {
    const [number, fd] = readFileSync(`/proc/${pid}/syscall`, 'utf8').split(' ');
    return (number === '0' || number === '63') && fd === '0x0';
  } catch {
    return false;
  }
}

async function endWhileReading(args: string[], signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, T0KEN_CONFIG_DIR: config.dir, PROVIDER_KEY: 'sk-stdin-signal-test' }, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.write('agent-one\n'); // some input, and the writer still there
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, sig) => resolve({ code, signal: sig })));
  const deadline = Date.now() + 15_000;
  while (!blockedReadingStdin(child.pid!)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`t0ken ${args.join(' ')} never blocked reading stdin`);
    await new Promise((r) => setTimeout(r, 10));
  }
  child.kill(signal);
  const timer = setTimeout(() => child.stdin.end(), 10_000); // it did not end: let it, so the test fails rather than hangs
  const result = await ended;
  clearTimeout(timer);
  return { ...result, stdout };
}

describe.runIf(process.platform === 'linux')('a signal while t0ken waits on stdin', () => {
  it.each([
    [['hash-proof', '--names-from', '-', '--key-env', 'PROVIDER_KEY'], 'SIGINT'],
    [['agent', 'login', '--with-token'], 'SIGINT'],
    [['hash-proof', '--name', 'a1', '--key-stdin'], 'SIGTERM'],
  ] as const)('%j ends on %s at once, printing nothing', async (args, signal) => {
    const result = await endWhileReading([...args], signal);
    expect(result).toEqual({ code: null, signal, stdout: '' });
  });
});
