import { createHash, randomUUID } from 'node:crypto';
import { hex, type SandboxAgent, type SandboxState } from './state.js';
import { reply, type Reply } from './http-util.js';

/**
 * The Mnemom agents API as the service behaves: a credential on every call, `X-Mnemom-Version`
 * checked and echoed, an `X-Mnemom-Request-Id` on every answer, validation (422), unknown agents
 * (404), conflicts (409), claims into organisations (403 `agent_org_not_member` with the claimable
 * ones), rekeys, idempotent replays of mutations, and a rate limit (429 with Retry-After).
 * `POST /_sandbox/gateway-agents` stands in for the gateway creating an agent on its first call.
 */

export interface MnemomRequest {
  method: string;
  /** The path's tail from `/agents` or `/_sandbox/…` on: `/agents`, `/agents/smolt-…/claim`. */
  tail: string;
  headers: Record<string, string>;
  bodyText: string;
  body: Record<string, unknown> | undefined;
  now: number;
}

export interface MnemomRules {
  /** At most this many calls per principal per window (then 429 with Retry-After). */
  rateLimit: number;
  rateWindowMs: number;
}

export const MNEMOM_VERSION = '2026-04-13';
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9-]{0,30}[a-zA-Z0-9]$/;
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const API_KEY = /^mnm_[A-Za-z0-9_-]{16,508}$/;
const PROOF = /^[0-9a-f]{16,64}$/;
// What a 422 says of a field that breaks NAME or PROOF: one wording wherever the rule applies.
const NAME_RULE = '2-32 letters, digits or hyphens; starts and ends with a letter or digit';
const PROOF_RULE = '16 to 64 lowercase hex characters';
const KEY_HASH = /^[0-9a-f]{16}$/;
export const SANDBOX_TEAM_ORG = { org_id: 'org-sandbox-team', name: 'Sandbox Team', is_personal: false } as const;

/** Which tails are Mnemom's: the server sends these here. */
export const MNEMOM_TAIL = /(\/agents(?:\/[^/]+(?:\/(?:claim|rekey))?)?|\/_sandbox\/gateway-agents)$/;

const error = (status: number, code: string, message: string, details?: unknown, headers?: Record<string, string>): Reply =>
  reply(status, { error: { code, message, ...(details === undefined ? {} : { details }) } }, headers);
const invalid = (details: Array<{ field: string; message: string }>): Reply => error(422, 'validation_error', 'the request is not valid', details);

/** The principal behind a credential, or undefined when it is missing or malformed. */
function principalOf(headers: Record<string, string>): string | undefined {
  const auth = headers.authorization;
  const bearer = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : undefined;
  const credential = bearer && JWT.test(bearer) ? `jwt:${bearer}` : headers['x-mnemom-api-key'] && API_KEY.test(headers['x-mnemom-api-key']) ? `key:${headers['x-mnemom-api-key']}` : undefined;
  return credential ? createHash('sha256').update(credential).digest('hex') : undefined;
}

/** The organisations a principal belongs to: its personal one and the shared sandbox team. */
export function orgsOf(principal: string): Array<{ org_id: string; name: string; is_personal: boolean }> {
  return [{ org_id: `org-${principal.slice(0, 12)}`, name: 'Personal', is_personal: true }, { ...SANDBOX_TEAM_ORG }];
}

const userIdOf = (principal: string): string => `user_${principal.slice(0, 12)}`;

/** Answers one Mnemom request; the server adds the request id and version headers. */
export function handleMnemom(state: SandboxState, rules: MnemomRules, req: MnemomRequest): Reply {
  const version = req.headers['x-mnemom-version'];
  if (version !== undefined && version !== MNEMOM_VERSION) {
    return error(400, 'unsupported_version', `X-Mnemom-Version ${JSON.stringify(version.slice(0, 40))} is not supported; use ${MNEMOM_VERSION}`);
  }
  if (req.tail === '/_sandbox/gateway-agents') {
    if (req.method !== 'POST') return error(405, 'method_not_allowed', 'use POST');
    return gatewayAgent(state, req);
  }

  const principal = principalOf(req.headers);
  if (!principal) return error(401, 'unauthorized', 'missing or invalid credential: send Authorization: Bearer <JWT> or X-Mnemom-Api-Key: mnm_…');
  const limited = rateLimit(state, rules, principal, req.now);
  if (limited) return limited;

  const parts = req.tail.split('/').filter(Boolean); // ['agents'], ['agents', id], ['agents', id, 'claim']
  if (parts.length === 1) {
    if (req.method === 'GET') return listAgents(state, principal);
    if (req.method === 'POST') return idempotent(state, principal, req, () => createAgent(state, principal, req));
    return error(405, 'method_not_allowed', 'use GET or POST');
  }
  let id: string;
  try {
    id = decodeURIComponent(parts[1]!);
  } catch {
    return error(400, 'invalid_agent_id', 'the agent id in the path is not valid percent-encoding');
  }
  if (parts.length === 2) {
    if (req.method !== 'GET') return error(405, 'method_not_allowed', 'use GET');
    const agent = state.agents.find((a) => a.id === id);
    // Another account's agent is as unknown as a missing one; an unclaimed one can be looked at.
    if (!agent || (agent.principal !== null && agent.principal !== principal)) return error(404, 'agent_not_found', `no agent ${JSON.stringify(id.slice(0, 60))}`);
    return reply(200, view(agent));
  }
  if (req.method !== 'POST') return error(405, 'method_not_allowed', 'use POST');
  return idempotent(state, principal, req, () => (parts[2] === 'claim' ? claimAgent(state, principal, id, req) : rekeyAgent(state, principal, id, req)));
}

function rateLimit(state: SandboxState, rules: MnemomRules, principal: string, now: number): Reply | undefined {
  const calls = (state.mnemomCalls.get(principal) ?? []).filter((t) => now - t < rules.rateWindowMs);
  if (calls.length >= rules.rateLimit) {
    const wait = Math.max(1, Math.ceil((rules.rateWindowMs - (now - calls[0]!)) / 1000));
    state.mnemomCalls.set(principal, calls);
    return error(429, 'rate_limited', `more than ${rules.rateLimit} requests in ${Math.round(rules.rateWindowMs / 1000)} s`, undefined, { 'retry-after': String(wait) });
  }
  calls.push(now);
  state.mnemomCalls.set(principal, calls);
  return undefined;
}

/** A replayed Idempotency-Key answers what the first request got; with another body it is refused. */
function idempotent(state: SandboxState, principal: string, req: MnemomRequest, handle: () => Reply): Reply {
  const key = req.headers['idempotency-key'];
  const slot = key ? `${principal}:${key}` : undefined;
  const fingerprint = `${req.tail}\n${req.bodyText}`;
  if (slot) {
    const previous = state.idempotency.get(slot);
    if (previous) {
      if (previous.bodyText !== fingerprint) return error(422, 'idempotency_mismatch', 'this Idempotency-Key was used with a different request');
      return reply(previous.status, previous.response, { 'idempotent-replayed': 'true' });
    }
  }
  const answer = handle();
  if (slot && answer.status < 500 && answer.status !== 429) state.idempotency.set(slot, { bodyText: fingerprint, status: answer.status, response: answer.body });
  return answer;
}

function view(agent: SandboxAgent): Record<string, unknown> {
  return {
    id: agent.id,
    agent_hash: agent.agentHash,
    name: agent.name,
    user_id: agent.principal === null ? null : userIdOf(agent.principal),
    email: null,
    claimed_at: agent.claimedAt,
    last_seen: agent.lastSeen,
    status: agent.principal === null ? 'unclaimed' : 'active',
    public: false,
    created_at: agent.createdAt,
  };
}

function listAgents(state: SandboxState, principal: string): Reply {
  const agents = state.agents
    .filter((a) => a.principal === principal)
    .map((a) => ({ id: a.id, name: a.name ?? '', agent_hash: a.agentHash, created_at: a.createdAt, claimed_at: a.claimedAt, last_seen_at: a.lastSeen }));
  return reply(200, { agents });
}

const conflictWith = (agent: SandboxAgent, message: string): Reply =>
  reply(409, { error: { code: 'conflict', message, details: { agent_hash: agent.agentHash, conflict_agent_id: agent.id } } });

function createAgent(state: SandboxState, principal: string, req: MnemomRequest): Reply {
  const body = req.body ?? {};
  const { name, hash_proof: proof, card_json: card, policy_yaml: policy } = body;
  const details: Array<{ field: string; message: string }> = [];
  if (typeof name !== 'string' || !NAME.test(name)) details.push({ field: 'name', message: NAME_RULE });
  if (typeof proof !== 'string' || !PROOF.test(proof)) details.push({ field: 'hash_proof', message: PROOF_RULE });
  if (card !== undefined && (typeof card !== 'object' || card === null || Array.isArray(card))) details.push({ field: 'card_json', message: 'must be an object' });
  if (policy !== undefined && typeof policy !== 'string') details.push({ field: 'policy_yaml', message: 'must be a string' });
  if (details.length > 0) return invalid(details);

  const agentHash = (proof as string).slice(0, 16);
  const existing = state.agents.find((a) => a.agentHash === agentHash);
  if (existing) return conflictWith(existing, 'an agent with this hash_proof already exists');
  const now = new Date(req.now).toISOString();
  const agent: SandboxAgent = {
    id: `mnm-${randomUUID()}`,
    name: name as string,
    agentHash,
    principal,
    createdAt: now,
    cardId: card !== undefined ? `card-${hex(6)}` : null,
    policyCreated: typeof policy === 'string',
    claimedAt: now,
    orgId: orgsOf(principal)[0]!.org_id,
    lastSeen: null,
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

/** The gateway's side: an agent appears, unclaimed, on the first call made with a provider key. */
function gatewayAgent(state: SandboxState, req: MnemomRequest): Reply {
  const { hash_proof: proof, name, org_id: orgId } = req.body ?? {};
  const details: Array<{ field: string; message: string }> = [];
  if (typeof proof !== 'string' || !PROOF.test(proof)) details.push({ field: 'hash_proof', message: PROOF_RULE });
  if (name !== undefined && name !== null && (typeof name !== 'string' || !NAME.test(name))) details.push({ field: 'name', message: NAME_RULE });
  if (orgId !== undefined && orgId !== null && typeof orgId !== 'string') details.push({ field: 'org_id', message: 'must be a string' });
  if (details.length > 0) return invalid(details);
  const agentHash = (proof as string).slice(0, 16);
  const existing = state.agents.find((a) => a.agentHash === agentHash);
  if (existing) return conflictWith(existing, 'an agent with this hash already exists');
  const now = new Date(req.now).toISOString();
  const agent: SandboxAgent = {
    id: `smolt-${hex(4)}`,
    name: typeof name === 'string' ? name : null,
    agentHash,
    principal: null,
    createdAt: now,
    cardId: null,
    policyCreated: false,
    claimedAt: null,
    orgId: null,
    requiredOrgId: typeof orgId === 'string' ? orgId : null,
    lastSeen: now,
  };
  state.agents.push(agent);
  return reply(201, view(agent));
}

function claimAgent(state: SandboxState, principal: string, id: string, req: MnemomRequest): Reply {
  const { hash_proof: proof, org_id: orgId } = req.body ?? {};
  const details: Array<{ field: string; message: string }> = [];
  if (typeof proof !== 'string' || !PROOF.test(proof)) details.push({ field: 'hash_proof', message: PROOF_RULE });
  if (orgId !== undefined && (typeof orgId !== 'string' || orgId === '')) details.push({ field: 'org_id', message: 'must be a non-empty string' });
  if (details.length > 0) return invalid(details);
  const agent = state.agents.find((a) => a.id === id);
  if (!agent || (agent.principal !== null && agent.principal !== principal)) {
    // Someone else's claimed agent: it exists, so claiming it again is a conflict, not a 404.
    if (agent) return error(409, 'already_claimed', 'this agent is already claimed by another account');
    return error(404, 'agent_not_found', `no agent ${JSON.stringify(id.slice(0, 60))}`);
  }
  if (agent.principal === principal) return error(409, 'already_claimed', 'this agent is already claimed by you');
  if ((proof as string).slice(0, 16) !== agent.agentHash) {
    return error(403, 'hash_proof_mismatch', 'the hash_proof does not match this agent: it must come from the provider key (and name) the gateway saw');
  }
  const orgs = orgsOf(principal);
  const wanted = typeof orgId === 'string' ? orgId : (agent.requiredOrgId ?? orgs[0]!.org_id);
  if (!orgs.some((o) => o.org_id === wanted) || (agent.requiredOrgId && agent.requiredOrgId !== wanted)) {
    const claimable = agent.requiredOrgId ? orgs.filter((o) => o.org_id === agent.requiredOrgId) : orgs;
    return error(403, 'agent_org_not_member', `you are not a member of the organisation ${JSON.stringify(wanted.slice(0, 60))}`, { claimable_orgs: claimable });
  }
  agent.principal = principal;
  agent.claimedAt = new Date(req.now).toISOString();
  agent.orgId = wanted;
  return reply(200, { ...view(agent), org_id: agent.orgId });
}

function rekeyAgent(state: SandboxState, principal: string, id: string, req: MnemomRequest): Reply {
  const body = req.body ?? {};
  const extra = Object.keys(body).filter((key) => key !== 'new_key_hash');
  const hash = body.new_key_hash;
  const details: Array<{ field: string; message: string }> = [];
  if (typeof hash !== 'string' || !KEY_HASH.test(hash)) details.push({ field: 'new_key_hash', message: 'exactly 16 lowercase hex characters' });
  for (const key of extra) details.push({ field: key, message: 'unexpected field: send only new_key_hash' });
  if (details.length > 0) return invalid(details);
  const agent = state.agents.find((a) => a.id === id);
  if (!agent || (agent.principal !== null && agent.principal !== principal)) return error(404, 'agent_not_found', `no agent ${JSON.stringify(id.slice(0, 60))}`);
  if (agent.principal === null) return error(403, 'agent_not_claimed', 'claim this agent before rekeying it');
  const other = state.agents.find((a) => a.agentHash === hash && a !== agent);
  if (other) {
    return reply(409, { error: { code: 'key_hash_conflict', message: 'another agent already has this key hash', details: { conflict_agent_id: other.id } } });
  }
  const at = new Date(req.now).toISOString();
  agent.agentHash = hash as string;
  agent.rekeyedAt = at;
  return reply(200, { success: true, agent_id: agent.id, rekeyed_at: at });
}

/** Headers of every Mnemom answer. */
export function mnemomAnswerHeaders(): Record<string, string> {
  return { 'x-mnemom-request-id': `req_${hex(12)}`, 'x-mnemom-version': MNEMOM_VERSION };
}
