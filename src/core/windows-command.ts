// Windows has no execvp: a program is found through PATH and PATHEXT, and the many tools installed as
// batch shims (npx.cmd, claude.cmd…) can only be run by cmd.exe, which re-parses its command line.
// Node refuses to spawn a .cmd/.bat without a shell (CVE-2024-27980), so `t0ken exec -- npx …`
// needs this: find the file, and for a batch file build a cmd.exe line in which every argument is
// quoted for the C runtime and every cmd.exe metacharacter escaped with ^ (the rules cross-spawn
// uses). Pure: the caller says which files exist.

export interface WindowsLaunch {
  file: string;
  args: string[];
  /** cmd.exe's line must reach it verbatim (Node would otherwise quote it again). */
  verbatim: boolean;
}

const DEFAULT_PATHEXT = '.COM;.EXE;.BAT;.CMD';
const CMD_META = /([()\][%!^"`<>&|;, *?])/g;

/** A Windows environment variable, whatever the case of its name (Path, PATH…). */
export function windowsEnv(env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const key = Object.keys(env).find((k) => k.toUpperCase() === name.toUpperCase());
  return key === undefined ? undefined : env[key];
}

/** The file `command` names: as given when it has a directory or an extension, else the first PATH × PATHEXT match. */
export function resolveWindowsCommand(command: string, env: Readonly<Record<string, string | undefined>>, exists: (path: string) => boolean): string | undefined {
  const exts = (windowsEnv(env, 'PATHEXT') ?? DEFAULT_PATHEXT).split(';').filter(Boolean);
  const hasDir = /[\\/:]/.test(command);
  const hasExt = /\.[^.\\/]+$/.test(command);
  if (hasDir) {
    if (hasExt && exists(command)) return command;
    return exts.map((e) => command + e).find(exists) ?? (exists(command) ? command : undefined);
  }
  for (const dir of (windowsEnv(env, 'PATH') ?? '').split(';').filter(Boolean)) {
    const base = `${dir.replace(/[\\/]+$/, '')}\\${command}`;
    if (hasExt && exists(base)) return base;
    const found = exts.map((e) => base + e).find(exists);
    if (found) return found;
  }
  return undefined;
}

/** One argument for the C runtime's parser (backslashes before a quote doubled), then ^-escaped for cmd.exe. */
export function escapeCmdArgument(arg: string, doubleEscape: boolean): string {
  let quoted = arg.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\*)$/, '$1$1');
  quoted = `"${quoted}"`.replace(CMD_META, '^$1');
  return doubleEscape ? quoted.replace(CMD_META, '^$1') : quoted;
}

export const escapeCmdCommand = (path: string): string => path.replace(CMD_META, '^$1');

/** How to start `file` (already resolved) with `args` on Windows. */
export function windowsLaunch(file: string, args: readonly string[], comspec = 'cmd.exe'): WindowsLaunch {
  if (!/\.(cmd|bat)$/i.test(file)) return { file, args: [...args], verbatim: false };
  // A batch file passes %* on to another program, whose own parsing is one more round: escape twice.
  const line = [escapeCmdCommand(file), ...args.map((a) => escapeCmdArgument(a, true))].join(' ');
  return { file: comspec, args: ['/d', '/s', '/c', `"${line}"`], verbatim: true };
}
