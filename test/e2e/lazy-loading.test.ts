import { spawnSync } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { mayNameStaticText } from '../../src/core/argv.js';
import { runCli } from '../helpers/cli.js';
import { useSandbox } from '../helpers/sandbox.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 't0ken-lazy-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** .build/meta.json (written by the build, not shipped) says which packages each output file holds. */
const meta = JSON.parse(readFileSync(join(root, '.build/meta.json'), 'utf8')) as Record<string, { inputs: Record<string, unknown> }>;
function packagesIn(outputFile: string): string[] {
  // External packages are imported straight from node_modules; bundled ones live in dist chunks.
  const inputs = outputFile.startsWith('node_modules/') ? [outputFile] : Object.keys(meta[outputFile]?.inputs ?? {});
  return inputs.filter((i) => i.includes('node_modules/')).map((i) => {
    const parts = i.split('node_modules/').at(-1)!.split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  });
}

let counter = 0;
/** The files, packages and Node built-ins one run of `t0ken <args>` loaded. */
async function loadedBy(args: string[], input = '', extraEnv: Record<string, string> = {}): Promise<{ files: string[]; packages: Set<string>; builtins: string[] }> {
  const log = join(work, `imports-${counter}.log`);
  const builtinLog = join(work, `builtins-of-imports-${counter++}.log`);
  // The built-ins logger first, so that the file loggers after it do not count it.
  const hooks = ['--require=log-builtins.cjs', '--require=log-requires.cjs', '--import=log-imports.mjs'].map((hook) => hook.replace('=', `=${join(root, 'test/helpers')}/`));
  const result = await runCli(args, {
    env: { NODE_OPTIONS: hooks.join(' '), T0KEN_IMPORT_LOG: log, T0KEN_BUILTIN_LOG: builtinLog, T0KEN_CONFIG_DIR: join(work, 'config'), ...extraEnv },
    input,
  });
  expect(result.code, result.stderr).toBe(0);
  const urls = readFileSync(log, 'utf8').trim().split('\n');
  const files = [...new Set(urls.map((u) => fileURLToPath(u).slice(root.length)))];
  return { files, packages: new Set(files.flatMap(packagesIn)), builtins: readFileSync(builtinLog, 'utf8').trim().split('\n') };
}

/** Packages t0ken depends on that a local command must not load (each is installed: see below). */
const HEAVY = ['commander', 'ora', '@inquirer/prompts', '@inquirer/core', 'chalk', 'systeminformation', '@napi-rs/keyring', 'jsonc-parser', '@decimalturn/toml-patch', 'smol-toml'];
/** Node's HTTP stack: a command that sends nothing has no use for it. */
const HTTP_BUILTINS = ['NativeModule http', 'NativeModule https', 'NativeModule _http_client', 'NativeModule tls'];
const KEYRING = ['@napi-rs/keyring', '@napi-rs/keyring-linux-x64-gnu'];

describe('each command loads only what it uses', () => {
  it('every package guarded against below is installed, so each guard can fail', () => {
    for (const name of HEAVY) expect(existsSync(join(root, 'node_modules', name, 'package.json')), name).toBe(true);
  });

  it('--version loads nothing but the shim (and package.json, for the version)', async () => {
    const { files } = await loadedBy(['--version']);
    expect(files).toEqual(['bin/t0ken.js', 'package.json']);
  });

  it.each([
    [[], ''],
    [['--help'], ''],
    [['agent', 'list', '-h'], ''],
    [['completion', 'bash'], ''],
    [['help', 'exit-codes', '--json'], ''],
    [['hash-proof', '--name', 'help', '--key-stdin'], 'sk-lazy-key\n'],
    [['token'], ''],
    [['fingerprint', '--json'], ''],
  ])('%j loads dist/static.cjs (the build-time texts) exactly when src/core/argv.ts says it may name one, as the shim decides', async (args, input) => {
    const { files } = await loadedBy(args, input, { T0KEN_API_KEY: 'omx_agent_lazyloadingcheck0000' });
    expect(files.includes('dist/static.cjs'), args.join(' ')).toBe(mayNameStaticText(args));
  });

  it.each([
    [['fingerprint'], ''],
    [['hash-proof', '--name', 'lazy', '--key-stdin'], 'sk-lazy-key\n'],
    [['token'], ''],
    [['exec', '--', 'true'], ''],
    [['env', '--format', 'sh'], ''],
    [['credentials'], ''],
    [['mcp', 'config', '--client', 'cursor', '--', 'node', 'server.js'], ''],
    [['credentials', 'status', '--json'], ''],
    // A required option with choices and a variadic argument: the specs' fast path takes them too.
    [['credentials', 'migrate', '--to', 'file'], ''],
    [['help', 'exit-codes', '--json'], ''],
  ])('%j loads none of commander, ora, inquirer, chalk, systeminformation, the keychain module, the file parsers, node:http(s)', async (args, input) => {
    const { packages, files, builtins } = await loadedBy(args, input, { T0KEN_API_KEY: 'omx_agent_lazyloadingcheck0000', T0KEN_CREDENTIAL_STORE: 'auto' });
    expect(files).toContain('dist/cli.cjs');
    for (const heavy of HEAVY) expect([...packages], `${args.join(' ')} loaded ${heavy}`).not.toContain(heavy);
    for (const builtin of HTTP_BUILTINS) expect(builtins, `${args.join(' ')} loaded ${builtin}`).not.toContain(builtin);
  });

  it('a write (agent login) loads none of them either: the store is our own code, conf is gone', async () => {
    const { packages, files } = await loadedBy(['agent', 'login', '--with-token'], 'mnm_lazy_loading_check_0123456789\n');
    expect(files).toContain('dist/cli.cjs');
    for (const heavy of HEAVY) expect([...packages], `agent login loaded ${heavy}`).not.toContain(heavy);
  });

  it.each([[['--help']], [['agent', 'claim', '--help']], [['help', 'exit-codes']], [['completion', 'zsh']], [[]]])(
    '%j prints its build-time text from the shim: not even dist/cli.cjs is loaded',
    async (args) => {
      const { files } = await loadedBy(args);
      expect(files).toEqual(['bin/t0ken.js', 'dist/static.cjs']);
    },
  );

  it('argv the fast path leaves to commander loads commander, so the checks above can fail', async () => {
    const { packages } = await loadedBy(['fingerprint', '--']);
    expect([...packages]).toContain('commander');
    const { packages: helped } = await loadedBy(['token', '--help'], '', { T0KEN_NO_STATIC_TEXT: '1' });
    expect([...helped]).toContain('commander');
  });

  it('mcp config --write loads the parser of the file it edits, and only that one', async () => {
    const env = { T0KEN_API_KEY: 'omx_agent_lazyloadingcheck0000', HOME: join(work, 'home') };
    const json = await loadedBy(['mcp', 'config', '--client', 'cursor', '--write', '--', 'node', 'server.js'], '', env);
    expect([...json.packages]).toContain('jsonc-parser');
    expect([...json.packages]).not.toContain('@decimalturn/toml-patch');
    const toml = await loadedBy(['mcp', 'config', '--client', 'codex', '--write', '--', 'node', 'server.js'], '', env);
    expect([...toml.packages]).toContain('@decimalturn/toml-patch');
    expect([...toml.packages]).not.toContain('jsonc-parser');
  });

  it.each([[['--version']], [['help']], [['fingerprint', '--explain']], [['credentials', '--help']]])('%j never loads the keychain module, even with T0KEN_CREDENTIAL_STORE=auto', async (args) => {
    const { packages } = await loadedBy(args, '', { T0KEN_CREDENTIAL_STORE: 'auto' });
    for (const name of KEYRING) expect([...packages]).not.toContain(name);
  });

  it('a write with T0KEN_CREDENTIAL_STORE=auto does load it (it tries the keychain first), so the checks above can fail', async () => {
    const { packages } = await loadedBy(['agent', 'login', '--with-token'], 'mnm_lazy_loading_check_0123456789\n', {
      T0KEN_CREDENTIAL_STORE: 'auto',
      DBUS_SESSION_BUS_ADDRESS: 'tcp:host=127.0.0.1,port=1', // not a unix socket: no ping first, straight to the module
    });
    expect([...packages]).toContain('@napi-rs/keyring');
  });
});

describe('a command that sends nothing loads no network code', () => {
  const sandbox = useSandbox();
  const config = join(work, 'network-config');

  async function builtinsOf(args: string[], env: Record<string, string> = {}, code = 0): Promise<string[]> {
    const log = join(work, `builtins-${counter++}.log`);
    const result = await runCli(args, {
      env: { NODE_OPTIONS: `--require=${join(root, 'test/helpers/log-builtins.cjs')}`, T0KEN_BUILTIN_LOG: log, T0KEN_CONFIG_DIR: config, T0KEN_API_URL: sandbox.t0kenUrl, ...env },
    });
    expect(result.code, result.stderr).toBe(code);
    return readFileSync(log, 'utf8').trim().split('\n');
  }

  it('register with an account stored (no request) does not load node:net; stats (a request) does, so the check can fail', async () => {
    expect(await builtinsOf(['register'])).toContain('NativeModule net'); // the first one registers
    expect(await builtinsOf(['register'])).not.toContain('NativeModule net');
    expect(await builtinsOf(['stats'])).toContain('NativeModule net');
  });

  it('a stored register loads no HTTP client (dist/cli-api-t0ken.cjs) and no spinner; the first one does, so the check can fail', async () => {
    const env = { T0KEN_API_URL: sandbox.t0kenUrl, T0KEN_CONFIG_DIR: join(work, 'register-config') };
    const first = (await loadedBy(['register'], '', env)).files;
    expect(first).toContain('dist/cli-api-t0ken.cjs');
    expect(first).toContain('dist/cli-ui-spinner.cjs');
    const again = (await loadedBy(['register'], '', env)).files;
    expect(again).toContain('dist/cli-commands-register.cjs');
    for (const file of ['dist/cli-api-t0ken.cjs', 'dist/cli-ui-spinner.cjs', 'dist/cli-identity-memoryx-identities.cjs']) expect(again).not.toContain(file);
  });

  it('a request over http:// to loopback loads node:net and none of node:http (our own HTTP/1.1 reader) or TLS', async () => {
    expect(await builtinsOf(['register'])).toBeDefined(); // an account for stats, whatever ran before
    const loaded = await builtinsOf(['stats']);
    for (const name of ['http', '_http_client', '_http_common', 'tls', 'https', 'crypto']) expect(loaded).not.toContain(`NativeModule ${name}`);
    // Node's Socket#destroy reads process.stderr, which builds the stream: a request that succeeded
    // closes its socket on a later turn, which the CLI never reaches (api/transport.ts closeLater).
    expect(loaded).not.toContain('process.stderr');
  });

  it('a request over https:// loads node:tls, so the HTTP guard above can fail', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const loaded = await builtinsOf(['stats', '--timeout', '5'], { T0KEN_API_URL: `https://127.0.0.1:${port}/api/v1`, T0KEN_API_KEY: 'omx_agent_lazyloadingcheck0000' }, 5);
    expect(loaded).toContain('NativeModule tls');
  });

  it('env and credentials status load neither node:net nor node:child_process (no D-Bus session here: no bus to ask); exec does, so the check can fail', async () => {
    expect(await builtinsOf(['register'])).toBeDefined(); // an account to hand over, whatever ran before
    for (const args of [['env'], ['credentials', 'status']]) {
      const loaded = await builtinsOf(args);
      expect(loaded, args.join(' ')).not.toContain('NativeModule net');
      expect(loaded, args.join(' ')).not.toContain('NativeModule child_process');
    }
    // A script without a #! line runs in a child process on every Node line.
    const script = join(work, 'no-shebang');
    writeFileSync(script, 'true\n', { mode: 0o755 });
    expect(await builtinsOf(['exec', '--', script])).toContain('NativeModule child_process');
  });

  it.runIf(typeof (process as { execve?: unknown }).execve === 'function')('exec that becomes the program (execve) loads neither node:child_process nor node:net', async () => {
    const loaded = await builtinsOf(['exec', '--', 'true']);
    expect(loaded).not.toContain('NativeModule child_process');
    expect(loaded).not.toContain('NativeModule net');
    expect(loaded).not.toContain('NativeModule tty');
  });

  it('token, stats, whoami and a stored register load neither node:module on Node 20 (the ESM loader with it) nor node:os; whoami --all, which asks it what Python would report, does', async () => {
    expect(await builtinsOf(['register'])).toBeDefined(); // an account stored, whatever ran before: the OS's hostname is not needed
    for (const args of [['token'], ['stats'], ['whoami'], ['register']]) {
      const loaded = await builtinsOf(args);
      // Node >= 22 loads its ESM loader at start-up (`node -e 0` too): it costs t0ken nothing extra.
      if (Number(process.versions.node.split('.')[0]) < 22) {
        expect(loaded, args.join(' ')).not.toContain('NativeModule module');
        expect(loaded, args.join(' ')).not.toContain('NativeModule internal/modules/esm/loader');
      }
      expect(loaded, args.join(' ')).not.toContain('NativeModule os');
    }
    expect(await builtinsOf(['whoami', '--all'])).toContain('NativeModule os');
  });
});

describe('output to /dev/null builds no stream', () => {
  /** Built-ins loaded by `t0ken <args> > /dev/null` (a character device, as a terminal is). */
  function builtinsWithStdoutAtDevNull(args: string[]): string[] {
    const log = join(work, `devnull-${counter++}.log`);
    const result = spawnSync(process.execPath, [join(root, 'bin/t0ken.js'), ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { PATH: process.env.PATH, HOME: work, T0KEN_CONFIG_DIR: join(work, 'devnull-config'), NODE_OPTIONS: `--require=${join(root, 'test/helpers/log-builtins.cjs')}`, T0KEN_BUILTIN_LOG: log },
      encoding: 'utf8',
    });
    expect(result.status, result.stderr).toBe(0);
    return readFileSync(log, 'utf8').trim().split('\n');
  }

  it('help printed from the build-time text (--help, agent --help) and --version load no node:stream (stdout is fstat-ed, not built)', () => {
    for (const args of [['--help'], ['agent', '--help'], ['--version'], ['-V']]) {
      const loaded = builtinsWithStdoutAtDevNull(args);
      expect(loaded, args.join(' ')).not.toContain('NativeModule stream');
      expect(loaded, args.join(' ')).not.toContain('NativeModule internal/fs/sync_write_stream');
    }
  });
});
