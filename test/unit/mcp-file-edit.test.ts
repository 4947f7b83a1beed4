import * as toml from '@decimalturn/toml-patch';
import * as jsonc from 'jsonc-parser';
import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { UnmergeableConfigError } from '../../src/core/mcp-clients.js';
import { mergeJsonEntry } from '../../src/core/mcp-json-edit.js';
import { mergeTomlEntry } from '../../src/core/mcp-toml-edit.js';

const ENTRY = { command: 't0ken', args: ['exec', 'node', 's.js'] };
const json = (existing: string | undefined, comments = false, name = 'm') => mergeJsonEntry(jsonc, existing, { serversKey: 'mcpServers', name, entry: ENTRY, comments });
const tomlMerge = (existing: string | undefined, name = 'm', entry: Record<string, unknown> = ENTRY) => mergeTomlEntry(toml, existing, name, entry);

describe('mergeJsonEntry keeps every byte it does not change', () => {
  it('starts a missing or blank file', () => {
    for (const existing of [undefined, '', '  \n']) {
      expect(JSON.parse(json(existing).text)).toEqual({ mcpServers: { m: ENTRY } });
    }
  });

  it.each([
    ['one line stays one line', '{"a":1,"mcpServers":{"x":{}}}', '{"a":1,"mcpServers":{"x":{}, "m": {"command":"t0ken","args":["exec","node","s.js"]}}}'],
    ['a missing servers key goes after the last key', '{\n  "a": 1\n}\n', '{\n  "a": 1,\n  "mcpServers": {\n    "m": {\n      "command": "t0ken",\n      "args": [\n        "exec",\n        "node",\n        "s.js"\n      ]\n    }\n  }\n}\n'],
    ['an empty object on its own lines', '{\n    "mcpServers": {\n    }\n}', '{\n    "mcpServers": {\n        "m": {\n            "command": "t0ken",\n            "args": [\n                "exec",\n                "node",\n                "s.js"\n            ]\n        }\n    }\n}'],
    ['no final newline stays without one', '{"mcpServers": {}}', '{"mcpServers": {\n  "m": {\n    "command": "t0ken",\n    "args": [\n      "exec",\n      "node",\n      "s.js"\n    ]\n  }\n}}'],
  ])('%s', (_what, before, after) => {
    expect(json(before).text).toBe(after);
    expect(JSON.parse(after).mcpServers.m).toEqual(ENTRY);
  });

  it('JSONC: a comment after the last entry stays with that entry; a trailing comma stays a trailing comma', () => {
    const before = '{\n  "mcpServers": {\n    "a": {} /* a */, // keep\n  },\n}';
    const { text } = json(before, true);
    expect(text.startsWith('{\n  "mcpServers": {\n    "a": {} /* a */, // keep\n    "m": {\n')).toBe(true);
    expect(text.endsWith('    },\n  },\n}')).toBe(true);
  });

  it('a comment where plain JSON is expected is refused with its line and column', () => {
    expect(() => json('{\n  // c\n  "mcpServers": {}\n}')).toThrow(/not valid plain JSON \(unexpected "\/" at line 2, column 3\)/);
    expect(() => json('{"mcpServers": {"a": 1,}}')).toThrow(UnmergeableConfigError);
  });

  it('a control character inside a string is named and pointed at, not the string\'s opening quote', () => {
    expect(() => json('{\n  "mcpServers": {"a": "x\u0007y"}\n}')).toThrow(/not valid plain JSON \(unexpected "\\u0007" at line 2, column 25\)/);
    expect(() => json('{\n  "mcpServers": {"a": "x\ty"}\n}', true)).toThrow(/not valid JSON with comments \(unexpected "\\t" at line 2, column 25\)/);
  });

  it('refuses what it cannot edit faithfully', () => {
    for (const text of ['null', '[]', '{"mcpServers": "x"}', '{"mcpServers": null}', '{"a": 1, "a": 2}']) {
      expect(() => json(text), text).toThrow(UnmergeableConfigError);
    }
  });
});

describe('mergeTomlEntry', () => {
  it('starts a missing or blank file with the table', () => {
    expect(tomlMerge(undefined).text).toBe('[mcp_servers.m]\ncommand = "t0ken"\nargs = ["exec", "node", "s.js"]\n');
  });

  it('quotes a name that is not a bare key and escapes DEL, which TOML refuses raw', () => {
    const { text } = tomlMerge('a = 1', 'my.server', { command: 't0ken', args: ['exec', 'x\u007fy', 'q"uote'], env: { 'A.B': 'v' } });
    expect(text).toBe('a = 1\n\n[mcp_servers."my.server"]\ncommand = "t0ken"\nargs = ["exec", "x\\u007fy", "q\\"uote"]\nenv = { "A.B" = "v" }\n');
    expect((parseToml(text) as Record<string, any>).mcp_servers['my.server'].args[1]).toBe('x\u007fy');
  });

  it('replaces a table without rows, and keeps a BOM', () => {
    const { text, replaced } = tomlMerge('\uFEFF[mcp_servers.m]\n\n[other]\nk = 1\n');
    expect(replaced).toBe(true);
    expect(text).toBe('\uFEFF[mcp_servers.m]\ncommand = "t0ken"\nargs = ["exec", "node", "s.js"]\n\n[other]\nk = 1\n');
  });

  it('counts the other servers, whichever way they are written', () => {
    expect(tomlMerge('mcp_servers.a.command = "x"\n[mcp_servers.b]\ncommand = "y"\n')).toMatchObject({ replaced: false, others: 2 });
  });

  it('an entry under [[mcp_servers.m.x]] or as dotted keys is left alone', () => {
    expect(() => tomlMerge('[mcp_servers.m]\ncommand = "a"\n[[mcp_servers.m.x]]\nk = 1\n')).toThrow(/not written as a \[mcp_servers.m\] table/);
    expect(() => tomlMerge('mcp_servers.m.command = "a"\n')).toThrow(/not written as a \[mcp_servers.m\] table/);
  });
});
