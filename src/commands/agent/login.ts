import type { Context } from '../../context.js';
import { CliError } from '../../core/errors.js';

export async function run(_ctx: Context): Promise<void> {
  throw new CliError('not_implemented', 'agent/login is not implemented yet', 1);
}
