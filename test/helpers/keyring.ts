import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A real Secret Service of the test's own: a private `dbus-daemon --session` and a
 * `gnome-keyring-daemon --unlock --components=secrets` on it, with a temporary HOME and XDG
 * directories, so no test ever touches the keychain of the person running them. The daemons are
 * started here (not by a dbus-run-session wrapper), so the tests run the same from `npx vitest`,
 * `npm test` and `.ci/run`.
 */
export interface TestKeyring {
  /** The variables a t0ken process needs to reach this keyring (and nothing else). */
  env: Record<string, string>;
  /** Locks the login keyring through the Secret Service's own Lock method. */
  lock(): void;
  /** Reads, writes or deletes an entry of service t0ken directly, as another program would. */
  entry(op: 'get' | 'delete', account: string): string | null | boolean;
  /** The same for several entries, in one process. */
  entries(op: 'get' | 'delete', accounts: readonly string[]): (string | null | boolean)[];
  stop(): void;
}

const PASSWORD = 't0ken-test-keyring';
const root = fileURLToPath(new URL('../..', import.meta.url));

/** For requirePart: undefined when the parts are installed, else what is missing. */
export function keyringProbe(): string | undefined {
  for (const tool of ['dbus-daemon', 'gnome-keyring-daemon', 'dbus-send']) {
    const found = spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
    if (!found) return `${tool} is not installed (apt-get install dbus dbus-daemon gnome-keyring)`;
  }
  return undefined;
}

export async function startKeyring(): Promise<TestKeyring> {
  const dir = mkdtempSync(join(tmpdir(), 't0ken-keyring-'));
  const dirs = { HOME: join(dir, 'home'), XDG_DATA_HOME: join(dir, 'data'), XDG_CONFIG_HOME: join(dir, 'config'), XDG_CACHE_HOME: join(dir, 'cache'), XDG_RUNTIME_DIR: join(dir, 'run') };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true, mode: 0o700 });
  const children: ChildProcess[] = [];
  const stop = () => {
    for (const child of children.reverse()) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const bus = `unix:path=${join(dirs.XDG_RUNTIME_DIR, 'bus')}`;
    const dbus = spawn('dbus-daemon', ['--session', '--nofork', `--address=${bus}`, '--print-address=1'], { env: { ...process.env, ...dirs }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(dbus);
    const address = (await firstLine(dbus, 'dbus-daemon')).trim();
    const env = { ...dirs, DBUS_SESSION_BUS_ADDRESS: address };
    const keyring = spawn('gnome-keyring-daemon', ['--foreground', '--unlock', '--components=secrets'], { env: { ...process.env, ...env }, stdio: ['pipe', 'ignore', 'pipe'] });
    children.push(keyring);
    keyring.stdin!.end(PASSWORD); // --unlock reads the login keyring's password from stdin
    await waitForName(env, 'org.freedesktop.secrets', keyring);
    return {
      env,
      lock() {
        execFileSync('dbus-send', ['--session', '--print-reply', '--dest=org.freedesktop.secrets', '/org/freedesktop/secrets', 'org.freedesktop.Secret.Service.Lock', 'array:objpath:/org/freedesktop/secrets/collection/login'], { env: { ...process.env, ...env }, stdio: 'ignore', timeout: 10_000 });
      },
      entry(op, account) {
        return entries(env, op, [account])[0]!;
      },
      entries: (op, accounts) => entries(env, op, accounts),
      stop,
    };
  } catch (error) {
    stop();
    throw error;
  }
}

function entries(env: Record<string, string>, op: 'get' | 'delete', accounts: readonly string[]): (string | null | boolean)[] {
  const script = `const { Entry } = require(${JSON.stringify(join(root, 'node_modules/@napi-rs/keyring'))});
const out = ${JSON.stringify(accounts)}.map((account) => {
  const e = new Entry('t0ken', account, { linux: { store: 'secret-service' } });
  return ${op === 'get' ? 'e.getPassword()' : 'e.deleteCredential()'};
});
process.stdout.write(JSON.stringify(out));`;
  const out = execFileSync(process.execPath, ['-e', script], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 10_000 });
  return JSON.parse(out) as (string | null | boolean)[];
}

function firstLine(child: ChildProcess, name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      text += d;
      if (text.includes('\n')) resolve(text.split('\n')[0]!);
    });
    child.on('exit', (code) => reject(new Error(`${name} exited ${code}: ${err.trim()}`)));
    child.on('error', reject);
  });
}

/** Polls the bus until `name` has an owner (the keyring daemon has registered), at most 10 s. */
async function waitForName(env: Record<string, string>, name: string, owner: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (owner.exitCode !== null) throw new Error(`gnome-keyring-daemon exited ${owner.exitCode} before it took ${name}`);
    const reply = spawnSync('dbus-send', ['--session', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', `string:${name}`], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 5_000 });
    if (/boolean true/.test(reply.stdout ?? '')) return;
    if (Date.now() > deadline) throw new Error(`${name} did not appear on the test D-Bus within 10 s: ${reply.stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A session bus whose Secret Service never answers: its activation file starts a program that never
 * takes the name, so every call to org.freedesktop.secrets waits until the caller gives up.
 */
export async function startHungSecretService(): Promise<{ env: Record<string, string>; stop(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 't0ken-hung-bus-'));
  mkdirSync(join(dir, 'services'));
  mkdirSync(join(dir, 'run'), { mode: 0o700 });
  writeFileSync(join(dir, 'bus.conf'), `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${join(dir, 'run', 'bus')}</listen>
  <servicedir>${join(dir, 'services')}</servicedir>
  <policy context="default"><allow send_destination="*"/><allow own="*"/></policy>
  <limit name="service_start_timeout">60000</limit>
</busconfig>
`);
  // The activated `sleep` never takes the name and ends by itself soon after the test.
  writeFileSync(join(dir, 'services', 'org.freedesktop.secrets.service'), '[D-BUS Service]\nName=org.freedesktop.secrets\nExec=/bin/sleep 15\n');
  const dbus = spawn('dbus-daemon', ['--nofork', `--config-file=${join(dir, 'bus.conf')}`, '--print-address=1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = () => {
    if (dbus.exitCode === null && dbus.signalCode === null) dbus.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const address = (await firstLine(dbus, 'dbus-daemon')).trim();
    return { env: { DBUS_SESSION_BUS_ADDRESS: address, XDG_RUNTIME_DIR: join(dir, 'run') }, stop };
  } catch (error) {
    stop();
    throw error;
  }
}

/** For requirePart: undefined when the silent Secret Service can run here, else what is missing. */
export function silentSecretServiceProbe(): string | undefined {
  if (spawnSync('sh', ['-c', 'command -v dbus-daemon']).status !== 0) return 'dbus-daemon is not installed (apt-get install dbus-daemon)';
  const python = spawnSync(PYTHON, ['-c', 'import dbus, dbus.mainloop.glib, gi.repository.GLib'], { encoding: 'utf8', timeout: 10_000 });
  if (python.error) return `${PYTHON} does not run (${(python.error as NodeJS.ErrnoException).code}; apt-get install python3)`;
  if (python.status !== 0) return `${PYTHON} lacks dbus-python or PyGObject (apt-get install python3-dbus python3-gi): ${python.stderr.trim().split('\n').at(-1)}`;
  return undefined;
}

export interface SilentSecretService {
  env: Record<string, string>;
  /** The Secret Service calls it got so far, as `interface.member`. */
  calls(): string[];
  stop(): void;
}

/** Debian's python (with python3-dbus and python3-gi), not whatever `python3` is first on PATH. */
const PYTHON = '/usr/bin/python3';

/**
 * A private session bus whose org.freedesktop.secrets is there (it answers Ping and Introspect) but
 * never gives an answer (test/helpers/silent-secret-service.py): `silent` never replies to any
 * Secret Service call; `prompt` opens the session, finds a locked item and shows an unlock prompt
 * that is never answered, as a desktop whose user is away; `questions` answers t0ken's questions on
 * its ping connection (nothing is locked) and never answers the keychain library's own connection.
 */
export async function startSilentSecretService(mode: 'silent' | 'prompt' | 'questions'): Promise<SilentSecretService> {
  const dir = mkdtempSync(join(tmpdir(), 't0ken-silent-bus-'));
  mkdirSync(join(dir, 'run'), { mode: 0o700 });
  const children: ChildProcess[] = [];
  const stop = () => {
    for (const child of children.reverse()) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const dbus = spawn('dbus-daemon', ['--session', '--nofork', `--address=unix:path=${join(dir, 'run', 'bus')}`, '--print-address=1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(dbus);
    const env = { DBUS_SESSION_BUS_ADDRESS: (await firstLine(dbus, 'dbus-daemon')).trim(), XDG_RUNTIME_DIR: join(dir, 'run') };
    const service = spawn(PYTHON, [fileURLToPath(new URL('silent-secret-service.py', import.meta.url)), mode], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(service);
    const ready = await firstLine(service, 'silent-secret-service.py');
    if (ready.trim() !== 'ready') throw new Error(`silent-secret-service.py said ${JSON.stringify(ready)} instead of ready`);
    let output = '';
    service.stdout!.on('data', (d: string) => (output += d));
    const calls = () => output.split('\n').filter((line) => line.startsWith('call ')).map((line) => line.slice('call '.length));
    return { env, calls, stop };
  } catch (error) {
    stop();
    throw error;
  }
}

/**
 * How long a command that met the keychain limit may take in all: the calls wait 20 s
 * (src/store/secrets/keychain.ts), plus starting and ending the keychain process. 20.3 s on an idle
 * machine; 25.6 s once in CI with four test files at once on 2 cores. A hang runs into the runCli
 * timeouts (40–45 s) instead.
 */
export const ENDED_BY_THE_LIMIT_MS = 38_000;
