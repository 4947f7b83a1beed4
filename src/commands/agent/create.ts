import { providerKeyOptions } from '../provider-key-options.js';
import type { CommandSpec } from '../../core/command-spec.js';
import { MNEMOM_ENV } from '../../core/environment.js';
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Context } from '../../context.js';
import type { CreateAgentBody, MnemomApi } from '../../api/mnemom.js';
import type { AgentDetail, CreatedAgent, MnemomAgent } from '../../api/schemas.js';
import { MAX_CARD_BYTES, parseCard } from '../../core/card.js';
import { CliError, isCliError, usageError } from '../../core/errors.js';
import { Exit } from '../../core/exit-codes.js';
import { hashProof } from '../../core/proof.js';
import { sanitizeLine } from '../../core/sanitize.js';
import { conflictAgentId } from '../../core/service-details.js';
import { AGENT_ID_PATTERN, validateAgentName } from '../../core/validate.js';
import { readPipeSync, StdinTooLarge } from '../../platform/stdin.js';
import { withSpinner } from '../../ui/spinner.js';
import { keyValueTable } from '../../ui/table.js';
import { readProviderKey, type ProviderKeyOptions } from '../../identity/provider-key.js';
import { formatLocalTime } from '../../core/format.js';
import { openMnemom } from './mnemom-session.js';

export const spec: CommandSpec = {
  path: ['agent', 'create'],
  summary: 'create a Mnemom agent',
  description: 'Create a Mnemom agent bound to a provider key by its hash proof. The provider key never leaves this machine.',
  options: [
    { flags: '--name <name>', description: 'agent name (2-32 letters, digits, hyphens)', required: true },
    { flags: '--card <file>', description: 'alignment card JSON file to attach', file: true },
    { flags: '--policy <file>', description: 'policy YAML file (deprecated: put the policy in the card)', file: true },
    ...providerKeyOptions(),
    { flags: '--if-exists <mode>', description: 'what to do when the agent already exists', choices: ['fail', 'ok'], default: 'fail' },
  ],
  examples: ['t0ken agent create --name my-agent --key-env ANTHROPIC_API_KEY', 'printf %s "$KEY" | t0ken agent create --name my-agent --key-stdin --if-exists ok --json'],
  environment: [...MNEMOM_ENV],
};

interface CreateOptions extends ProviderKeyOptions {
  name?: string;
  card?: string;
  policy?: string;
  ifExists?: 'fail' | 'ok';
}

/** Creates a Mnemom agent; with --if-exists ok an existing agent for the same proof is success. */
export async function run(ctx: Context, options: CreateOptions): Promise<void> {
  const name = validateAgentName(options.name ?? '');
  const card = options.card === undefined ? undefined : parseCard(readLocalFile(resolve(ctx.cwd, options.card), options.card, '--card', MAX_CARD_BYTES), options.card);
  const policy = options.policy === undefined ? undefined : readLocalFile(resolve(ctx.cwd, options.policy), options.policy, '--policy', MAX_CARD_BYTES);
  if (policy !== undefined) ctx.out.warn('--policy is deprecated: the service now reads the policy from the alignment card; put it in the card passed with --card');
  const providerKey = await readProviderKey(ctx, options);
  const proof = hashProof(providerKey, name);
  const api = await openMnemom(ctx, [providerKey]);

  const body: CreateAgentBody = { name, hash_proof: proof.hash_proof };
  if (card !== undefined) body.card_json = card;
  if (policy !== undefined) body.policy_yaml = policy;

  let created: CreatedAgent;
  try {
    created = await withSpinner(ctx, `Creating agent ${name}…`, () => api.createAgent(body));
  } catch (error) {
    if (!isCliError(error) || error.exitCode !== Exit.conflict) throw error;
    const existing = await findExisting(api, error, proof.agent_hash, name);
    if (options.ifExists !== 'ok') {
      throw new CliError('conflict', `agent ${sanitizeLine(existing.name) || name} already exists (${sanitizeLine(existing.id)})`, {
        status: 409,
        requestId: error.requestId,
        fields: { conflict_agent_id: existing.id },
        hint: 'Pass --if-exists ok to treat an existing agent as success (e.g. in CI), or pick another --name.',
      });
    }
    const agent = existing.listed ?? (await fetchConflicting(api, existing.id, name, error));
    if (agent.agent_hash !== proof.agent_hash && agent.name !== name) {
      // The contract's rule for the agent a 409 is about: same agent_hash, else same name.
      throw new CliError('conflict', `Mnemom says agent ${name} already exists as ${sanitizeLine(existing.id)}, but that agent has neither this proof's agent_hash nor the name ${name}`, {
        status: 409,
        requestId: error.requestId,
        fields: { conflict_agent_id: existing.id },
        hint: `Nothing was created. Check with \`t0ken agent show ${sanitizeLine(existing.id)}\`, or pick another --name.`,
      });
    }
    ctx.out.info(`Agent ${sanitizeLine(agent.name ?? name) || name} already exists; nothing was created.`);
    if (card !== undefined) ctx.out.warn(`--card ${options.card} was not attached: the agent already existed, and create is the only call that attaches a card`);
    printAgent(ctx, sameFields(agent, proof.agent_hash, name, false));
    return;
  }
  ctx.out.info(`Created agent ${sanitizeLine(created.name) || name}.`);
  // With --if-exists ok, the same fields whether it was created or found, plus "created".
  printAgent(ctx, options.ifExists === 'ok' ? sameFields(created, proof.agent_hash, name, true) : created);
}

interface Existing {
  id: string;
  name: string;
  listed?: MnemomAgent;
}

/** The agent a 409 named, fetched; exit 6 when this credential cannot see it. */
async function fetchConflicting(api: MnemomApi, id: string, name: string, conflict: CliError): Promise<AgentDetail> {
  try {
    return await api.getAgent(id);
  } catch (error) {
    if (!isCliError(error) || error.status !== 404) throw error;
    throw new CliError('conflict', `Mnemom says agent ${name} already exists (${id}), but this credential cannot see it`, {
      status: 409,
      requestId: conflict.requestId,
      fields: { conflict_agent_id: id },
      hint: 'It may belong to another account; pick another --name, or check MNEMOM_TOKEN / MNEMOM_API_KEY.',
    });
  }
}

/**
 * The agent a 409 is about: the id the answer names (details.conflict_agent_id), else the listed
 * agent with the same agent_hash, else the same name. Exit 6 when none of them is ours.
 */
async function findExisting(api: MnemomApi, conflict: CliError, agentHash: string, name: string): Promise<Existing> {
  const named = conflictAgentId(conflict.body);
  if (named !== undefined && AGENT_ID_PATTERN.test(named)) return { id: named, name: '' };
  const { agents } = await api.listAgents();
  const listed = agents.find((a) => a.agent_hash === agentHash) ?? agents.find((a) => a.name === name);
  if (!listed) {
    throw new CliError('conflict', `Mnemom says agent ${name} already exists, but it is not among the agents this credential can list`, {
      status: 409,
      requestId: conflict.requestId,
      hint: 'It may belong to another account; pick another --name, or check MNEMOM_TOKEN / MNEMOM_API_KEY.',
    });
  }
  return { id: listed.id, name: listed.name, listed };
}

const CREATE_FIELDS = ['id', 'agent_hash', 'name', 'created_at', 'card_id', 'policy_created'] as const;

/** The create answer's fields, from a created or a found agent, plus whether it was created. */
function sameFields(agent: Record<string, unknown> | undefined, agentHash: string, name: string, created: boolean): Record<string, unknown> {
  const source = agent ?? {};
  const defaults: Record<string, unknown> = { agent_hash: agentHash, name, created_at: null, card_id: null, policy_created: false };
  const out: Record<string, unknown> = {};
  for (const field of CREATE_FIELDS) out[field] = source[field] ?? defaults[field] ?? null;
  out.created = created;
  return out;
}

function printAgent(ctx: Context, agent: Record<string, unknown>): void {
  const text = (value: unknown): string => (typeof value === 'string' && value !== '' ? sanitizeLine(value) : '-');
  ctx.out.result(agent, () =>
    keyValueTable(
      [
        ['id', text(agent.id)],
        ['name', text(agent.name)],
        ['agent_hash', text(agent.agent_hash)],
        ['created', typeof agent.created_at === 'string' ? formatLocalTime(agent.created_at) : '-'],
        // Mnemom names an agent's card only in the answer that created it: for a found agent "-"
        // would read as "no card" when it may well have one.
        ['card', agent.created === false && agent.card_id == null ? 'not known (Mnemom names the card only when it creates the agent)' : text(agent.card_id)],
      ],
      ctx.out.style.dim,
      ctx.out.width,
    ),
    { quiet: () => text(agent.id) },
  );
}

/** Reads `file` (`path` as named on the command line), with a usage error naming it when that fails. */
function readLocalFile(file: string, path: string, flag: string, maxBytes: number): string {
  if (path === '') throw usageError(`${flag} is empty`, `Pass a file to ${flag}.`);
  let size: number;
  try {
    const stats = statSync(file);
    if (stats.isFIFO()) return readPipeSync(file, maxBytes).toString('utf8'); // `--card <(jq … card.json)`
    if (!stats.isFile()) throw usageError(`${flag} ${path} is not a file`, `Pass a file to ${flag}.`);
    size = stats.size;
  } catch (error) {
    if (isCliError(error)) throw error;
    if (error instanceof StdinTooLarge) throw usageError(`${flag} ${path} is larger than ${maxBytes / 1024} KiB`, `Pass a smaller file to ${flag}.`);
    throw usageError(`cannot read ${flag} file ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, `Check the path passed to ${flag}.`);
  }
  if (size > maxBytes) throw usageError(`${flag} file ${path} is larger than ${maxBytes / 1024} KiB`, `Pass a smaller file to ${flag}.`);
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw usageError(`cannot read ${flag} file ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, `Check the path passed to ${flag}.`);
  }
}
