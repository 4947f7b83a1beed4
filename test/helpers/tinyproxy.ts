import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';

/** A real tinyproxy (Debian's package) on loopback, optionally with Basic auth; its log shows what went through. */
export interface Tinyproxy {
  port: number;
  url: string;
  log(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

const ATTEMPTS = 5;
// tinyproxy cannot be handed a listening socket, so it binds a port found free a moment before; another
// program (a test's server on an ephemeral port) can take it in between. Then it exits 71 saying so.
const PORT_TAKEN = 'Could not create listening sockets';
const EX_OSERR = 71; // the status it exits with then
// Written to its log once its own socket listens: a check that something accepts on the port could be
// answered by whichever program took it.
const READY = 'Accepting connections';

export async function startTinyproxy(
  dir: string,
  name: string,
  auth?: { user: string; password: string },
  choosePort: () => Promise<number> = freePort,
): Promise<Tinyproxy> {
  const failures: string[] = [];
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const port = await choosePort();
    const started = await startOn(dir, name, port, auth);
    if ('proxy' in started) return started.proxy;
    failures.push(`port ${port}: ${started.failure}`);
    if (!started.failure.includes(PORT_TAKEN) && !started.failure.startsWith(`exited ${EX_OSERR}:`)) break;
  }
  throw new Error(`tinyproxy did not start: ${failures.join('; ')}`);
}

async function startOn(
  dir: string,
  name: string,
  port: number,
  auth?: { user: string; password: string },
): Promise<{ proxy: Tinyproxy } | { failure: string }> {
  const logFile = join(dir, `${name}.log`);
  const config = join(dir, `${name}.conf`);
  rmSync(logFile, { force: true });
  writeFileSync(
    config,
    [
      `Port ${port}`, 'Listen 127.0.0.1', 'Timeout 30', `LogFile "${logFile}"`, 'LogLevel Info', 'MaxClients 20', 'Allow 127.0.0.1',
      // No ConnectPort line: CONNECT to any port (the test servers are not on 443).
      ...(auth ? [`BasicAuth ${auth.user} ${auth.password}`] : []),
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('tinyproxy', ['-d', '-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  // 'close', not 'exit': its stderr (the reason) may still be on its way when 'exit' comes (CI once saw an empty one).
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await exited;
      return { failure: `exited ${child.exitCode ?? child.signalCode}: ${stderr.trim()}` };
    }
    if (log().includes(READY)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await exited;
      return { failure: `did not say it was accepting connections within 10 s: ${stderr.trim()}` };
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    proxy: {
      port,
      url: `http://127.0.0.1:${port}`,
      log,
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await exited;
      },
    },
  };
}
