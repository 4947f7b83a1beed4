import { describe, expect, it } from 'vitest';
import { launchThroughExec, mergeServerEntry, UnmergeableConfigError } from '../../src/core/mcp-clients.js';

const launch = launchThroughExec(['node', 'server.js']);

describe('mergeServerEntry', () => {
  it('starts a missing or blank file', () => {
    for (const existing of [undefined, '', '  \n']) {
      expect(JSON.parse(mergeServerEntry(existing, 'vscode', 'm', launch).text)).toEqual({ servers: { m: { type: 'stdio', command: 't0ken', args: ['exec', '--', 'node', 'server.js'] } } });
    }
  });
  it('keeps a byte-order mark out and other keys in order', () => {
    const merged = mergeServerEntry('\uFEFF{"a":1,"mcpServers":{"x":{}},"z":2}', 'cursor', 'm', launch);
    expect(Object.keys(JSON.parse(merged.text))).toEqual(['a', 'mcpServers', 'z']);
    expect(merged).toMatchObject({ replaced: false, others: 1 });
  });
  it('refuses what it cannot rewrite faithfully', () => {
    for (const text of ['{/*c*/}', 'null', '{"servers": "x"}', '{"servers": null}']) {
      expect(() => mergeServerEntry(text, 'vscode', 'm', launch), text).toThrow(UnmergeableConfigError);
    }
  });
});
