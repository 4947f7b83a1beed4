import { providerKeyOptions } from '../provider-key-options.js';
import type { CommandSpec } from '../../core/command-spec.js';
import { MNEMOM_ENV } from '../../core/environment.js';
import type { Context } from '../../context.js';
import { CliError, isCliError } from '../../core/errors.js';
import { hashProof } from '../../core/proof.js';
import { sanitizeLine } from '../../core/sanitize.js';
import { conflictAgentId } from '../../core/service-details.js';
import { validateAgentId, validateAgentName } from '../../core/validate.js';
import type { AgentDetail } from '../../api/schemas.js';
import { withSpinner } from '../../ui/spinner.js';
import { keyValueTable } from '../../ui/table.js';
import { readProviderKey, type ProviderKeyOptions } from '../../identity/provider-key.js';
import { formatLocalTime } from '../../core/format.js';
import { openMnemom } from './mnemom-session.js';

export const spec: CommandSpec = {
  path: ['agent', 'rekey'],
  summary: 'keep an agent addressable after its provider key was rotated',
  description: 'Point an agent at a NEW provider key: only the new key\'s 16-hex agent hash (as `t0ken hash-proof --short`) is sent, never the key.',
  arguments: [{ name: '<id>', description: 'the agent id (smolt-… or mnm-…)' }],
  options: [
    { flags: '--name <name>', description: 'the agent name (part of the hash, as for hash-proof; default: the agent\'s own name)' },
    ...providerKeyOptions('NEW provider key'),
  ],
  examples: ['t0ken agent rekey smolt-1a2b3c4d --name my-agent --key-env NEW_ANTHROPIC_API_KEY', 'printf %s "$NEW_KEY" | t0ken agent rekey smolt-1a2b3c4d --name my-agent --key-stdin --json'],
  environment: [...MNEMOM_ENV],
};

interface RekeyOptions extends ProviderKeyOptions {
  name?: string;
}

/**
 * Keeps an agent addressable after its provider key was rotated: sends the 16-hex agent hash of the
 * NEW key (with the same name rule as `hash-proof`; the agent's own name unless --name is given), and
 * nothing else.
 */
export async function run(ctx: Context, options: RekeyOptions, args: string[]): Promise<void> {
  const id = validateAgentId(args[0] ?? '');
  const given = options.name === undefined ? undefined : validateAgentName(options.name);
  const providerKey = await readProviderKey(ctx, options);
  const api = await openMnemom(ctx, [providerKey]);

  let newKeyHash: string;
  let answer;
  try {
    // The gateway addresses a named agent by key and name: without --name, a named agent's own name
    // goes into the hash (the key's hash alone left it unaddressable, and said it worked).
    const name = given ?? agentName(await withSpinner(ctx, `Looking up agent ${id}…`, () => api.getAgent(id)));
    if (given === undefined) {
      ctx.out.info(name === undefined
        ? 'The agent has no name: its new hash is of the key alone (pass --name to choose).'
        : `Using the agent's name, ${sanitizeLine(name)}, in its new hash (pass --name to choose).`);
    }
    const hash = (newKeyHash = hashProof(providerKey, name).agent_hash);
    answer = await withSpinner(ctx, `Rekeying agent ${id}…`, () => api.rekeyAgent(id, hash));
  } catch (error) {
    throw isCliError(error) ? explain(error, id) : error;
  }
  ctx.out.info(`Agent ${id} now answers to the new provider key.`);
  ctx.out.result(answer, () =>
    keyValueTable(
      [
        ['id', sanitizeLine(typeof answer.agent_id === 'string' ? answer.agent_id : id)],
        ['agent_hash', newKeyHash],
        ['rekeyed', typeof answer.rekeyed_at === 'string' ? formatLocalTime(answer.rekeyed_at) : '-'],
      ],
      ctx.out.style.dim,
      ctx.out.width,
    ),
    { quiet: () => newKeyHash },
  );
}

/** The agent's name as the gateway hashes it, whatever its shape; undefined for an unnamed agent. */
const agentName = (agent: AgentDetail): string | undefined => (typeof agent.name === 'string' && agent.name !== '' ? agent.name : undefined);

function explain(error: CliError, id: string): CliError {
  const common = { status: error.status, requestId: error.requestId, body: error.body };
  if (error.status === 409) {
    const raw = conflictAgentId(error.body);
    const other = raw === undefined ? undefined : sanitizeLine(raw).slice(0, 80);
    return new CliError('conflict', other ? `another agent, ${other}, already has this key hash` : 'another agent already has this key hash (Mnemom did not say which)', {
      ...common,
      ...(other ? { fields: { conflict_agent_id: other } } : {}),
      hint: other
        ? `Nothing changed. That agent already answers to this provider key and name: use it (\`t0ken agent show ${other}\`), or rekey ${id} with another key or --name.`
        : `Nothing changed. Rekey ${id} with another key or --name.`,
    });
  }
  if (error.status === 404) {
    return new CliError(error.code, error.message, { exitCode: error.exitCode, ...common, hint: 'It does not exist or belongs to another account: `t0ken agent list` shows yours.' });
  }
  if (error.status === 403) {
    return new CliError(error.code, error.message, { exitCode: error.exitCode, ...common, hint: 'Claim the agent first (`t0ken agent claim <id>`), or check MNEMOM_TOKEN / MNEMOM_API_KEY.' });
  }
  return error;
}
