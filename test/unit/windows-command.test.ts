import { describe, expect, it } from 'vitest';
import { escapeCmdArgument, resolveWindowsCommand, windowsEnv, windowsLaunch } from '../../src/core/windows-command.js';

const files = new Set(['C:\\node\\npx.cmd', 'C:\\node\\node.exe', 'C:\\tools\\agent.bat', 'D:\\x\\run.exe']);
const lower = new Set([...files].map((f) => f.toLowerCase()));
const exists = (p: string) => lower.has(p.toLowerCase()); // as on Windows: names are case-insensitive
const env = { Path: 'C:\\Windows;C:\\node\\;C:\\tools', PATHEXT: '.COM;.EXE;.BAT;.CMD' };

describe('resolveWindowsCommand', () => {
  it('PATH × PATHEXT, whatever the case of the variable names', () => {
    expect(windowsEnv(env, 'PATH')).toBe(env.Path);
    expect(resolveWindowsCommand('npx', env, exists)).toMatch(/^C:\\node\\npx\.cmd$/i);
    expect(resolveWindowsCommand('node', env, exists)).toMatch(/^C:\\node\\node\.exe$/i);
    expect(resolveWindowsCommand('agent.bat', env, exists)).toBe('C:\\tools\\agent.bat');
    expect(resolveWindowsCommand('D:\\x\\run', env, exists)).toMatch(/^D:\\x\\run\.exe$/i);
    expect(resolveWindowsCommand('missing', env, exists)).toBeUndefined();
  });
});

describe('windowsLaunch', () => {
  it('an .exe runs directly', () => {
    expect(windowsLaunch('C:\\node\\node.exe', ['-e', '0'])).toEqual({ file: 'C:\\node\\node.exe', args: ['-e', '0'], verbatim: false });
  });
  it('a .cmd runs through cmd.exe, every metacharacter escaped', () => {
    const launch = windowsLaunch('C:\\node\\npx.cmd', ['-y', '@t0ken.ai/memoryx-mcp-server', 'a&b', '"q"', '%PATH%']);
    expect(launch.file).toBe('cmd.exe');
    expect(launch.verbatim).toBe(true);
    expect(launch.args.slice(0, 3)).toEqual(['/d', '/s', '/c']);
    const line = launch.args[3]!;
    expect(line.startsWith('"C:\\node\\npx.cmd ')).toBe(true);
    expect(line).not.toMatch(/[^^]&/); // no bare & for cmd.exe to split on
    expect(line).not.toMatch(/[^^]%/);
  });
  it('C-runtime quoting: backslashes before a quote are doubled', () => {
    expect(escapeCmdArgument('a\\"b', false)).toBe('^"a\\\\\\^"b^"');
    expect(escapeCmdArgument('dir\\', false)).toBe('^"dir\\\\^"');
  });
});
