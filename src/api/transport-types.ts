/** What one HTTP exchange takes and gives, how it fails, and the limits on an answer. */

export interface TransportRequest {
  method: 'GET' | 'POST';
  url: URL;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  env: NodeJS.ProcessEnv;
  /** --debug: how the connection was made (proxy, certificate). */
  trace?: ((line: string) => void) | undefined;
}

export interface TransportResponse {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * `tls`: the certificate or handshake failed; `proxy`: the proxy refused us (by connection or by
 * status); `malformed`: the answer is not one HTTP answer within the limits (never retried: the same
 * server sends it again).
 */
export type TransportFailureKind = 'timeout' | 'refused' | 'network' | 'tls' | 'proxy' | 'malformed';

export class TransportError extends Error {
  constructor(
    readonly kind: TransportFailureKind,
    readonly code: string | undefined,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

export const MAX_BODY_BYTES = 1024 * 1024;
/**
 * Everything read for one answer (interim answers, head, chunk framing, body). A 1 MiB body costs
 * little more; 1-byte chunks cost 6 bytes of framing per byte of body and one parser event each.
 */
export const MAX_WIRE_BYTES = 2 * MAX_BODY_BYTES;
/** One answer's head, and every interim (1xx) head of an answer together (node:http's maxHeaderSize). */
export const MAX_HEAD_BYTES = 16 * 1024;
