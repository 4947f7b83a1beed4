import type { Context } from '../context.js';
import { CliError, usageError } from '../core/errors.js';
import { identityScope } from '../core/exec-argv.js';
import { Exit } from '../core/exit-codes.js';
import { ENV_FORMATS, formatVariables, identityVariables, UnrepresentableValueError, type EnvFormat } from '../core/identity-env.js';
import { DEFAULT_T0KEN_API_URL } from '../core/url.js';
import { nothingToHandOver, resolveIdentity } from '../identity/resolve.js';

/**
 * `t0ken env [--only t0ken|mnemom] [--format sh|fish|dotenv|json]`: the variables `exec` hands a
 * program (without T0KEN_EXEC, which marks an exec child), printed for `eval`, `source` or a .env
 * file. Prints secrets, like `token`.
 */
export async function run(ctx: Context, options: { only?: unknown; format?: string }): Promise<void> {
  const only = identityScope(options.only);
  const format = (options.format ?? (ctx.json ? 'json' : 'sh')) as EnvFormat;
  if (!ENV_FORMATS.includes(format)) throw usageError(`--format takes sh, fish, dotenv or json, not ${JSON.stringify(format.slice(0, 20))}`);
  const vars = identityVariables(await resolveIdentity(ctx, only), DEFAULT_T0KEN_API_URL, only);
  if (Object.keys(vars).length === 0) throw nothingToHandOver(ctx, only);
  // --json prints one JSON object (the same as --format json), whatever --format says.
  const text = ctx.json ? '' : render(vars, format);
  ctx.out.result(vars, () => text);
}

function render(vars: Record<string, string>, format: EnvFormat): string {
  try {
    return formatVariables(vars, format);
  } catch (error) {
    if (!(error instanceof UnrepresentableValueError)) throw error;
    throw new CliError('invalid_input', `${error.message}; nothing was printed`, Exit.usage, {
      hint: error.onlyJson ? 'Use --format json, which escapes every character; or check the variable, which looks damaged.' : 'Use --format sh, fish or json, which carry any value.',
    });
  }
}
