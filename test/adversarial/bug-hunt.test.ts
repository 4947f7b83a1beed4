import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, runCli, tempConfigDir } from '../helpers/cli.js';
import { run } from '../helpers/run.js';
import { useProjectAndHome } from '../helpers/sandbox.js';

/**
 * Bugs found by driving the built CLI from the outside (odd files, odd environments, odd answers).
 * Each test failed before its fix. In-process (helpers/run.ts) unless the failure was a process's:
 * a read that never ends (FIFOs, /dev/zero), processes racing, stdout on /dev/full, exec, a server
 * left listening.
 */
const dirs = useProjectAndHome('t0ken-bughunt-');
const { root } = dirs;
const config = tempConfigDir('t0ken-bughunt-cfg-');
afterAll(config.cleanup);
const KEY = 'omx_agent_BugHuntTestKey_0000000001';

const mcpOptions = (env: Record<string, string | undefined>) => ({ cwd: dirs.project, timeoutMs: 8000, env: { HOME: dirs.home, T0KEN_CONFIG_DIR: config.dir, T0KEN_API_KEY: KEY, ...env } });
/** `mcp config` with these flags and, unless they name one after --, a server command. */
const mcpArgs = (args: string[]) => ['mcp', 'config', ...args, ...(args.includes('--') ? [] : ['--', 'node', '/opt/server.js'])];
const mcp = (args: string[], env: Record<string, string | undefined> = {}) => run(mcpArgs(args), mcpOptions(env));
const mcpProcess = (args: string[], env: Record<string, string | undefined> = {}) => runCli(mcpArgs(args), mcpOptions(env));

describe('mcp config --write and the client\'s existing file', () => {
  it('a FIFO where the file should be is refused (exit 7), not read forever', async () => {
    execFileSync('mkfifo', [join(dirs.project, '.mcp.json')]);
    const result = await mcpProcess(['--client', 'claude-code', '--write']);
    expect(result.signal, 'hung on the FIFO').toBeNull();
    expect(result.code, result.stderr).toBe(7);
    expect(result.stderr).toMatch(/not a regular file/);
    expect(lstatSync(join(dirs.project, '.mcp.json')).isFIFO()).toBe(true);
  });

  it('a link to /dev/zero is refused (exit 7), not read until memory runs out', async () => {
    symlinkSync('/dev/zero', join(dirs.project, '.mcp.json'));
    const result = await mcpProcess(['--client', 'claude-code', '--write']);
    expect(result.code, result.stderr).toBe(7);
    expect(readlinkSync(join(dirs.project, '.mcp.json'))).toBe('/dev/zero');
  });

  it('a dangling symlink (a dotfile manager\'s, before its target exists) stays a link; the target is written', async () => {
    const target = join(root, 'dotfiles', 'cursor', 'mcp.json');
    mkdirSync(join(dirs.home, '.cursor'));
    symlinkSync(target, join(dirs.home, '.cursor', 'mcp.json'));
    const result = await mcp(['--client', 'cursor', '--write']);
    expect(result.code, result.stderr).toBe(0);
    expect(lstatSync(join(dirs.home, '.cursor', 'mcp.json')).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(target, 'utf8')).mcpServers.memoryx.args[0]).toBe('exec');
  });

  it('a project file that is a link out of the project (a cloned repo\'s) is refused (exit 7): nothing is written or created out there', async () => {
    const outside = join(root, `outside-${Date.now()}`);
    mkdirSync(outside);
    writeFileSync(join(outside, 'settings.json'), '{}\n');
    const cases: { link: string; to: string; client: string[] }[] = [
      { link: '.mcp.json', to: join(outside, 'made', 'by', 't0ken', 'x.json'), client: ['--client', 'claude-code'] },
      { link: '.mcp.json', to: join(outside, 'settings.json'), client: ['--client', 'claude-code'] },
      { link: '.vscode', to: outside, client: ['--client', 'vscode'] },
      { link: '.vscode', to: join(outside, 'nowhere'), client: ['--client', 'vscode'] },
    ];
    for (const { link, to, client } of cases) {
      symlinkSync(to, join(dirs.project, link));
      const result = await mcp([...client, '--write']);
      expect(result.code, `${link} -> ${to}: ${result.stderr}`).toBe(7);
      expect(result.stderr).toContain('t0ken writes a project\'s file only inside the project');
      expect(readdirSync(outside).sort(), `${link} -> ${to}`).toEqual(['settings.json']);
      expect(readFileSync(join(outside, 'settings.json'), 'utf8')).toBe('{}\n');
      rmSync(join(dirs.project, link));
    }
  });

  it('a link inside the project is followed and stays a link; a project reached through a link is inside itself', async () => {
    mkdirSync(join(dirs.project, 'shared'));
    symlinkSync(join('shared', 'mcp.json'), join(dirs.project, '.mcp.json'));
    const result = await mcp(['--client', 'claude-code', '--write']);
    expect(result.code, result.stderr).toBe(0);
    expect(lstatSync(join(dirs.project, '.mcp.json')).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(join(dirs.project, 'shared', 'mcp.json'), 'utf8')).mcpServers.memoryx.command).toBe('t0ken');
    const via = join(root, `via-${Date.now()}`);
    symlinkSync(dirs.project, via);
    const throughLink = await run(mcpArgs(['--client', 'vscode', '--write']), { ...mcpOptions({}), cwd: via });
    expect(throughLink.code, throughLink.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dirs.project, '.vscode', 'mcp.json'), 'utf8')).servers.memoryx.command).toBe('t0ken');
  });

  it.each([
    ['empty', ''],
    ['relative', 'somewhere'],
  ])('an %s HOME is refused for cursor (exit 7): nothing is written under the current directory', async (_label, value) => {
    const result = await mcp(['--client', 'cursor', '--write'], { HOME: value });
    expect(result.code, result.stderr).toBe(7);
    expect(result.stderr).toContain('HOME');
    expect(existsSync(join(dirs.project, '.cursor'))).toBe(false);
    expect(existsSync(join(dirs.project, 'somewhere'))).toBe(false);
  });

  it('numbers JavaScript cannot hold exactly (beyond 2^53, 1e400, 27 digits) keep their exact text in a merged file', async () => {
    const text = '{"maxTokens": 12345678901234567890, "limit": 1e400, "ratio": 0.10000000000000000000000001}';
    writeFileSync(join(dirs.project, '.mcp.json'), text);
    const result = await mcp(['--client', 'claude-code', '--write']);
    expect(result.code, result.stderr).toBe(0);
    const merged = readFileSync(join(dirs.project, '.mcp.json'), 'utf8');
    expect(merged.startsWith('{"maxTokens": 12345678901234567890, "limit": 1e400, "ratio": 0.10000000000000000000000001,')).toBe(true);
    expect(JSON.parse(merged).mcpServers.memoryx.command).toBe('t0ken');
  });

  it('a file nested 100,000 levels deep is left untouched (exit 7), not a stack overflow (exit 1)', async () => {
    const text = `{"x": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    writeFileSync(join(dirs.project, '.mcp.json'), text);
    const result = await mcp(['--client', 'claude-code', '--write']);
    expect(result.code, result.stderr).toBe(7);
    expect(result.stderr).toContain('nested');
    expect(readFileSync(join(dirs.project, '.mcp.json'), 'utf8')).toBe(text);
  });

  it('an unparsable file is named in a one-line error with its line and column, not a snippet of the file over several lines', async () => {
    writeFileSync(join(dirs.project, '.mcp.json'), '{"a": 1,\n\n\n oops}');
    const result = await mcp(['--client', 'claude-code', '--write']);
    expect(result.code, result.stderr).toBe(7);
    const lines = result.stderr.trim().split('\n').filter((line) => !line.startsWith('warning:'));
    expect(lines, result.stderr).toHaveLength(2); // the error, then what to do
    expect(lines[0]).toContain('line 4, column 2');
  });

  it.each([[''], ['  ']])('an empty program name after -- (%j) is exit 2, not an entry whose t0ken exec fails at every start', async (program) => {
    const result = await mcp(['--client', 'claude-code', '--write', '--', program, 'arg']);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('empty program name');
    expect(existsSync(join(dirs.project, '.mcp.json'))).toBe(false);
  });

  it.each([['~/cfg'], ['cfg']])('a relative T0KEN_CONFIG_DIR (%j) is refused (exit 7), not carried into an entry whose t0ken exec fails at every start', async (dir) => {
    const written = await mcp(['--client', 'claude-code', '--write'], { T0KEN_CONFIG_DIR: dir });
    expect(written.code, written.stderr).toBe(7);
    expect(written.stderr).toContain('T0KEN_CONFIG_DIR is a relative path');
    expect(existsSync(join(dirs.project, '.mcp.json'))).toBe(false);
    const printed = await mcp(['--client', 'claude-code'], { T0KEN_CONFIG_DIR: dir });
    expect(printed.code, printed.stderr).toBe(7);
    expect(printed.stdout).toBe('');
  });

  it('six t0ken processes adding six servers at once keep all six (they lost each other\'s entries)', async () => {
    const names = ['one', 'two', 'three', 'four', 'five', 'six'];
    const results = await Promise.all(names.map((name) => mcpProcess(['--client', 'claude-code', '--write', '--name', name, '-q'])));
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const servers = JSON.parse(readFileSync(join(dirs.project, '.mcp.json'), 'utf8')).mcpServers;
    expect(Object.keys(servers).sort()).toEqual([...names].sort());
    expect(existsSync(join(dirs.project, '.mcp.json.t0ken-lock'))).toBe(false);
    expect(existsSync(join(dirs.project, '..mcp.json.t0ken-lock'))).toBe(false);
  });

  it('numbers a rewrite keeps exactly (1.50, 1e2, -0.5, 2^53) are merged as usual', async () => {
    writeFileSync(join(dirs.project, '.mcp.json'), '{"a": 1.50, "b": 1e2, "c": -0.5, "d": 9007199254740992, "s": "12345678901234567890"}');
    const result = await mcp(['--client', 'claude-code', '--write']);
    expect(result.code, result.stderr).toBe(0);
    const text = readFileSync(join(dirs.project, '.mcp.json'), 'utf8');
    expect(text).toContain('{"a": 1.50, "b": 1e2, "c": -0.5, "d": 9007199254740992, "s": "12345678901234567890"');
    expect(JSON.parse(text)).toMatchObject({ a: 1.5, b: 100, c: -0.5, d: 9007199254740992, s: '12345678901234567890' });
  });
});

/** A writer for a FIFO in another process, so a t0ken that never opens it cannot hang the test. */
function feedFifo(path: string, text: string) {
  const writer = spawn('sh', ['-c', 'cat > "$1"', 'sh', path], { stdio: ['pipe', 'ignore', 'ignore'] });
  writer.stdin.on('error', () => {}); // t0ken may stop reading at its limit
  writer.stdin.end(text);
  return { stop: () => writer.kill('SIGKILL') };
}

describe('a named pipe (a shell\'s <(command)) for --names-from and --card', () => {
  const env = { T0KEN_CONFIG_DIR: config.dir, PK: 'sk-ant-bughunt-provider-key' };

  it('hash-proof --names-from reads a FIFO to its end, as it reads a file', async () => {
    const file = join(dirs.project, 'names.txt');
    writeFileSync(file, 'alpha\nbeta-2\n');
    const fromFile = await runCli(['hash-proof', '--key-env', 'PK', '--names-from', file], { env });
    expect(fromFile.code, fromFile.stderr).toBe(0);
    const fifo = join(dirs.project, 'names.fifo');
    execFileSync('mkfifo', [fifo]);
    const writer = feedFifo(fifo, 'alpha\nbeta-2\n');
    const fromFifo = await runCli(['hash-proof', '--key-env', 'PK', '--names-from', fifo], { env, timeoutMs: 8000 });
    writer.stop();
    expect(fromFifo.code, fromFifo.stderr).toBe(0);
    expect(fromFifo.stdout).toBe(fromFile.stdout);
    expect(fromFifo.stdout.trim().split('\n')).toHaveLength(2);
  });

  it.each([
    ['its content is read (a broken card is named as such)', '{"oops', 'is not valid JSON'],
    ['its size limit still holds', `{"pad": "${'x'.repeat(200 * 1024)}"}`, 'is larger than'],
  ])('agent create --card from a FIFO: %s', async (_label, text, message) => {
    const fifo = join(dirs.project, 'card.fifo');
    execFileSync('mkfifo', [fifo]);
    const writer = feedFifo(fifo, text);
    // The card is read and checked before any request: no service is needed.
    const result = await runCli(['agent', 'create', '--name', 'pipe-bot', '--key-env', 'PK', '--card', fifo], {
      env: { ...env, MNEMOM_API_KEY: 'mnm_BugHuntPipeKey_00001', MNEMOM_API_URL: 'http://127.0.0.1:9/v1' },
      timeoutMs: 8000,
    });
    writer.stop();
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(message);
  });
});

describe('agent create --card nested thousands of levels deep', () => {
  it('is a usage error (exit 2) before any request, not a stack overflow (exit 1)', async () => {
    const card = join(dirs.project, 'deep-card.json');
    writeFileSync(card, `{"x": ${'['.repeat(7000)}${']'.repeat(7000)}}`);
    const result = await run(['agent', 'create', '--name', 'deep-bot', '--key-env', 'PK', '--card', card], {
      env: { T0KEN_CONFIG_DIR: config.dir, PK: 'sk-ant-bughunt-provider-key', MNEMOM_API_KEY: 'mnm_BugHuntPipeKey_00001', MNEMOM_API_URL: 'http://127.0.0.1:9/v1' },
    });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('nested too deeply');
  });
});

describe('hash-proof --names-from a file saved by a Windows editor', () => {
  it('a UTF-8 byte-order mark before the first name is ignored, as CRLF is (it was "invalid agent name \\"ab\\"")', async () => {
    const env = { T0KEN_CONFIG_DIR: config.dir, PK: 'sk-ant-bughunt-provider-key' };
    const plain = join(dirs.project, 'plain.txt');
    const windows = join(dirs.project, 'windows.txt');
    writeFileSync(plain, 'ab\ncd\n');
    writeFileSync(windows, '\uFEFFab\r\ncd\r\n');
    const expected = await run(['hash-proof', '--key-env', 'PK', '--names-from', plain], { env });
    expect(expected.code, expected.stderr).toBe(0);
    const fromFile = await run(['hash-proof', '--key-env', 'PK', '--names-from', windows], { env });
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(fromFile.stdout).toBe(expected.stdout);
    const fromStdin = await run(['hash-proof', '--key-env', 'PK', '--names-from', '-'], { env, input: '\uFEFFab\r\ncd\r\n' });
    expect(fromStdin.code, fromStdin.stderr).toBe(0);
    expect(fromStdin.stdout).toBe(expected.stdout);
  });
});

describe('a missing option or argument, or an unknown option, of a command', () => {
  it.each([
    [['agent', 'create', '--key-env', 'HOME'], 'agent create'],
    [['agent', 'show'], 'agent show'],
    [['credentials', 'migrate'], 'credentials migrate'],
    [['completion'], 'completion'],
    [['agent', 'create', '--name', 'x', '--bogus'], 'agent create'],
  ])('%j points at that command\'s own help (not the literal `t0ken <command> --help`)', async (args, command) => {
    const result = await run(args, { env: { T0KEN_CONFIG_DIR: config.dir } });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr.split('\n')[1]).toBe(`Run \`t0ken ${command} --help\` to see its options and arguments.`);
  });
});

describe('a flag that takes no value, given one', () => {
  it.each([
    [['stats', '--json=1'], '--json'],
    [['credentials', 'status', '--json=1'], '--json'],
    [['whoami', '--quiet=yes'], '--quiet'],
    [['mcp', 'config', '--write=yes'], '--write'],
    [['--json=1', 'whoami'], '--json'],
    [['exec', '--json=1', '--', 'true'], '--json'],
  ])('%j says "%s takes no value", not "unknown option (Did you mean …?)", and what to do', async (args, flag) => {
    const result = await run(args, { env: { T0KEN_CONFIG_DIR: config.dir } });
    expect(result.code, result.stderr).toBe(2);
    const [message, hint] = result.stderr.split('\n');
    expect(message).toBe(`t0ken: ${flag} takes no value`);
    expect(hint).toMatch(/--help/);
  });
});

describe('a directory as stdin (`< /`)', () => {
  it('every command that reads stdin says stdin is a directory: exit 2, not exit 7 about a config file', () => {
    const directory = openSync(root, 'r');
    try {
      for (const args of [
        ['agent', 'login', '--with-token'],
        ['hash-proof', '--name', 'ab', '--key-stdin'],
        ['agent', 'create', '--name', 'ab', '--key-stdin'],
        ['hash-proof', '--key-env', 'PROVIDER_KEY', '--names-from', '-'],
        ['--json', 'agent', 'login', '--with-token'],
      ]) {
        const result = spawnSync(process.execPath, [BIN, ...args], {
          stdio: [directory, 'pipe', 'pipe'],
          encoding: 'utf8',
          timeout: 20_000,
          env: cleanEnv({ T0KEN_CONFIG_DIR: config.dir, PROVIDER_KEY: 'sk-provider', MNEMOM_API_KEY: undefined }),
        });
        expect(result.status, `${args.join(' ')}: ${result.stderr}`).toBe(2);
        expect(result.stderr, args.join(' ')).toContain('cannot read stdin: it is a directory (EISDIR)');
        expect(result.stderr, args.join(' ')).not.toMatch(/config|T0KEN_CONFIG_DIR/);
        expect(result.stdout).toBe('');
      }
    } finally {
      closeSync(directory);
    }
  });
});

describe('T0KEN_CONFIG_DIR naming something that is not a directory', () => {
  it('a system file or a device is never to be moved aside: the hint is to set the variable; a file where the default directory goes still may be', async () => {
    for (const named of ['/etc/passwd', '/dev/null']) {
      for (const args of [['register'], ['whoami']]) {
        const result = await run(args, { env: { T0KEN_CONFIG_DIR: named } });
        expect(result.code, `${named} ${args[0]}: ${result.stderr}`).toBe(7);
        expect(result.stderr).toContain(`the config directory ${named} (from T0KEN_CONFIG_DIR) is not a directory`);
        expect(result.stderr).toContain('Set T0KEN_CONFIG_DIR to a directory of your own, or unset it.');
        expect(result.stderr).not.toContain('mv ');
      }
    }
    mkdirSync(join(dirs.home, '.config'));
    writeFileSync(join(dirs.home, '.config', 't0ken'), 'a file of the user\'s\n');
    const derived = await run(['whoami'], { env: { HOME: dirs.home, XDG_CONFIG_HOME: undefined, T0KEN_CONFIG_DIR: undefined } });
    expect(derived.code, derived.stderr).toBe(7);
    expect(derived.stderr).toContain(`Move it aside (mv ${join(dirs.home, '.config', 't0ken')}`);
  });
});

describe('a current directory that was removed', () => {
  it('a command that needs it says so (exit 7), not "could not uv_cwd a file"; one that does not runs', () => {
    const script = `mkdir gone && cd gone && rmdir ../gone && exec "$0" "$@"`;
    const inRemoved = (args: string[]) =>
      spawnSync('sh', ['-c', script, process.execPath, BIN, ...args], { cwd: root, encoding: 'utf8', timeout: 20_000, env: cleanEnv({ T0KEN_CONFIG_DIR: config.dir, HOME: dirs.home, T0KEN_API_KEY: KEY }) });
    const write = inRemoved(['mcp', 'config', '--client', 'claude-code', '--write', '--', 'npx', 'some-server']);
    expect(write.status, write.stderr).toBe(7);
    expect(write.stderr).toBe('t0ken: the current directory no longer exists (it was removed after this shell entered it)\ncd to a directory that exists, then run the command again.\n');
    const token = inRemoved(['token']);
    expect(token.status, token.stderr).toBe(0);
    expect(token.stdout).toBe(`${KEY}\n`);
  });
});

describe('a config.json from a newer t0ken', () => {
  it('says to upgrade t0ken, not that the file is corrupt or to move it aside; the file is left as it is', async () => {
    const dir = join(root, `newer-${Date.now()}`);
    mkdirSync(dir, { mode: 0o700 });
    const text = '{"version": 3, "t0ken": {}, "mnemom": {}, "something_new": true}\n';
    writeFileSync(join(dir, 'config.json'), text, { mode: 0o600 });
    for (const args of [['whoami'], ['token'], ['register']]) {
      const result = await run(args, { env: { T0KEN_CONFIG_DIR: dir } });
      expect(result.code, `${args[0]}: ${result.stderr}`).toBe(7);
      expect(result.stderr).toContain(`the config file ${join(dir, 'config.json')} was written by a newer t0ken (format version 3; this one reads up to 2)`);
      expect(result.stderr).toContain('Upgrade t0ken');
      expect(result.stderr).not.toMatch(/corrupt|mv /);
      expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe(text);
    }
  });
});

describe('stdout on a full disk (/dev/full)', () => {
  /** Runs t0ken with stdout on /dev/full: the write fails with ENOSPC. */
  const toFullDisk = (args: string[], env: Record<string, string> = {}, stream: 'stdout' | 'stderr' = 'stdout') =>
    new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const full = openSync('/dev/full', 'w');
      const stdio = stream === 'stdout' ? (['ignore', full, 'pipe'] as const) : (['ignore', 'ignore', full] as const);
      const child = spawn(process.execPath, [BIN, ...args], { stdio: [...stdio], env: { ...process.env, T0KEN_CONFIG_DIR: config.dir, ...env } });
      closeSync(full);
      let stderr = '';
      child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr }));
    });

  it.each([[['--help']], [['completion', 'bash']], [['help', 'environment']], [[]], [['--version']]])(
    't0ken %j: a one-line error and exit 7 (a file-system error), not a stack trace and exit 1',
    async (args) => {
      const result = await toFullDisk(args);
      expect(result.code, result.stderr).toBe(7);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.stderr.split('\n')[0]).toBe('t0ken: could not write the output to stdout (ENOSPC)');
    },
  );

  it.each([
    [['nonsense-command'], 2],
    [['stats', '--timeout', 'abc'], 2],
    [['agent', 'list'], 3],
    [['whoami'], 0],
    [['exec', '--', 'no-such-program-t0ken-test'], 127],
    [['hash-proof', '--key-env', 'PK'], 0],
  ])('stderr on /dev/full: t0ken %j keeps its exit status (%i), lost messages are not a crash (exit 1)', async (args, code) => {
    const result = await toFullDisk(args, { T0KEN_API_KEY: KEY, T0KEN_API_URL: 'http://127.0.0.1:9/api/v1', PK: 'sk-ant-x', T0KEN_CONFIG_DIR: join(root, 'empty-config') }, 'stderr');
    expect(result.code).toBe(code);
  });

  it.each([[['token']], [['--json', 'token']], [['fingerprint']]])('t0ken %j: the error names stdout, not a full file system holding "."', async (args) => {
    const result = await toFullDisk(args, { T0KEN_API_KEY: KEY });
    expect(result.code, result.stderr).toBe(7);
    expect(result.stderr).toContain('could not write the output to stdout (ENOSPC)');
    expect(result.stderr).not.toContain('holding .');
  });

  it('help printed by commander (T0KEN_NO_STATIC_TEXT=1) too', async () => {
    const result = await toFullDisk(['stats', '--help'], { T0KEN_NO_STATIC_TEXT: '1' });
    expect(result.code, result.stderr).toBe(7);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('exec a script whose #! interpreter is missing', () => {
  const env = { T0KEN_CONFIG_DIR: config.dir, T0KEN_API_KEY: KEY };
  it.each([
    ['a Windows line ending after #!/bin/sh', '#!/bin/sh\r\necho hi\r\n', '"/bin/sh\\r"', /Windows line ending/],
    ['an interpreter this machine lacks', '#!/nonexistent/bin/interp\necho hi\n', '"/nonexistent/bin/interp"', /Install \/nonexistent\/bin\/interp/],
  ])('%s: exit 126 naming the interpreter, not "command not found" (127) for a file that is there', async (_label, text, named, hint) => {
    const script = join(dirs.project, 'agent.sh');
    writeFileSync(script, text, { mode: 0o755 });
    for (const [program, pathVar] of [[script, process.env.PATH ?? ''], ['agent.sh', `${dirs.project}:${process.env.PATH ?? ''}`]] as const) {
      const result = await runCli(['exec', '--', program], { env: { ...env, PATH: pathVar } });
      expect(result.code, result.stderr).toBe(126);
      expect(result.stderr).toContain(`bad interpreter ${named}`);
      expect(result.stderr).toMatch(hint);
    }
  });

  it('a program that is nowhere is still "command not found" (127)', async () => {
    const result = await runCli(['exec', '--', 'no-such-program-t0ken-test'], { env });
    expect(result.code, result.stderr).toBe(127);
    expect(result.stderr).toContain('command not found');
  });
});

describe('a key holding control characters (T0KEN_API_KEY with an escape or a CR)', () => {
  const env = { T0KEN_CONFIG_DIR: config.dir, T0KEN_API_KEY: 'omx_agent_ab\u001b[2Jcd\rx' };
  it.each([['sh'], ['fish'], ['dotenv']])('env --format %s refuses it (exit 2) instead of printing another value', async (format) => {
    const result = await run(['env', '--only', 't0ken', '--format', format], { env });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('--format json');
  });

  it('env --format json and token --json carry it exactly', async () => {
    const asEnv = await run(['env', '--only', 't0ken', '--format', 'json'], { env });
    expect(asEnv.code, asEnv.stderr).toBe(0);
    expect(JSON.parse(asEnv.stdout).T0KEN_API_KEY).toBe(env.T0KEN_API_KEY);
    const asToken = await run(['token', '--json'], { env });
    expect(JSON.parse(asToken.stdout).api_key).toBe(env.T0KEN_API_KEY);
  });

  it('token refuses it as text (exit 2) instead of printing another key', async () => {
    const result = await run(['token'], { env });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
  });
});

describe('exec --only at the end of the line', () => {
  it('says it needs a value (exit 2), not that it is not ""', async () => {
    const result = await run(['exec', '--only'], { env: { T0KEN_CONFIG_DIR: config.dir, T0KEN_API_KEY: KEY } });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe('t0ken: --only needs a value: t0ken or mnemom');
  });
});

describe('sandbox --host ""', () => {
  it('is a usage error (exit 2), not a sandbox listening on every interface', async () => {
    const result = await runCli(['sandbox', '--port', '0', '--host', ''], { env: { T0KEN_CONFIG_DIR: config.dir }, timeoutMs: 3000 });
    expect(result.signal, 'it started listening').toBeNull();
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('--host needs an address');
  });
});
