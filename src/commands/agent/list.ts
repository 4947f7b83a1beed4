import type { CommandSpec } from '../../core/command-spec.js';
import { sanitizeLine } from '../../core/sanitize.js';
import { MNEMOM_ENV } from '../../core/environment.js';
import type { Context } from '../../context.js';
import { withSpinner } from '../../ui/spinner.js';
import { columnsTable } from '../../ui/table.js';
import { formatLocalTime } from '../../core/format.js';
import { openMnemom } from './mnemom-session.js';

export const spec: CommandSpec = {
  path: ['agent', 'list'],
  summary: 'list Mnemom agents',
  description: 'List the Mnemom agents of the current credential.',
  examples: ['t0ken agent list', 't0ken agent list --json | jq -r ".agents[].id"'],
  environment: [...MNEMOM_ENV],
};

/** Lists the Mnemom agents of the current credential. */
export async function run(ctx: Context): Promise<void> {
  const answer = await withSpinner(ctx, 'Listing agents…', async () => (await openMnemom(ctx)).listAgents());
  const when = (value: unknown): string => (typeof value === 'string' && value ? formatLocalTime(value) : '-');
  ctx.out.result(answer, () => {
    if (answer.agents.length === 0) return 'No agents yet. Create one with `t0ken agent create --name <name>`.';
    return columnsTable(
      ['ID', 'NAME', 'CREATED', 'LAST SEEN'],
      answer.agents.map((a) => [a.id, a.name, when(a.created_at), when(a.last_seen_at)]),
      ctx.out.style.bold,
      ctx.out.width,
    );
  }, { quiet: () => answer.agents.map((a) => sanitizeLine(a.id)).join('\n') });
}
