import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { useCli } from '../helpers/run.js';
import { useProjectAndHome } from '../helpers/sandbox.js';

// `mcp config` against client files shaped as each client documents them, in a temp project and HOME,
// from a sandbox shell (T0KEN_API_URL and MNEMOM_API_URL on loopback, a temp T0KEN_CONFIG_DIR).
const cli = useCli();
const dirs = useProjectAndHome('t0ken-mcp-files-');
const SERVER = ['npx', '-y', 'some-mcp-server'];
const t0ken = (args: string[], env: Record<string, string | undefined> = {}) => cli.t0ken(args, { cwd: dirs.project, env: { HOME: dirs.home, ...env } });
const write = (client: string, ...more: string[]) => t0ken(['mcp', 'config', '--client', client, ...more, '--write', '--', ...SERVER]);
const read = (...path: string[]) => readFileSync(join(...path), 'utf8');
const put = (text: string, ...path: string[]) => {
  mkdirSync(dirname(join(...path)), { recursive: true });
  writeFileSync(join(...path), text);
};

describe('a project file holds nothing of this machine unless --env names it', () => {
  it.each([
    ['claude-code', [], ['.mcp.json']],
    ['vscode', [], ['.vscode', 'mcp.json']],
    ['cursor', ['--scope', 'project'], ['.cursor', 'mcp.json']],
  ])('%s %j: no loopback URL, no temp path, no T0KEN_CONFIG_DIR; the output says what was left out', async (client, scope, path) => {
    const result = await write(client, ...scope);
    expect(result.code, result.stderr).toBe(0);
    const text = read(dirs.project, ...path);
    expect(text).not.toMatch(/127\.0\.0\.1|localhost|T0KEN_CONFIG_DIR|"env"/);
    expect(text).not.toContain(cli.config.dir);
    expect(result.stderr).toContain('Not written into a project file (it is shared, and they are this machine\'s): T0KEN_API_URL, MNEMOM_API_URL, T0KEN_CONFIG_DIR. Add --env NAME to carry one.');
  });

  it('--env NAME carries that variable\'s value (repeatable); a secret or an unset variable is exit 2', async () => {
    const result = await write('claude-code', '--env', 'T0KEN_API_URL', '--env', 'TEAM_SETTING');
    expect(result.code).toBe(2); // TEAM_SETTING is not set
    expect(result.stderr).toContain('TEAM_SETTING is not set in this shell');
    // Settings whose names hold a secret's letters but not its word are carried: a socket path, a tokenizer switch
    const carried = await t0ken(['mcp', 'config', '--client', 'claude-code', '--env', 'T0KEN_API_URL', '--env', 'TEAM_SETTING', '--env', 'SSH_AUTH_SOCK', '--env', 'TOKENIZERS_PARALLELISM', '--write', '--', ...SERVER], { TEAM_SETTING: 'blue', SSH_AUTH_SOCK: '/run/user/0/ssh.sock', TOKENIZERS_PARALLELISM: 'false' });
    expect(carried.code, carried.stderr).toBe(0);
    expect(JSON.parse(read(dirs.project, '.mcp.json')).mcpServers.memoryx.env).toEqual({ T0KEN_API_URL: cli.sandbox.t0kenUrl, TEAM_SETTING: 'blue', SSH_AUTH_SOCK: '/run/user/0/ssh.sock', TOKENIZERS_PARALLELISM: 'false' });
    expect(carried.stderr).toContain('The entry carries T0KEN_API_URL, TEAM_SETTING, SSH_AUTH_SOCK, TOKENIZERS_PARALLELISM from this shell');
    for (const secret of ['T0KEN_API_KEY', 'MEMORYX_API_KEY', 'MNEMOM_API_KEY', 'MNEMOM_TOKEN']) {
      const refused = await t0ken(['mcp', 'config', '--env', secret, '--', ...SERVER], { [secret]: 'omx_agent_NotForAFile_0001' });
      expect(refused.code, secret).toBe(2);
      expect(refused.stderr).toContain(`${secret} is a secret`);
      expect(refused.stdout + refused.stderr).not.toContain('NotForAFile');
    }
    // Any other secret: by its name (a provider key, a token), or by a value shaped as a key
    for (const [name, value, why] of [['ANTHROPIC_API_KEY', 'sk-ant-api03-NotForAFile-0002', 'its name says it holds a secret'], ['GITHUB_TOKEN', 'ghp_NotForAFile0003', 'its name says it holds a secret'], ['OPENAI_KEY', 'NotForAFile0005', 'its name says it holds a secret'], ['AWS_SECRET_ACCESS_KEY', 'NotForAFile0006', 'its name says it holds a secret'], ['MYVAR', 'omx_agent_NotForAFile_0004', 'its value has the shape of an API key']]) {
      const refused = await t0ken(['mcp', 'config', '--client', 'claude-code', '--env', name!, '--write', '--', ...SERVER], { [name!]: value! });
      expect(refused.code, name).toBe(2);
      expect(refused.stderr).toContain(`--env ${name}: ${why}, and t0ken writes no secret into a client's file`);
      expect(refused.stdout + refused.stderr).not.toContain('NotForAFile');
      expect(read(dirs.project, '.mcp.json')).not.toContain('NotForAFile');
    }
  });

  it('a user file carries the non-default settings and the output lists them', async () => {
    const result = await t0ken(['--json', 'mcp', 'config', '--client', 'windsurf', '--write', '--', ...SERVER]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ client: 'windsurf', scope: 'user', env: ['T0KEN_API_URL', 'MNEMOM_API_URL', 'T0KEN_CONFIG_DIR'] });
    const entry = JSON.parse(read(dirs.home, '.codeium', 'windsurf', 'mcp_config.json')).mcpServers.memoryx;
    expect(entry).toEqual({ command: 't0ken', args: ['exec', ...SERVER], env: { T0KEN_API_URL: cli.sandbox.t0kenUrl, MNEMOM_API_URL: cli.sandbox.mnemomUrl, T0KEN_CONFIG_DIR: cli.config.dir } });
  });
});

describe('--write edits the one entry and keeps every other byte', () => {
  it('VS Code\'s JSONC: comments, trailing commas, CRLF, escapes and the other servers stay as they were', async () => {
    const before = '{\r\n  // my servers\r\n  "inputs": [],\r\n  "servers": {\r\n    "fs": {"type": "stdio", "command": "npx", "args": ["\\u00e9\\/"]}, // keep\r\n  },\r\n}\r\n';
    put(before, dirs.project, '.vscode', 'mcp.json');
    const result = await write('vscode');
    expect(result.code, result.stderr).toBe(0);
    const after = read(dirs.project, '.vscode', 'mcp.json');
    expect(after.startsWith('{\r\n  // my servers\r\n  "inputs": [],\r\n  "servers": {\r\n    "fs": {"type": "stdio", "command": "npx", "args": ["\\u00e9\\/"]}, // keep\r\n    "memoryx": {\r\n')).toBe(true);
    expect(after.endsWith('    },\r\n  },\r\n}\r\n')).toBe(true);
    expect(after.replace(/\r\n/g, '')).not.toContain('\n');
    expect(result.stderr).toContain('Next: start "memoryx" from the Start link above it in .vscode/mcp.json');
  });

  it('replacing an entry touches only its value: a BOM, tabs and a compact neighbour stay', async () => {
    const neighbour = '"github": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"]}';
    put(`\uFEFF{\n\t"mcpServers": {\n\t\t${neighbour},\n\t\t"memoryx": {"command": "old"}\n\t},\n\t"n": 12345678901234567890\n}`, dirs.project, '.mcp.json');
    const result = await write('claude-code');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Updated the MCP server "memoryx"');
    const after = read(dirs.project, '.mcp.json');
    const entry = '{\n\t\t\t"type": "stdio",\n\t\t\t"command": "t0ken",\n\t\t\t"args": [\n\t\t\t\t"exec",\n\t\t\t\t"npx",\n\t\t\t\t"-y",\n\t\t\t\t"some-mcp-server"\n\t\t\t]\n\t\t}';
    expect(after).toBe(`\uFEFF{\n\t"mcpServers": {\n\t\t${neighbour},\n\t\t"memoryx": ${entry}\n\t},\n\t"n": 12345678901234567890\n}`);
    expect(result.stderr).toContain('Next: approve "memoryx" when `claude` asks');
    expect(result.stderr).toContain('"enabledMcpjsonServers" in .claude/settings.local.json');
  });

  it.each([
    ['the servers key twice', '{"mcpServers": {"a": {"command": "x"}}, "mcpServers": {"b": {"command": "y"}}}', '"mcpServers" twice'],
    ['two "github" entries', '{"mcpServers": {"github": {"command": "x"}, "github": {"command": "y"}}}', '"github" twice'],
    ['two entries of the name it writes', '{"mcpServers": {"memoryx": {}, "memoryx": {}}}', '"memoryx" twice'],
  ])('%s: exit 7 naming the key, the file untouched (they were dropped silently)', async (_what, text, named) => {
    put(text, dirs.home, '.cursor', 'mcp.json');
    const result = await write('cursor');
    expect(result.code, result.stderr).toBe(7);
    expect(result.stderr).toContain(named);
    expect(result.stderr).toContain('left untouched');
    expect(read(dirs.home, '.cursor', 'mcp.json')).toBe(text);
  });

  it('Claude Desktop: claude_desktop_config.json in the application-config directory, its other settings kept', async () => {
    const before = '{\n  "globalShortcut": "Ctrl+Space",\n  "mcpServers": {}\n}\n';
    put(before, dirs.home, '.config', 'Claude', 'claude_desktop_config.json');
    const result = await write('claude-desktop');
    expect(result.code, result.stderr).toBe(0);
    const after = JSON.parse(read(dirs.home, '.config', 'Claude', 'claude_desktop_config.json'));
    expect(after.globalShortcut).toBe('Ctrl+Space');
    expect(after.mcpServers.memoryx.args).toEqual(['exec', ...SERVER]);
    expect(result.stderr).toContain('Restart Claude Desktop');
  });
});

describe('Codex: ~/.codex/config.toml', () => {
  const FILE = () => join(dirs.home, '.codex', 'config.toml');
  const CONFIG = [
    '# Codex settings',
    'model = "o4-mini"  # the default model',
    'big = 9007199254740993 # beyond 2^53: kept as written',
    '',
    '[mcp_servers.github]  # GitHub',
    'command = "npx"',
    'args = ["-y", "@modelcontextprotocol/server-github"]',
    'env = { GITHUB_TOKEN = "from-keychain" }',
    '',
    '# profiles below',
    '[profiles.fast]',
    'model = "gpt-5"',
    '',
  ].join('\n');

  it('adds [mcp_servers.NAME] after everything else, keeping every other table and comment byte for byte', async () => {
    put(CONFIG, FILE());
    const result = await write('codex');
    expect(result.code, result.stderr).toBe(0);
    const text = read(FILE());
    expect(text.startsWith(CONFIG)).toBe(true);
    const parsed = parseToml(text, { integersAsBigInt: 'asNeeded' }) as Record<string, any>; // a real TOML parser reads it back
    expect(parsed.mcp_servers.memoryx).toEqual({ command: 't0ken', args: ['exec', ...SERVER], env: { T0KEN_API_URL: cli.sandbox.t0kenUrl, MNEMOM_API_URL: cli.sandbox.mnemomUrl, T0KEN_CONFIG_DIR: cli.config.dir } });
    expect(parsed.mcp_servers.github.env).toEqual({ GITHUB_TOKEN: 'from-keychain' });
    expect(parsed.profiles.fast.model).toBe('gpt-5');
    expect(result.stderr).toContain('Next: start a new `codex` session');
  });

  it('replaces its own table and sub-table in place, with CRLF, and leaves the comment after it', async () => {
    const before = CONFIG.replace('# profiles below', '[mcp_servers.memoryx]\ncommand = "old"\nstartup_timeout_sec = 20\n[mcp_servers.memoryx.env]\nA = "1" # note\n\n# profiles below').replace(/\n/g, '\r\n');
    put(before, FILE());
    const result = await t0ken(['mcp', 'config', '--client', 'codex', '--write', '--', ...SERVER], { T0KEN_CONFIG_DIR: undefined, T0KEN_API_URL: undefined, MNEMOM_API_URL: undefined });
    expect(result.code, result.stderr).toBe(0);
    const text = read(FILE());
    expect(text).toBe(before.replace('[mcp_servers.memoryx]\r\ncommand = "old"\r\nstartup_timeout_sec = 20\r\n[mcp_servers.memoryx.env]\r\nA = "1" # note\r\n', '[mcp_servers.memoryx]\r\ncommand = "t0ken"\r\nargs = ["exec", "npx", "-y", "some-mcp-server"]\r\n'));
    expect((parseToml(text, { integersAsBigInt: 'asNeeded' }) as Record<string, any>).mcp_servers.memoryx).toEqual({ command: 't0ken', args: ['exec', ...SERVER] });
  });

  it.each([
    ['a key twice', 'model = "a"\nmodel = "b"\n', /Value already defined for model at line 2, column 1/],
    ['a table twice', '[mcp_servers.memoryx]\ncommand = "a"\n[mcp_servers.memoryx]\ncommand = "b"\n', /Table already defined: mcp_servers.memoryx at line 3/],
    ['its server as an inline table', '[mcp_servers]\nmemoryx = { command = "a" }\n', /not written as a \[mcp_servers.memoryx\] table/],
    ['mcp_servers that is not a table', 'mcp_servers = 1\n', /its mcp_servers is not a table/],
  ])('%s: exit 7 on one line, the file untouched', async (_what, text, message) => {
    put(text, FILE());
    const result = await write('codex');
    expect(result.code, result.stderr).toBe(7);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.split('\n').filter((line) => line.startsWith('t0ken:'))).toHaveLength(1);
    expect(read(FILE())).toBe(text);
  });

  it('without --write it prints the TOML table', async () => {
    const result = await t0ken(['mcp', 'config', '--client', 'codex', '--', ...SERVER], { T0KEN_CONFIG_DIR: undefined, T0KEN_API_URL: undefined, MNEMOM_API_URL: undefined });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('[mcp_servers.memoryx]\ncommand = "t0ken"\nargs = ["exec", "npx", "-y", "some-mcp-server"]\n');
  });
});

it('a relative CODEX_HOME is refused like a relative HOME (exit 7): nothing is written under the current directory', async () => {
  const relative = await t0ken(['mcp', 'config', '--client', 'codex', '--write', '--', ...SERVER], { CODEX_HOME: 'codex' });
  expect(relative.code, relative.stderr).toBe(7);
  expect(relative.stderr).toContain('CODEX_HOME');
  expect(existsSync(join(dirs.project, 'codex'))).toBe(false);
});

describe('--client detected', () => {
  it('writes every client whose directory exists, one line each, and says why it skipped the others', async () => {
    mkdirSync(join(dirs.home, '.cursor'));
    mkdirSync(join(dirs.home, '.codex'));
    mkdirSync(join(dirs.project, '.vscode'));
    const result = await t0ken(['mcp', 'config', '--client', 'detected', '--write', '--', ...SERVER]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual([
      `claude-code: skipped (${join(dirs.home, '.claude')} does not exist)`,
      `cursor: added ${join(dirs.home, '.cursor', 'mcp.json')}`,
      `vscode: added ${join(dirs.project, '.vscode', 'mcp.json')}`,
      `codex: added ${join(dirs.home, '.codex', 'config.toml')}`,
      `windsurf: skipped (${join(dirs.home, '.codeium', 'windsurf')} does not exist)`,
      `claude-desktop: skipped (${join(dirs.home, '.config', 'Claude')} does not exist)`,
    ]);
    expect(JSON.parse(read(dirs.home, '.cursor', 'mcp.json')).mcpServers.memoryx.command).toBe('t0ken');
    expect(read(dirs.project, '.vscode', 'mcp.json')).not.toContain('127.0.0.1'); // the project file, still
  });

  it('a file it cannot merge is reported on its line and makes the run exit 7; the others are written', async () => {
    put('{"mcpServers": [}', dirs.home, '.cursor', 'mcp.json');
    mkdirSync(join(dirs.home, '.codeium', 'windsurf'), { recursive: true });
    const result = await t0ken(['--json', 'mcp', 'config', '--client', 'detected', '--write', '--', ...SERVER]);
    expect(result.code).toBe(7);
    expect(result.stdout).toBe(''); // --json: an error leaves stdout empty; the report is in the error
    const error = JSON.parse(result.stderr.trim().split('\n').at(-1)!).error as { code: string; message: string; hint: string; clients: { client: string; status: string }[] };
    expect(error.code).toBe('unmergeable_config');
    expect(error.message).toContain(`cursor: ${join(dirs.home, '.cursor', 'mcp.json')} cannot be merged`);
    expect(error.hint).toBe('Fix that file, then run this again (windsurf was written).');
    expect(error.clients.filter((r) => r.status !== 'skipped').map((r) => [r.client, r.status])).toEqual([['cursor', 'failed'], ['windsurf', 'added']]);
    expect(read(dirs.home, '.cursor', 'mcp.json')).toBe('{"mcpServers": [}');
    const human = await t0ken(['mcp', 'config', '--client', 'detected', '--write', '--', ...SERVER]);
    expect(human.code).toBe(7);
    expect(human.stdout).toContain(`cursor: failed ${join(dirs.home, '.cursor', 'mcp.json')}`);
    expect(human.stderr).toContain(`t0ken: cursor: ${join(dirs.home, '.cursor', 'mcp.json')} cannot be merged`);
  });
});
