import { isLoopbackHost } from '../core/url.js';
import { HttpClient } from './http.js';
import { autoRegisterData, claimInitData, claimVerifyData, machineStatsData, t0kenEnvelope, type AutoRegisterData, type ClaimInitData, type ClaimVerifyData, type MachineStatsData } from './schemas.js';

export interface T0kenClientOptions {
  baseUrl: string;
  timeoutMs: number;
  env: NodeJS.ProcessEnv;
  apiKey?: string;
  /** The key is T0KEN_API_KEY's: a refusal is then about that variable first. */
  keyFromEnv?: boolean;
  trace?: ((line: string) => void) | undefined;
}

export type Platform = 'macos' | 'linux' | 'windows';

/**
 * What to do after a 401/403. The real service answers `register --force` with the same key, so that
 * only repairs a damaged copy; an API on this machine is a sandbox (or a test server), and one
 * restarted without --state has forgotten every key it issued: registering again is the way out.
 */
export function authHintFor(baseUrl: string, keyFromEnv = false): string {
  const local = isLoopbackHost(new URL(baseUrl).hostname);
  if (keyFromEnv) {
    // The variable first: it is what was sent (another machine's key, say), whatever the API.
    const sandbox = local ? ' A sandbox restarted without --state no longer knows the keys it issued: `t0ken register --force` registers with it again.' : '';
    return `The key refused is T0KEN_API_KEY's (another machine's or account's, or mistyped): check it, or unset it to use the key t0ken stores for this machine.${sandbox}`;
  }
  if (local) {
    return 'This API runs on this machine (a sandbox?): a sandbox restarted without --state no longer knows the accounts it issued. Run `t0ken register --force` to register with it again (start the sandbox with --state FILE to keep them next time). If T0KEN_API_KEY is set, check it or unset it.';
  }
  return 'If T0KEN_API_KEY is set, check it or unset it. Registering again does not get a new key: the service answers `t0ken register --force` with the same key for the same machine, so it only repairs a stored copy that was damaged; a key the service no longer accepts needs t0ken support.';
}

/** One function per t0ken endpoint. */
export class T0kenApi {
  private readonly http: HttpClient;

  constructor(options: T0kenClientOptions) {
    this.http = new HttpClient({
      service: 't0ken',
      baseUrl: options.baseUrl,
      urlVariable: 'T0KEN_API_URL',
      timeoutMs: options.timeoutMs,
      env: options.env,
      headers: options.apiKey ? { 'x-api-key': options.apiKey } : {},
      secrets: options.apiKey ? [options.apiKey] : [],
      authHint: authHintFor(options.baseUrl, options.keyFromEnv),
      trace: options.trace,
    });
  }

  /** `hostname` is left out when this machine has none worth sending (see identity/machine.ts). */
  autoRegister(body: { machine_fingerprint: string; platform: Platform; hostname?: string }): Promise<AutoRegisterData> {
    return this.http.post('/agents/auto-register', { what: 'auto-register', json: body, schema: t0kenEnvelope(autoRegisterData) });
  }

  claimInit(body: { machine_fingerprint: string; email: string }): Promise<ClaimInitData> {
    return this.http.post('/agents/claim/init', { what: 'the claim', json: body, schema: t0kenEnvelope(claimInitData) });
  }

  claimVerify(body: { machine_fingerprint: string; verification_code: string }): Promise<ClaimVerifyData> {
    return this.http.post('/agents/claim/verify', { what: 'the verification', json: body, schema: t0kenEnvelope(claimVerifyData) });
  }

  machineStats(machineFingerprint: string): Promise<MachineStatsData> {
    return this.http.get('/agents/machine-stats', {
      what: 'machine-stats',
      query: { machine_fingerprint: machineFingerprint },
      schema: t0kenEnvelope(machineStatsData),
    });
  }
}
