import { providerKeyOptions } from '../provider-key-options.js';
import type { CommandSpec } from '../../core/command-spec.js';
import { MNEMOM_ENV } from '../../core/environment.js';
import type { Context } from '../../context.js';
import { CliError, isCliError } from '../../core/errors.js';
import { Exit } from '../../core/exit-codes.js';
import { hashProof } from '../../core/proof.js';
import { sanitizeLine } from '../../core/sanitize.js';
import { claimableOrgs, hasErrorCode, type ClaimableOrg } from '../../core/service-details.js';
import { validateAgentId, validateAgentName, validateOrgId } from '../../core/validate.js';
import { withSpinner } from '../../ui/spinner.js';
import { keyValueTable } from '../../ui/table.js';
import { readProviderKey, type ProviderKeyOptions } from '../../identity/provider-key.js';
import { formatLocalTime } from '../../core/format.js';
import { openMnemom } from './mnemom-session.js';

export const spec: CommandSpec = {
  path: ['agent', 'claim'],
  summary: 'bind a gateway-created agent to this account',
  description: 'Claim an agent the Mnemom gateway created on its first call, proving you hold its provider key with the key\'s hash proof (as `t0ken hash-proof`). The key never leaves this machine.',
  arguments: [{ name: '<id>', description: 'the agent id (smolt-… or mnm-…)' }],
  options: [
    { flags: '--name <name>', description: 'the agent name the gateway saw (part of the proof)' },
    ...providerKeyOptions(),
    { flags: '--org <org_id>', description: 'organisation to claim it into (a refused claim lists yours)' },
  ],
  examples: ['t0ken agent claim smolt-1a2b3c4d --key-env ANTHROPIC_API_KEY', 'printf %s "$KEY" | t0ken agent claim smolt-1a2b3c4d --name my-agent --key-stdin --org org-1234 --json'],
  environment: [...MNEMOM_ENV],
};

interface ClaimOptions extends ProviderKeyOptions {
  name?: string;
  org?: string;
}

/**
 * Binds an agent the gateway created on its first call to this Mnemom credential, proving ownership
 * of the provider key with its hash proof (the key itself never leaves this machine).
 */
export async function run(ctx: Context, options: ClaimOptions, args: string[]): Promise<void> {
  const id = validateAgentId(args[0] ?? '');
  const name = options.name === undefined ? undefined : validateAgentName(options.name);
  const org = options.org === undefined ? undefined : validateOrgId(options.org);
  const providerKey = await readProviderKey(ctx, options);
  const proof = hashProof(providerKey, name);
  const api = await openMnemom(ctx, [providerKey]);

  let answer;
  try {
    answer = await withSpinner(ctx, `Claiming agent ${id}…`, () => api.claimAgent(id, { hash_proof: proof.hash_proof, ...(org === undefined ? {} : { org_id: org }) }));
  } catch (error) {
    throw isCliError(error) ? explain(error, id, org) : error;
  }
  ctx.out.info(`Claimed agent ${id}.`);
  const text = (value: unknown): string => (typeof value === 'string' && value !== '' ? sanitizeLine(value) : '-');
  ctx.out.result(answer, () =>
    keyValueTable(
      [
        ['id', text(answer.id ?? answer.agent_id ?? id)],
        ['name', text(answer.name)],
        ['agent_hash', text(answer.agent_hash ?? proof.agent_hash)],
        ['org', text(answer.org_id)],
        ['claimed', typeof answer.claimed_at === 'string' ? formatLocalTime(answer.claimed_at) : '-'],
      ],
      ctx.out.style.dim,
      ctx.out.width,
    ),
    { quiet: () => text(answer.id ?? answer.agent_id ?? id) },
  );
}

/** The claim's own refusals, said in its own words; anything else passes through. */
function explain(error: CliError, id: string, org: string | undefined): CliError {
  const common = { status: error.status, requestId: error.requestId, body: error.body };
  if (error.status === 403 && (error.code === 'agent_org_not_member' || hasErrorCode(error.body, 'agent_org_not_member'))) {
    const orgs = claimableOrgs(error.body);
    const where = org === undefined ? 'its organisation' : `organisation ${org}`;
    return new CliError('agent_org_not_member', `cannot claim ${id} into ${where}: this account is not a member`, {
      ...common,
      fields: { claimable_orgs: orgs },
      hint: orgs.length > 0
        ? `Claim it into one of your organisations with --org:\n${orgList(orgs)}`
        : 'No organisation of yours can claim it: ask an owner of its organisation to invite you.',
    });
  }
  if (error.status === 403) {
    return new CliError(error.code, error.message, {
      exitCode: error.exitCode,
      ...common,
      hint: 'Use the provider key the gateway saw (and --name if the agent is named), or check MNEMOM_TOKEN / MNEMOM_API_KEY.',
    });
  }
  if (error.status === 409) {
    return new CliError(error.code === 'conflict' ? 'already_claimed' : error.code, error.message, {
      exitCode: Exit.conflict,
      ...common,
      hint: 'Nothing changed. If it is yours, `t0ken agent show ' + id + '` shows it.',
    });
  }
  if (error.status === 404) {
    return new CliError(error.code, error.message, { exitCode: error.exitCode, ...common, hint: 'Check the id: the gateway names the agent in its answers (smolt-… or mnm-…).' });
  }
  return error;
}

export function orgList(orgs: readonly ClaimableOrg[]): string {
  const ids = orgs.map((o) => sanitizeLine(o.org_id));
  const width = Math.max(...ids.map((i) => i.length));
  return orgs.map((o, i) => `  --org ${ids[i]!.padEnd(width)}  ${o.name === null ? '' : sanitizeLine(o.name)}${o.is_personal ? ' (personal)' : ''}`.trimEnd()).join('\n');
}
