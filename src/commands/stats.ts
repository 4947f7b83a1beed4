import type { Context } from '../context.js';
import { formatCount } from '../core/format.js';
import { withSpinner } from '../ui/spinner.js';
import { keyValueTable } from '../ui/table.js';
import { localTime, openT0kenSession } from './shared/t0ken-session.js';

/** Machine statistics: a readable table, or the service's data object with --json. */
export async function run(ctx: Context): Promise<void> {
  const session = openT0kenSession(ctx);
  const stats = await withSpinner(ctx.out, ctx.env, 'Fetching statistics…', () => session.api.machineStats(session.account.machine_fingerprint));
  ctx.out.result(stats, () =>
    keyValueTable(
      [
        ['memories', formatCount(stats.total_memories)],
        ['projects', formatCount(stats.total_projects)],
        ['api calls (24 h)', formatCount(stats.api_calls_24h)],
        ['storage used', String(stats.storage_used)],
        ['created', localTime(stats.created_at)],
      ],
      ctx.out.style.dim,
    ),
  );
}
