import { createHash, randomUUID } from 'node:crypto';
import { hex, type SandboxState } from './state.js';
import { reply, type Reply } from './http-util.js';

export interface MnemomRequest {
  method: string;
  headers: Record<string, string>;
  bodyText: string;
  body: Record<string, unknown> | undefined;
  now: number;
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9-]{0,30}[a-zA-Z0-9]$/;
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const API_KEY = /^mnm_[A-Za-z0-9_-]{16,}$/;

const invalid = (message: string, details: unknown[]): Reply => reply(422, { error: { code: 'validation_error', message, details } });

/** The principal behind a credential, or undefined when it is missing or malformed. */
function principalOf(headers: Record<string, string>): string | undefined {
  const auth = headers.authorization;
  const bearer = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : undefined;
  const credential = bearer && JWT.test(bearer) ? `jwt:${bearer}` : headers['x-mnemom-api-key'] && API_KEY.test(headers['x-mnemom-api-key']) ? `key:${headers['x-mnemom-api-key']}` : undefined;
  return credential ? createHash('sha256').update(credential).digest('hex') : undefined;
}

/** The Mnemom agents API: credential, validation, 409 on a known agent_hash, idempotent replays. */
export function handleMnemom(state: SandboxState, req: MnemomRequest): Reply {
  if (req.method !== 'GET' && req.method !== 'POST') return reply(405, { error: { code: 'method_not_allowed', message: 'use GET or POST' } });
  const principal = principalOf(req.headers);
  if (!principal) return reply(401, { error: 'missing or invalid credential' });

  if (req.method === 'GET') {
    const agents = state.agents
      .filter((a) => a.principal === principal)
      .map((a) => ({ id: a.id, name: a.name, agent_hash: a.agentHash, created_at: a.createdAt, last_seen_at: null }));
    return reply(200, { agents });
  }

  const key = req.headers['idempotency-key'];
  const slot = key ? `${principal}:${key}` : undefined;
  if (slot) {
    const previous = state.idempotency.get(slot);
    if (previous) {
      if (previous.bodyText !== req.bodyText) {
        return reply(422, { error: { code: 'idempotency_mismatch', message: 'this Idempotency-Key was used with a different body' } });
      }
      return reply(previous.status, previous.response, { 'idempotent-replayed': 'true' });
    }
  }
  const answer = createAgent(state, principal, req);
  if (slot && answer.status < 500) state.idempotency.set(slot, { bodyText: req.bodyText, status: answer.status, response: answer.body });
  return answer;
}

function createAgent(state: SandboxState, principal: string, req: MnemomRequest): Reply {
  const body = req.body ?? {};
  const { name, hash_proof: proof, card_json: card, policy_yaml: policy } = body;
  const details: unknown[] = [];
  if (typeof name !== 'string' || !NAME.test(name)) details.push({ field: 'name', message: '2-32 letters, digits or hyphens; starts and ends with a letter or digit' });
  if (typeof proof !== 'string' || !/^[0-9a-f]{16,}$/.test(proof)) details.push({ field: 'hash_proof', message: 'at least 16 lowercase hex characters' });
  if (card !== undefined && (typeof card !== 'object' || card === null || Array.isArray(card))) details.push({ field: 'card_json', message: 'must be an object' });
  if (policy !== undefined && typeof policy !== 'string') details.push({ field: 'policy_yaml', message: 'must be a string' });
  if (details.length > 0) return invalid('the request is not valid', details);

  const agentHash = (proof as string).slice(0, 16);
  if (state.agents.some((a) => a.agentHash === agentHash)) {
    return reply(409, { error: { code: 'conflict', message: 'agent already exists', details: { agent_hash: agentHash } } });
  }
  const agent = {
    id: `mnm-${randomUUID()}`,
    name: name as string,
    agentHash,
    principal,
    createdAt: new Date(req.now).toISOString(),
    cardId: card !== undefined ? `card-${hex(6)}` : null,
    policyCreated: typeof policy === 'string',
  };
  state.agents.push(agent);
  return reply(201, {
    id: agent.id,
    agent_hash: agent.agentHash,
    name: agent.name,
    created_at: agent.createdAt,
    card_id: agent.cardId,
    policy_created: agent.policyCreated,
  });
}
