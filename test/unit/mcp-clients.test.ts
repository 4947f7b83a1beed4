import { describe, expect, it } from 'vitest';
import { CLIENTS, launchThroughExec, MCP_CLIENTS, resolvePlace } from '../../src/core/mcp-clients.js';

describe('launchThroughExec', () => {
  it('puts no -- before the server unless its program name starts with -', () => {
    expect(launchThroughExec(['npx', '-y', 'srv']).args).toEqual(['exec', 'npx', '-y', 'srv']);
    expect(launchThroughExec(['-weird', 'a']).args).toEqual(['exec', '--', '-weird', 'a']);
    expect(launchThroughExec(['node', 's.js'], { A: '1' })).toEqual({ command: 't0ken', args: ['exec', 'node', 's.js'], env: { A: '1' } });
  });
});

describe('client files', () => {
  const roots = { project: '/p', home: '/h', env: {} };
  const file = (client: keyof typeof CLIENTS, scope: 'project' | 'user', platform: NodeJS.Platform = 'linux', env: Record<string, string> = {}) =>
    resolvePlace(CLIENTS[client].files[scope]!, { ...roots, platform, env });
  it.each([
    ['claude-code', 'project', '/p/.mcp.json'],
    ['cursor', 'user', '/h/.cursor/mcp.json'],
    ['cursor', 'project', '/p/.cursor/mcp.json'],
    ['vscode', 'project', '/p/.vscode/mcp.json'],
    ['codex', 'user', '/h/.codex/config.toml'],
    ['windsurf', 'user', '/h/.codeium/windsurf/mcp_config.json'],
    ['claude-desktop', 'user', '/h/.config/Claude/claude_desktop_config.json'],
  ] as const)('%s %s: %s', (client, scope, path) => {
    expect(file(client, scope)).toBe(path);
  });
  it('Claude Desktop in each OS\'s application-config directory; Codex under CODEX_HOME', () => {
    expect(file('claude-desktop', 'user', 'darwin')).toBe('/h/Library/Application Support/Claude/claude_desktop_config.json');
    expect(file('claude-desktop', 'user', 'win32', { APPDATA: '/h/AppData/Roaming' })).toContain('/h/AppData/Roaming/Claude/claude_desktop_config.json'.split('/').pop());
    expect(file('claude-desktop', 'user', 'linux', { XDG_CONFIG_HOME: '/x' })).toBe('/x/Claude/claude_desktop_config.json');
    expect(file('codex', 'user', 'linux', { CODEX_HOME: '/c' })).toBe('/c/config.toml');
  });
  it('every client but generic has a file, a next step and a directory to detect it by', () => {
    for (const client of MCP_CLIENTS.filter((c) => c !== 'generic')) {
      const row = CLIENTS[client];
      expect(Object.keys(row.files).length, client).toBeGreaterThan(0);
      expect(row.nextStep?.('x'), client).toBeTruthy();
      expect(row.detect, client).toBeDefined();
    }
  });
});
