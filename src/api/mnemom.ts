import { lazyRequire } from '../platform/lazy-require.js';
import type { JsonText } from '../core/json-text.js';
import { HttpClient } from './http.js';
import {
  agentDetail,
  agentList,
  claimAnswer,
  createdAgent,
  rekeyAnswer,
  type AgentDetail,
  type AgentList,
  type ClaimAnswer,
  type CreatedAgent,
  type RekeyAnswer,
} from './schemas.js';

export type MnemomCredential =
  | { kind: 'bearer'; token: string; source: string }
  | { kind: 'api-key'; key: string; source: string };

export interface MnemomClientOptions {
  baseUrl: string;
  timeoutMs: number;
  env: NodeJS.ProcessEnv;
  credential: MnemomCredential;
  extraSecrets?: readonly string[];
  trace?: ((line: string) => void) | undefined;
}

export interface CreateAgentBody {
  name: string;
  hash_proof: string;
  /** The card file's own text (its numbers as written), a JSON object. */
  card_json?: JsonText;
  policy_yaml?: string;
}

export interface ClaimAgentBody {
  hash_proof: string;
  org_id?: string;
}

/** The API version this client speaks, sent on every request. */
export const MNEMOM_API_VERSION = '2026-04-13';

/** The answer header that names a request, for support. */
export const MNEMOM_REQUEST_ID_HEADER = 'x-mnemom-request-id';

/**
 * A fresh UUIDv4 for an Idempotency-Key. node:crypto is required here, on the first mutation, not
 * when the module loads: read-only commands (`agent list`, `agent show`) never pay for it.
 */
export function newIdempotencyKey(): string {
  return (lazyRequire('node:crypto') as typeof import('node:crypto')).randomUUID();
}

/** One function per Mnemom endpoint. */
export class MnemomApi {
  private readonly http: HttpClient;

  constructor(options: MnemomClientOptions) {
    const { credential } = options;
    const secret = credential.kind === 'bearer' ? credential.token : credential.key;
    this.http = new HttpClient({
      service: 'Mnemom',
      baseUrl: options.baseUrl,
      urlVariable: 'MNEMOM_API_URL',
      timeoutMs: options.timeoutMs,
      env: options.env,
      headers: {
        ...(credential.kind === 'bearer' ? { authorization: `Bearer ${credential.token}` } : { 'x-mnemom-api-key': credential.key }),
        'x-mnemom-version': MNEMOM_API_VERSION,
      },
      secrets: [secret, ...(options.extraSecrets ?? [])],
      authHint: `The Mnemom credential from ${credential.source} was rejected: check it, or store a new key with \`t0ken agent login --with-token\`.`,
      trace: options.trace,
      requestIdHeader: MNEMOM_REQUEST_ID_HEADER,
    });
  }

  /** Every mutation carries a fresh Idempotency-Key, reused by its own retries. */
  createAgent(body: CreateAgentBody, idempotencyKey: string = newIdempotencyKey()): Promise<CreatedAgent> {
    return this.http.post('/agents', { what: 'agent create', json: body, schema: createdAgent, headers: { 'idempotency-key': idempotencyKey } });
  }

  listAgents(): Promise<AgentList> {
    return this.http.get('/agents', { what: 'agent list', schema: agentList });
  }

  getAgent(id: string): Promise<AgentDetail> {
    return this.http.get(`/agents/${encodeURIComponent(id)}`, { what: `agent ${id}`, schema: agentDetail });
  }

  claimAgent(id: string, body: ClaimAgentBody, idempotencyKey: string = newIdempotencyKey()): Promise<ClaimAnswer> {
    return this.http.post(`/agents/${encodeURIComponent(id)}/claim`, { what: 'agent claim', json: body, schema: claimAnswer, headers: { 'idempotency-key': idempotencyKey } });
  }

  rekeyAgent(id: string, newKeyHash: string, idempotencyKey: string = newIdempotencyKey()): Promise<RekeyAnswer> {
    return this.http.post(`/agents/${encodeURIComponent(id)}/rekey`, {
      what: 'agent rekey',
      json: { new_key_hash: newKeyHash },
      schema: rekeyAnswer,
      headers: { 'idempotency-key': idempotencyKey },
    });
  }
}
