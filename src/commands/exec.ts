import type { CommandSpec } from '../core/command-spec.js';
import { T0KEN_ENV } from '../core/environment.js';
import type { Context } from '../context.js';
import { CliError } from '../core/errors.js';
import { childEnvironment, IDENTITY_SCOPES, identityScope, identityVariables } from '../core/identity-env.js';
import { DEFAULT_T0KEN_API_URL } from '../core/url.js';
import { runProgram } from '../platform/run-program.js';
import { nothingToHandOver, resolveIdentity } from '../identity/resolve.js';
import { mnemomTokenFromEnv } from '../identity/mnemom-auth.js';

export const spec: CommandSpec = {
  path: ['exec'],
  group: 'Handing the identity to agents:',
  summary: 'run a program with this machine\'s identity in its environment',
  description: 'Run a program (no shell; PATH lookup) with T0KEN_API_KEY, MEMORYX_API_KEY, MEMORYX_URL (non-default API only), MNEMOM_API_KEY and T0KEN_EXEC=1 added to its environment; never in any argv. Signals are passed on; its exit status is t0ken\'s (128+n for a death by signal n, 127 not found, 126 not executable). Exits 3 when there is nothing to hand over.',
  options: [{ flags: '--only <which>', description: 'hand over only this identity: t0ken or mnemom', values: IDENTITY_SCOPES }],
  arguments: [{ name: '<command...>', description: 'the program and its arguments (put -- before it)' }],
  runsProgram: true,
  examples: ['t0ken exec -- claude', 't0ken exec --only t0ken -- node agent.js', 't0ken exec -- sh -c \'echo "$MEMORYX_API_KEY" | wc -c\''],
  environment: [...T0KEN_ENV, 'MNEMOM_API_URL', 'MNEMOM_API_KEY'],
};

/**
 * `t0ken exec [--only t0ken|mnemom] [--] <program> [args…]`: runs the program with this machine's
 * identity in its environment (never in any argv): t0ken becomes the program where Node can
 * (process.execve), else returns the child's exit status as t0ken's.
 */
export async function run(ctx: Context, options: { only?: unknown }, args: string[]): Promise<number> {
  const [file, ...rest] = args;
  if (file === undefined) throw new CliError('invalid_input', 'exec needs a program to run', { hint: 'For example: t0ken exec -- node agent.js' });
  const only = identityScope(options.only);
  const vars = identityVariables(await resolveIdentity(ctx, only), DEFAULT_T0KEN_API_URL, only);
  // An MNEMOM_TOKEN in t0ken's environment passes through to the program: a Mnemom identity it has.
  if (Object.keys(vars).length === 0 && (only === 't0ken' || !mnemomTokenFromEnv(ctx.env))) throw nothingToHandOver(ctx, only);

  const outcome = await runProgram(file, rest, childEnvironment(ctx.env, vars));
  if (outcome.kind === 'not-found') {
    throw new CliError('command_not_found', outcome.message, { hint: 'Check the program\'s name and PATH; t0ken runs it without a shell, so aliases and shell functions are not found.' });
  }
  if (outcome.kind === 'not-executable') {
    throw new CliError('command_not_executable', outcome.message, { hint: outcome.hint ?? 'Check that it is a program and that its execute bit is set (chmod +x).' });
  }
  return outcome.status;
}
