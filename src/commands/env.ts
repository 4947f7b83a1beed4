import type { CommandSpec } from '../core/command-spec.js';
import { quoteGiven } from '../core/mask.js';
import { T0KEN_ENV } from '../core/environment.js';
import type { Context } from '../context.js';
import { closest } from '../core/did-you-mean.js';
import { CliError, usageError } from '../core/errors.js';
import { ENV_FORMATS, formatVariables, IDENTITY_SCOPES, identityScope, identityVariables, UnrepresentableValueError, type EnvFormat } from '../core/identity-env.js';
import { DEFAULT_T0KEN_API_URL } from '../core/url.js';
import { nothingToHandOver, resolveIdentity } from '../identity/resolve.js';

export const spec: CommandSpec = {
  path: ['env'],
  group: 'Handing the identity to agents:',
  summary: 'print the variables exec hands over, for eval or a .env file',
  description: 'Print the variables `exec` adds (T0KEN_API_KEY, MEMORYX_API_KEY, MEMORYX_URL, MNEMOM_API_KEY), quoted for the shell so any value survives eval. Prints secrets, like `token`.',
  options: [
    { flags: '--only <which>', description: 'print only this identity: t0ken or mnemom', values: IDENTITY_SCOPES },
    { flags: '--format <format>', description: 'sh (default), fish, dotenv or json', values: ENV_FORMATS },
  ],
  examples: ['eval "$(t0ken env)"', 't0ken env --format fish | source', 't0ken env --format dotenv > .env'],
  environment: [...T0KEN_ENV, 'MNEMOM_API_URL', 'MNEMOM_API_KEY'],
};

/**
 * `t0ken env [--only t0ken|mnemom] [--format sh|fish|dotenv|json]`: the variables `exec` hands a
 * program (without T0KEN_EXEC, which marks an exec child), printed for `eval`, `source` or a .env
 * file. Prints secrets, like `token`.
 */
export async function run(ctx: Context, options: { only?: unknown; format?: string }): Promise<void> {
  const only = identityScope(options.only);
  const format = (options.format ?? (ctx.json ? 'json' : 'sh')) as EnvFormat;
  if (!ENV_FORMATS.includes(format)) {
    const near = closest(format, ENV_FORMATS);
    throw usageError(
      `--format takes sh, fish, dotenv or json, not ${quoteGiven(format, 20)}`,
      near ? `Did you mean \`--format ${near}\`?` : 'There is no YAML: sh for bash and zsh (eval "$(t0ken env)"), fish for fish, dotenv for a .env file (KEY=value lines), json for one object (yq turns it into YAML).',
    );
  }
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
    throw new CliError('invalid_input', `${error.message}; nothing was printed`, {
      hint: error.onlyJson ? 'Use --format json, which escapes every character; or check the variable, which looks damaged.' : 'Use --format sh, fish or json, which carry any value.',
    });
  }
}
