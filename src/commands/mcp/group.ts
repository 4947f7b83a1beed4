import type { CommandSpec } from '../../core/command-spec.js';

export const spec: CommandSpec = {
  path: ['mcp'],
  group: 'Handing the identity to agents:',
  summary: 'MCP client configuration that launches servers through t0ken exec',
  description: 'Configure MCP clients (Claude Code, Cursor, VS Code, Codex, Windsurf, Claude Desktop) to launch an MCP server through `t0ken exec`, so no key is copied into their config files.',
  groupOnly: true,
  examples: ['t0ken mcp config --client claude-code --write -- npx -y <your-mcp-server>', 't0ken mcp config --client detected --write -- npx -y <your-mcp-server>'],
};
