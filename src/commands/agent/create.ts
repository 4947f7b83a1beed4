import { readFileSync, statSync } from 'node:fs';
import type { Context } from '../../context.js';
import type { CreateAgentBody } from '../../api/mnemom.js';
import type { MnemomAgent } from '../../api/schemas.js';
import { MAX_CARD_BYTES, parseCard } from '../../core/card.js';
import { CliError, isCliError, usageError } from '../../core/errors.js';
import { Exit } from '../../core/exit-codes.js';
import { hashProof } from '../../core/proof.js';
import { validateAgentName } from '../../core/validate.js';
import { withSpinner } from '../../ui/spinner.js';
import { keyValueTable } from '../../ui/table.js';
import { readProviderKey, type ProviderKeyOptions } from '../shared/provider-key.js';
import { localTime } from '../shared/t0ken-session.js';
import { openMnemom } from './mnemom-session.js';

interface CreateOptions extends ProviderKeyOptions {
  name?: string;
  card?: string;
  policy?: string;
  ifExists?: 'fail' | 'ok';
}

/** Creates a Mnemom agent; with --if-exists ok an existing agent for the same proof is success. */
export async function run(ctx: Context, options: CreateOptions): Promise<void> {
  const name = validateAgentName(options.name ?? '');
  const card = options.card === undefined ? undefined : parseCard(readLocalFile(options.card, '--card', MAX_CARD_BYTES), options.card);
  const policy = options.policy === undefined ? undefined : readLocalFile(options.policy, '--policy', MAX_CARD_BYTES);
  if (policy !== undefined) ctx.out.warn('--policy is deprecated: the service now reads the policy from the alignment card; put it in the card passed with --card');
  const providerKey = await readProviderKey(ctx, options);
  const proof = hashProof(providerKey, name);
  const api = openMnemom(ctx, [providerKey]);

  const body: CreateAgentBody = { name, hash_proof: proof.hash_proof };
  if (card !== undefined) body.card_json = card;
  if (policy !== undefined) body.policy_yaml = policy;

  try {
    const created = await withSpinner(ctx.out, ctx.env, `Creating agent ${name}…`, () => api.createAgent(body));
    ctx.out.info(`Created agent ${created.name}.`);
    ctx.out.result(created, () =>
      keyValueTable(
        [
          ['id', created.id],
          ['name', created.name],
          ['agent_hash', created.agent_hash],
          ['created', localTime(created.created_at)],
          ['card', created.card_id ?? '-'],
        ],
        ctx.out.style.dim,
      ),
      { quiet: () => created.id },
    );
  } catch (error) {
    if (!isCliError(error) || error.exitCode !== Exit.conflict) throw error;
    const { agents } = await api.listAgents();
    const existing = agents.find((a) => a.agent_hash === proof.agent_hash) ?? agents.find((a) => a.name === name);
    if (!existing) {
      throw new CliError('conflict', `Mnemom says agent ${name} already exists, but it is not among the agents this credential can list`, Exit.conflict, {
        status: 409,
        hint: 'It may belong to another account; pick another --name, or check MNEMOM_TOKEN / MNEMOM_API_KEY.',
      });
    }
    if (options.ifExists !== 'ok') {
      throw new CliError('conflict', `agent ${existing.name} already exists (${existing.id})`, Exit.conflict, {
        status: 409,
        hint: 'Pass --if-exists ok to treat an existing agent as success (e.g. in CI), or pick another --name.',
      });
    }
    ctx.out.info(`Agent ${existing.name} already exists; nothing was created.`);
    printExisting(ctx, existing);
  }
}

function printExisting(ctx: Context, agent: MnemomAgent): void {
  ctx.out.result(agent, () =>
    keyValueTable(
      [
        ['id', agent.id],
        ['name', agent.name],
        ['agent_hash', agent.agent_hash ?? '-'],
        ['created', agent.created_at ? localTime(agent.created_at) : '-'],
      ],
      ctx.out.style.dim,
    ),
    { quiet: () => agent.id },
  );
}

/** Reads a file named on the command line, with a usage error naming it when that fails. */
function readLocalFile(path: string, flag: string, maxBytes: number): string {
  let size: number;
  try {
    const stats = statSync(path);
    if (!stats.isFile()) throw usageError(`${flag} ${path} is not a file`, `Pass a file to ${flag}.`);
    size = stats.size;
  } catch (error) {
    if (isCliError(error)) throw error;
    throw usageError(`cannot read ${flag} file ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, `Check the path passed to ${flag}.`);
  }
  if (size > maxBytes) throw usageError(`${flag} file ${path} is larger than ${maxBytes / 1024} KiB`, `Pass a smaller file to ${flag}.`);
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw usageError(`cannot read ${flag} file ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, `Check the path passed to ${flag}.`);
  }
}
