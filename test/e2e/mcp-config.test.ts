import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, tempConfigDir } from '../helpers/cli.js';
import { run } from '../helpers/run.js';
import { useConfigDir, useProjectAndHome } from '../helpers/sandbox.js';

const KEY = 'omx_agent_MCPconfigTestKey_s3cr3t_0001';
const config = useConfigDir('shared');
const dirs = useProjectAndHome('t0ken-mcp-');
const { root } = dirs;

const STUB = ['node', '/opt/stub-server.js', '--flag'];
const t0ken = (args: string[], env: Record<string, string> = {}) =>
  run(args, { cwd: dirs.project, env: { HOME: dirs.home, T0KEN_API_KEY: KEY, ...env } });

describe('mcp config prints each client\'s shape, with no secret in it', () => {
  const args = ['exec', 'npx', '-y', 'some-mcp-server'];
  it.each([
    ['claude-code', { mcpServers: { memoryx: { type: 'stdio', command: 't0ken', args } } }],
    ['cursor', { mcpServers: { memoryx: { command: 't0ken', args } } }],
    ['vscode', { servers: { memoryx: { type: 'stdio', command: 't0ken', args } } }],
    ['windsurf', { mcpServers: { memoryx: { command: 't0ken', args } } }],
    ['claude-desktop', { mcpServers: { memoryx: { command: 't0ken', args } } }],
    ['generic', { mcpServers: { memoryx: { command: 't0ken', args } } }],
  ])('%s', async (client, shape) => {
    const result = await t0ken(['mcp', 'config', '--client', client, '--', 'npx', '-y', 'some-mcp-server']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(shape);
    expect(result.stdout + result.stderr).not.toContain(KEY);
    // T0KEN_API_KEY lives in this shell only: the client will not have it.
    expect(result.stderr).toContain('nothing is stored for https://t0ken.ai/api/v1 yet');
  });

  it('a server command after --, a --name, and the settings (not secrets) the server\'s t0ken needs', async () => {
    const result = await t0ken(['--json', 'mcp', 'config', '--client', 'cursor', '--name', 'stub', '--', ...STUB], { T0KEN_CONFIG_DIR: config.dir, T0KEN_API_URL: 'http://127.0.0.1:9/api/v1/' });
    expect(result.code, result.stderr).toBe(0);
    const body = JSON.parse(result.stdout);
    expect(body.file).toBe(join(dirs.home, '.cursor', 'mcp.json'));
    expect(body.config).toEqual({ mcpServers: { stub: { command: 't0ken', args: ['exec', ...STUB], env: { T0KEN_API_URL: 'http://127.0.0.1:9/api/v1', T0KEN_CONFIG_DIR: config.dir } } } });
    expect(result.stderr.trim().split('\n').map((line) => Object.keys(JSON.parse(line)))).toEqual([['warning']]); // nothing stored yet, as JSON
  });

  it('no warning once something is stored for these APIs', async () => {
    const stored = tempConfigDir();
    const env = { T0KEN_CONFIG_DIR: stored.dir };
    expect((await run(['agent', 'login', '--with-token'], { env, input: 'mnm_MCPconfigStoredKey_0123456789\n' })).code).toBe(0);
    const result = await t0ken(['mcp', 'config', '--client', 'cursor', '--', ...STUB], env);
    stored.cleanup();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('warning');
  });

  it('usage errors: an unknown client or scope, a bad name, --write for generic, a scope the client has no file for', async () => {
    const unknown = await t0ken(['mcp', 'config', '--client', 'emacs', '--', ...STUB]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--client takes claude-code, cursor, vscode, codex, windsurf, claude-desktop, generic, detected, not "emacs"\n.*--client cursor/);
    expect((await t0ken(['mcp', 'config', '--name', 'has space', '--', ...STUB])).code).toBe(2);
    expect((await t0ken(['mcp', 'config', '--write', '--', ...STUB])).code).toBe(2);
    expect((await t0ken(['mcp', 'config', '--scope', 'team', '--', ...STUB])).code).toBe(2);
    const noUserFile = await t0ken(['mcp', 'config', '--client', 'vscode', '--scope', 'user', '--', ...STUB]);
    expect(noUserFile.code).toBe(2);
    expect(noUserFile.stderr).toContain('VS Code has no user-scope file');
  });

  it('there is no default server: without one after --, exit 2 with an example', async () => {
    for (const argv of [['mcp', 'config'], ['mcp', 'config', '--client', 'cursor', '--write'], ['mcp', 'config', '--client', 'detected', '--write']]) {
      const result = await t0ken(argv);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.stderr).toContain('needs the MCP server\'s command after --');
      expect(result.stderr).toMatch(/For example: t0ken mcp config --client \S+ -- npx -y <your-mcp-server>/);
    }
    expect(existsSync(join(dirs.home, '.cursor'))).toBe(false);
  });

  it('no -- before the server in the entry, unless its program name starts with -', async () => {
    const plain = JSON.parse((await t0ken(['--json', 'mcp', 'config', '--', 'node', '--inspect', 'server.js'])).stdout);
    expect(plain.config.mcpServers.memoryx.args).toEqual(['exec', 'node', '--inspect', 'server.js']);
    const dashed = JSON.parse((await t0ken(['--json', 'mcp', 'config', '--', '-odd-name', 'x'])).stdout);
    expect(dashed.config.mcpServers.memoryx.args).toEqual(['exec', '--', '-odd-name', 'x']);
  });
});

describe('mcp config --write merges into the client\'s file', () => {
  it('claude-code: ./.mcp.json keeps every other server and key; a second write replaces the entry in place', async () => {
    const file = join(dirs.project, '.mcp.json');
    const before = { mcpServers: { github: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-github'], env: { GITHUB_TOKEN: '${GITHUB_TOKEN}' } }, memoryx: { command: 'old' }, zeta: { type: 'http', url: 'https://example.com/mcp' } }, other: { keep: [1, 2] } };
    writeFileSync(file, JSON.stringify(before, null, 4));
    const result = await t0ken(['mcp', 'config', '--client', 'claude-code', '--write', '--', ...STUB]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Updated the MCP server "memoryx"');
    const after = JSON.parse(readFileSync(file, 'utf8'));
    expect(Object.keys(after.mcpServers)).toEqual(['github', 'memoryx', 'zeta']);
    expect(after.mcpServers.github).toEqual(before.mcpServers.github);
    expect(after.mcpServers.zeta).toEqual(before.mcpServers.zeta);
    expect(after.other).toEqual(before.other);
    expect(after.mcpServers.memoryx).toEqual({ type: 'stdio', command: 't0ken', args: ['exec', ...STUB] });
    expect(readFileSync(file, 'utf8')).toMatch(/^\{\n {4}"mcpServers"/); // its indentation kept
    const text = readFileSync(file, 'utf8');
    expect((await t0ken(['mcp', 'config', '--client', 'claude-code', '--write', '--', ...STUB])).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(text);
    expect(text).not.toContain(KEY);
  });

  it('cursor: ~/.cursor/mcp.json, created with its directory when missing', async () => {
    const result = await t0ken(['--json', 'mcp', 'config', '--client', 'cursor', '--write', '--', ...STUB]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ client: 'cursor', replaced: false, other_servers: 0, file: join(dirs.home, '.cursor', 'mcp.json') });
    expect(JSON.parse(readFileSync(join(dirs.home, '.cursor', 'mcp.json'), 'utf8'))).toEqual({ mcpServers: { memoryx: { command: 't0ken', args: ['exec', ...STUB] } } });
  });

  it('vscode: ./.vscode/mcp.json under "servers", its "inputs" and other servers kept', async () => {
    mkdirSync(join(dirs.project, '.vscode'));
    const file = join(dirs.project, '.vscode', 'mcp.json');
    writeFileSync(file, JSON.stringify({ inputs: [{ type: 'promptString', id: 'k', password: true }], servers: { fs: { type: 'stdio', command: 'npx', args: ['fs'] } } }));
    const result = await t0ken(['mcp', 'config', '--client', 'vscode', '--write', '--name', 'stub', '--', ...STUB]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      inputs: [{ type: 'promptString', id: 'k', password: true }],
      servers: { fs: { type: 'stdio', command: 'npx', args: ['fs'] }, stub: { type: 'stdio', command: 't0ken', args: ['exec', ...STUB] } },
    });
  });

  it.each([
    ['a file with comments (JSONC)', '{\n  // my servers\n  "servers": {}\n}\n'],
    ['a trailing comma', '{"mcpServers": {"a": {"command": "x"},}}'],
    ['not an object', '["mcpServers"]'],
    ['servers that are not an object', '{"mcpServers": []}'],
  ])('%s is left byte for byte untouched: exit 7', async (_what, text) => {
    const file = join(dirs.project, '.mcp.json');
    writeFileSync(file, text);
    const result = await t0ken(['mcp', 'config', '--client', 'claude-code', '--write', '--', ...STUB]);
    expect(result.code).toBe(7);
    expect(result.stderr).toContain('left untouched');
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('the written entry really launches the server through t0ken exec, which hands it the identity', async () => {
    const bin = join(root, 'bin');
    mkdirSync(bin, { recursive: true });
    try {
      symlinkSync(BIN, join(bin, 't0ken'));
    } catch {
      // made by an earlier run
    }
    const stub = join(root, 'stub-server.js');
    writeFileSync(stub, 'process.stdout.write(JSON.stringify({ key: process.env.MEMORYX_API_KEY, exec: process.env.T0KEN_EXEC, args: process.argv.slice(2) }))');
    expect((await t0ken(['mcp', 'config', '--client', 'claude-code', '--write', '--', process.execPath, stub, 'a b'], { T0KEN_CONFIG_DIR: config.dir })).code).toBe(0);
    const entry = JSON.parse(readFileSync(join(dirs.project, '.mcp.json'), 'utf8')).mcpServers.memoryx;
    expect(JSON.stringify(entry)).not.toContain(KEY);
    // Launch it as a client would: its command and args, its env on top of the client's environment.
    const env = { PATH: `${bin}:${process.env.PATH}`, HOME: dirs.home, T0KEN_API_KEY: KEY, ...entry.env };
    const out = execFileSync(entry.command, entry.args, { env, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ key: KEY, exec: '1', args: ['a b'] });
  });
});
