// The fast path: argv of the plain shapes most runs use, parsed without loading commander
// (about a sixth of node's own start-up). It accepts only what it recognises completely and says
// "not mine" (undefined) for anything else: help, --version, unknown or combined flags, missing
// values, `--`, extra arguments, conflicts. Commander then parses it and writes the usual errors.
// A unit test checks these tables against the commander tree and the results against commander's.
import type { CommandName } from './command-name.js';

export interface FlagSpec {
  /** The options key commander gives it (camelCase, without `no-`). */
  key: string;
  /** Takes the next argument (or `=value`) as its value. */
  takesValue: boolean;
  /** What a boolean flag sets: false for `--no-…` flags. */
  sets?: boolean;
  /** Repeatable: each value is added to a list. */
  repeats?: true;
}

export interface LeafSpec {
  name: CommandName;
  flags: Record<string, FlagSpec>;
  /** Keys that commander refuses together: left to commander to say so. */
  conflicts?: readonly [string, string];
  /** How many positional arguments it takes (none when absent); commander's `<arg>` is {min: 1, max: 1}. */
  args?: { min: number; max: number };
  /** A variadic last argument (`[server...]`), taken here only after `--`: every word after it, as is. */
  rest?: true;
}

const flag = (key: string): FlagSpec => ({ key, takesValue: false });
const value = (key: string): FlagSpec => ({ key, takesValue: true });
const values = (key: string): FlagSpec => ({ key, takesValue: true, repeats: true });

export const GLOBAL_FLAGS: Record<string, FlagSpec> = {
  '--json': flag('json'),
  '--no-input': { key: 'input', takesValue: false, sets: false },
  '-q': flag('quiet'),
  '--quiet': flag('quiet'),
  '--debug': flag('debug'),
  '--no-color': { key: 'color', takesValue: false, sets: false },
  '--timeout': value('timeout'),
};

/** What commander reports for the global options before any is given (negatable flags default to true). */
const GLOBAL_DEFAULTS: Readonly<Record<string, unknown>> = { input: true, color: true };

/** Leaf commands whose options are all plain flags: no arguments, defaults, choices or required options. */
export const FAST_COMMANDS: Record<string, LeafSpec> = {
  register: { name: 'register', flags: { '--hostname': value('hostname'), '--force': flag('force'), '--show-key': flag('showKey') } },
  whoami: { name: 'whoami', flags: {} },
  status: { name: 'whoami', flags: {} },
  token: { name: 'token', flags: {} },
  claim: { name: 'claim', flags: { '--email': value('email') } },
  verify: { name: 'verify', flags: { '--code': value('code') } },
  link: { name: 'link', flags: { '--dry-run': flag('dryRun'), '--list': flag('list') }, args: { min: 0, max: 1 } },
  stats: { name: 'stats', flags: {} },
  logout: { name: 'logout', flags: { '-y': flag('yes'), '--yes': flag('yes') } },
  'hash-proof': {
    name: 'hash-proof',
    flags: { '--name': value('name'), '--key-env': value('keyEnv'), '--key-stdin': flag('keyStdin'), '--short': flag('short'), '--names-from': value('namesFrom') },
    conflicts: ['keyEnv', 'keyStdin'],
  },
  'agent list': { name: 'agent-list', flags: {} },
  'agent login': { name: 'agent-login', flags: { '--with-token': flag('withToken') } },
  'agent logout': { name: 'agent-logout', flags: {} },
  fingerprint: { name: 'fingerprint', flags: { '--explain': flag('explain') } },
  // `credentials` runs status itself and also groups status and migrate (whose --to is required and
  // has choices: left to commander).
  'mcp config': {
    name: 'mcp-config',
    flags: { '--client': value('client'), '--scope': value('scope'), '--name': value('name'), '--env': values('env'), '--write': flag('write') },
    rest: true,
  },
  credentials: { name: 'credentials-status', flags: {} },
  'credentials status': { name: 'credentials-status', flags: {} },
  env: { name: 'env', flags: { '--only': value('only'), '--format': value('format') } },
  'agent show': { name: 'agent-show', flags: {}, args: { min: 1, max: 1 } },
  'agent claim': {
    name: 'agent-claim',
    flags: { '--name': value('name'), '--key-env': value('keyEnv'), '--key-stdin': flag('keyStdin'), '--org': value('org') },
    conflicts: ['keyEnv', 'keyStdin'],
    args: { min: 1, max: 1 },
  },
  'agent rekey': {
    name: 'agent-rekey',
    flags: { '--name': value('name'), '--key-env': value('keyEnv'), '--key-stdin': flag('keyStdin') },
    conflicts: ['keyEnv', 'keyStdin'],
    args: { min: 1, max: 1 },
  },
};

/** Command names that only group others: argv names one of their children next. */
const GROUPS = new Set(['agent', 'mcp']);

export interface FastParse {
  name: CommandName;
  /** The command's own options, as commander's `command.opts()` would give them. */
  options: Record<string, unknown>;
  /** The global options, as commander's `program.opts()` would give them. */
  globals: Record<string, unknown>;
  /** The positional arguments, in order. */
  args: string[];
}

/** Parses argv (without node and the script) when it has a plain shape; undefined otherwise. */
export function parseFastArgv(args: readonly string[]): FastParse | undefined {
  const globals: Record<string, unknown> = { ...GLOBAL_DEFAULTS };
  const options: Record<string, unknown> = {};
  let path = '';
  let leaf: LeafSpec | undefined;
  const positional: string[] = [];

  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--' && leaf?.rest) {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith('-')) {
      const [name, inline] = splitInline(arg);
      const global = GLOBAL_FLAGS[name];
      const spec = global ?? leaf?.flags[name];
      if (spec === undefined) return undefined;
      const target = global ? globals : options;
      if (!spec.takesValue) {
        if (inline !== undefined) return undefined;
        target[spec.key] = spec.sets ?? true;
        continue;
      }
      const given = inline ?? args[++i];
      if (given === undefined || (given.startsWith('-') && given !== '-')) return undefined; // `-` is stdin
      target[spec.key] = spec.repeats ? [...((target[spec.key] as string[] | undefined) ?? []), given] : given;
      continue;
    }
    if (leaf !== undefined) {
      // A command that also groups others (`credentials status`): its subcommand, before anything of its own.
      const child = FAST_COMMANDS[`${path} ${arg}`];
      if (child !== undefined && positional.length === 0 && Object.keys(options).length === 0) {
        path = `${path} ${arg}`;
        leaf = child;
        continue;
      }
      // An argument: taken up to the command's maximum; one more is left to commander to refuse.
      if (positional.length >= (leaf.args?.max ?? 0)) return undefined;
      positional.push(arg);
      continue;
    }
    path = path === '' ? arg : `${path} ${arg}`;
    leaf = FAST_COMMANDS[path];
    if (leaf === undefined && !GROUPS.has(path)) return undefined;
  }

  if (leaf === undefined) return undefined;
  if (leaf.conflicts && leaf.conflicts.every((key) => key in options)) return undefined;
  if (positional.length < (leaf.args?.min ?? 0)) return undefined;
  return { name: leaf.name, options, globals, args: positional };
}

/** `--flag=value` → ['--flag', 'value']; anything else → [arg, undefined]. */
function splitInline(arg: string): [string, string | undefined] {
  const at = arg.startsWith('--') ? arg.indexOf('=') : -1;
  return at > 2 ? [arg.slice(0, at), arg.slice(at + 1)] : [arg, undefined];
}
