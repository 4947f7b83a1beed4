// `t0ken exec` has its own tiny argv parser so that running a program through t0ken never loads
// commander: everything after the program's name belongs to the program, untouched. Only `exec`
// help (`t0ken exec --help`) goes to commander, which prints it from the command tree.
import { usageError } from './errors.js';
import { GLOBAL_FLAGS } from './fast-argv.js';

export type IdentityScope = 't0ken' | 'mnemom';
export const IDENTITY_SCOPES: readonly IdentityScope[] = ['t0ken', 'mnemom'];

export interface ExecArgv {
  /** The global options given before or after `exec` (commander's keys: json, quiet, input…). */
  globals: Record<string, unknown>;
  /** `--only`: undefined for both. */
  only: IdentityScope | undefined;
  /** The program and its arguments, exactly as given. */
  command: string[];
}

/** `--only`'s value: undefined (both) when absent, else t0ken or mnemom; anything else is exit 2. */
export function identityScope(value: unknown): IdentityScope | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && (IDENTITY_SCOPES as readonly string[]).includes(value)) return value as IdentityScope;
  throw usageError(`--only takes t0ken or mnemom, not ${JSON.stringify(String(value).slice(0, 20))}`, 'For example: t0ken exec --only t0ken -- my-agent');
}

const HELP = new Set(['-h', '--help']);

/**
 * 'not-exec' when argv does not run `exec` (or asks for help, which commander prints); the parsed
 * invocation otherwise. A usage mistake (no program, an unknown option, a bad --only) throws exit 2.
 */
export function parseExecArgv(args: readonly string[]): ExecArgv | 'not-exec' {
  const globals: Record<string, unknown> = { input: true, color: true };
  let i = 0;
  // Global options may come before `exec`.
  for (; i < args.length; i++) {
    const taken = takeGlobal(args, i, globals);
    if (taken === undefined) break;
    i = taken;
  }
  if (args[i] !== 'exec') return 'not-exec';
  let only: IdentityScope | undefined;
  for (i++; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    if (HELP.has(arg)) return 'not-exec';
    if (arg === '--only' && i + 1 === args.length) throw usageError('--only needs a value: t0ken or mnemom', 'For example: t0ken exec --only t0ken -- my-agent');
    if (arg === '--only' || arg.startsWith('--only=')) {
      only = identityScope(arg === '--only' ? (args[++i] ?? '') : arg.slice('--only='.length));
      continue;
    }
    const taken = takeGlobal(args, i, globals);
    if (taken === undefined) {
      const name = arg.split('=', 1)[0]!;
      throw usageError(`unknown option ${JSON.stringify(name)} for exec`, 'Put -- before the program when its name starts with -: t0ken exec [--only t0ken|mnemom] -- <program> [args…]');
    }
    i = taken;
  }
  const command = args.slice(i);
  if (command.length === 0 || command[0] === '') {
    throw usageError('exec needs a program to run', 'For example: t0ken exec -- claude   (or t0ken exec -- node agent.js)');
  }
  return { globals, only, command };
}

/** Reads a global option at `i` into `globals`; returns the index of its last word, or undefined. */
function takeGlobal(args: readonly string[], i: number, globals: Record<string, unknown>): number | undefined {
  const arg = args[i]!;
  const at = arg.startsWith('--') ? arg.indexOf('=') : -1;
  const name = at > 2 ? arg.slice(0, at) : arg;
  const spec = GLOBAL_FLAGS[name];
  if (spec === undefined) return undefined;
  if (!spec.takesValue) {
    if (at > 2) throw usageError(`${name} takes no value`);
    globals[spec.key] = spec.sets ?? true;
    return i;
  }
  const value = at > 2 ? arg.slice(at + 1) : args[i + 1];
  if (value === undefined) throw usageError(`${name} needs a value`, `For example ${name} 30`);
  globals[spec.key] = value;
  return at > 2 ? i : i + 1;
}
