import { randomUUID } from 'node:crypto';
import { HttpClient } from './http.js';
import { agentList, createdAgent, type AgentList, type CreatedAgent } from './schemas.js';

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
  card_json?: Record<string, unknown>;
  policy_yaml?: string;
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
      timeoutMs: options.timeoutMs,
      env: options.env,
      headers: credential.kind === 'bearer' ? { authorization: `Bearer ${credential.token}` } : { 'x-mnemom-api-key': credential.key },
      secrets: [secret, ...(options.extraSecrets ?? [])],
      authHint: `The Mnemom credential from ${credential.source} was rejected: check it, or store a new key with \`t0ken agent login --with-token\`.`,
      trace: options.trace,
    });
  }

  /** Every mutation carries a fresh Idempotency-Key, reused by its own retries. */
  createAgent(body: CreateAgentBody, idempotencyKey: string = randomUUID()): Promise<CreatedAgent> {
    return this.http.post('/agents', { what: 'agent create', json: body, schema: createdAgent, headers: { 'idempotency-key': idempotencyKey } });
  }

  listAgents(): Promise<AgentList> {
    return this.http.get('/agents', { what: 'agent list', schema: agentList });
  }
}
