import type { Context } from '../context.js';
import { CliError } from '../core/errors.js';
import { identityScope } from '../core/exec-argv.js';
import { Exit } from '../core/exit-codes.js';
import { childEnvironment, identityVariables } from '../core/identity-env.js';
import { DEFAULT_T0KEN_API_URL } from '../core/url.js';
import { runChild } from '../platform/child.js';
import { nothingToHandOver, resolveIdentity } from '../identity/resolve.js';

/**
 * `t0ken exec [--only t0ken|mnemom] [--] <program> [args…]`: runs the program with this machine's
 * identity in its environment (never in any argv) and returns its exit status as t0ken's.
 */
export async function run(ctx: Context, options: { only?: unknown }, args: string[]): Promise<number> {
  const [file, ...rest] = args;
  if (file === undefined) throw new CliError('invalid_input', 'exec needs a program to run', Exit.usage, { hint: 'For example: t0ken exec -- node agent.js' });
  const only = identityScope(options.only);
  const vars = identityVariables(await resolveIdentity(ctx, only), DEFAULT_T0KEN_API_URL, only);
  if (Object.keys(vars).length === 0) throw nothingToHandOver(ctx, only);

  const outcome = await runChild(file, rest, childEnvironment(ctx.env, vars));
  if (outcome.kind === 'not-found') {
    throw new CliError('command_not_found', outcome.message, Exit.notFound, { hint: 'Check the program\'s name and PATH; t0ken runs it without a shell, so aliases and shell functions are not found.' });
  }
  if (outcome.kind === 'not-executable') {
    throw new CliError('command_not_executable', outcome.message, Exit.notExecutable, { hint: outcome.hint ?? 'Check that it is a program and that its execute bit is set (chmod +x).' });
  }
  return outcome.status;
}
