import type { CommandSpec } from '../../core/command-spec.js';
import { quoteGiven } from '../../core/mask.js';
import { MNEMOM_ENV } from '../../core/environment.js';
import type { Context } from '../../context.js';
import type { AgentDetail } from '../../api/schemas.js';
import { CliError, isCliError, usageError } from '../../core/errors.js';
import { sanitizeLine } from '../../core/sanitize.js';
import { AGENT_ID_PATTERN, AGENT_NAME_PATTERN } from '../../core/validate.js';
import { withSpinner } from '../../ui/spinner.js';
import { keyValueTable } from '../../ui/table.js';
import { formatLocalTime } from '../../core/format.js';
import { openMnemom } from './mnemom-session.js';

export const spec: CommandSpec = {
  path: ['agent', 'show'],
  summary: 'show one Mnemom agent',
  description: 'Show one Mnemom agent: by id (smolt-… or mnm-…), or by name, looked up among the agents of this credential.',
  arguments: [{ name: '<id|name>', description: 'an agent id or name' }],
  examples: ['t0ken agent show smolt-1a2b3c4d', 't0ken agent show my-agent --json | jq -r .claimed_at'],
  environment: [...MNEMOM_ENV],
};

/** One Mnemom agent, by id, or by name through the list. */
export async function run(ctx: Context, _options: Record<string, unknown>, args: string[]): Promise<void> {
  const target = args[0] ?? '';
  const byId = AGENT_ID_PATTERN.test(target);
  if (!byId && !AGENT_NAME_PATTERN.test(target)) {
    throw usageError(`${quoteGiven(target)} is neither an agent id (smolt-… or mnm-…) nor an agent name`, 'Pass an id or a name from `t0ken agent list`.');
  }
  const api = await openMnemom(ctx);
  const agent = await withSpinner(ctx, `Fetching agent ${target}…`, async () => {
    let id = target;
    if (!byId) {
      // By id, once each: a list that repeats an agent (a paging overlap) still names one agent.
      const matches = [...new Map((await api.listAgents()).agents.filter((a) => a.name === target).map((a) => [a.id, a])).values()];
      if (matches.length === 0) {
        throw new CliError('not_found', `no agent named ${target} among the agents of this Mnemom credential`, {
          hint: 'Run `t0ken agent list` to see them, or pass the agent id.',
        });
      }
      if (matches.length > 1) {
        throw usageError(`${matches.length} agents are named ${target}: ${matches.map((a) => sanitizeLine(a.id)).join(', ')}`, 'Pass the id of the one you mean.');
      }
      id = matches[0]!.id;
    }
    try {
      return await api.getAgent(id);
    } catch (error) {
      if (isCliError(error) && error.status === 404) {
        throw new CliError(error.code, error.message, {
      exitCode: error.exitCode,
          status: 404,
          requestId: error.requestId,
          hint: 'It does not exist or belongs to another account: `t0ken agent list` shows yours.',
    });
      }
      throw error;
    }
  });
  ctx.out.result(agent, () => agentTable(agent, ctx.out.style.dim, ctx.out.width), { quiet: () => sanitizeLine(agent.id) });
}

export function agentTable(agent: AgentDetail, dim: (s: string) => string, width = Infinity): string {
  const text = (value: unknown): string => (typeof value === 'string' && value !== '' ? sanitizeLine(value) : '-');
  const when = (value: unknown): string => (typeof value === 'string' && value !== '' ? formatLocalTime(value) : '-');
  return keyValueTable(
    [
      ['id', text(agent.id)],
      ['name', text(agent.name)],
      ['agent_hash', text(agent.agent_hash)],
      ['status', text(agent.status)],
      ['user', text(agent.user_id)],
      ['email', text(agent.email)],
      ['claimed', agent.claimed_at ? when(agent.claimed_at) : 'not claimed'],
      ['last seen', when(agent.last_seen)],
      ['created', when(agent.created_at)],
      ['public', agent.public === true ? 'yes' : agent.public === false ? 'no' : '-'],
    ],
    dim,
    width,
  );
}
