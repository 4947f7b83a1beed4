import type { Socket } from 'node:net';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { sanitizeLine } from '../core/sanitize.js';
import { lazyRequire } from '../platform/lazy-require.js';
import { HttpWireError, requestHead, type WireAnswer } from '../core/http1.js';
import { readAnswer, requestAnswer, wireError } from './answer.js';
import { proxyConfigured, proxyFor, type ProxyChoice } from './proxy.js';
import { TransportError, type TransportRequest, type TransportResponse } from './transport-types.js';

/**
 * One HTTP exchange, no retries, on node:net/tls and our own HTTP/1.1 reader (core/http1.ts: Node's
 * fetch costs ~160 ms per process to load, node:http a tenth of a command's start-up), for every URL. We open the connection ourselves, so every path (direct, loopback, or
 * through an HTTP proxy's CONNECT tunnel) gets the same certificate checks, the same answer limits
 * (answer.ts: the exchange is cut as soon as the answer passes one) and the same deadline. The certificate is checked
 * before a single byte of the request is written, so we can say what is wrong with it (expired, for
 * another host, from an unknown authority). Redirects are never followed: a 3xx is returned as is.
 */

export function send(request: TransportRequest): Promise<TransportResponse> {
  // proxyFor throws a usage error (exit 2) for a malformed proxy variable, before anything is sent.
  const proxy = proxyConfigured(request.env) ? proxyFor(request.url, request.env) : undefined;
  return exchange(request, proxy);
}

function exchange(request: TransportRequest, proxy: ProxyChoice | undefined): Promise<TransportResponse> {
  const sockets = new Set<Socket>();
  return new Promise<TransportResponse>((resolve, reject) => {
    let settled = false;
    const finish = (error: unknown, response?: TransportResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (response) {
        closeLater(sockets);
        resolve(response);
      } else {
        for (const socket of sockets) socket.destroy();
        reject(classify(error, proxy));
      }
    };
    // Until the tunnel is open, time runs out at the proxy: say so (it was "t0ken did not answer").
    const stage = { atProxy: proxy !== undefined };
    const timer = setTimeout(
      () =>
        finish(
          stage.atProxy && proxy
            ? new TransportError('proxy', 'ETIMEDOUT', `the proxy ${proxy.display} (from ${proxy.variable}) did not answer the CONNECT within ${request.timeoutMs / 1000} s`,
              `Check that ${proxy.variable} names an HTTP proxy that is up (http:// for a proxy that speaks plain HTTP), or unset it.`)
            : new TransportError('timeout', 'ETIMEDOUT', `no complete answer within ${request.timeoutMs} ms`),
        ),
      request.timeoutMs,
    );
    const track: Track = (socket, errors = true) => {
      sockets.add(socket);
      if (errors) socket.on('error', (error) => finish(error));
      return socket;
    };

    if (proxy) request.trace?.(`* through the proxy ${proxy.display} (from ${proxy.variable})`);
    openSocket(request.url, proxy, track, request.trace, () => (stage.atProxy = false))
      .then((socket) => {
        if (settled) return;
        requestAnswer(request, socket, (error, response) => finish(error, response));
      })
      .catch((error: unknown) => finish(error));
  });
}

/**
 * After a complete answer the sockets are closed on the event loop's next turn, not at once, and
 * hold the process open no longer: Node's Socket#destroy reads `process.stderr` (net.js `_destroy`),
 * and that builds the stderr stream (about 1 M instructions of `stats`, whose streams code is loaded
 * already). The CLI exits before that turn comes (it writes its output synchronously); a caller
 * that stays (the tests, runCli in-process) gets them closed as before.
 */
function closeLater(sockets: Set<Socket>): void {
  for (const socket of sockets) socket.unref();
  setImmediate(() => {
    for (const socket of sockets) socket.destroy();
  });
}

/** Remembers a socket so the end of the exchange destroys it; with `errors`, its error ends the exchange. */
type Track = <S extends Socket>(socket: S, errors?: boolean) => S;

/** A connected socket to the target, TLS already verified for https. */
async function openSocket(url: URL, proxy: ProxyChoice | undefined, track: Track, trace?: (line: string) => void, tunnelOpen?: () => void): Promise<Socket> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  let socket: Socket;
  if (proxy) {
    socket = await tunnel(proxy, host, port, track);
    tunnelOpen?.();
  } else {
    if (url.protocol === 'https:') return secure({ host, port }, host, track, trace);
    const net = lazyRequire('node:net') as typeof import('node:net');
    socket = track(net.connect({ host, port }));
    await once(socket, 'connect');
  }
  return url.protocol === 'https:' ? secure({ socket }, host, track, trace) : socket;
}

/** TLS over `via` (host/port, or a tunnel), verified by hand so a failure can be explained. */
async function secure(via: { host: string; port: number } | { socket: Socket }, host: string, track: Track, trace?: (line: string) => void): Promise<TLSSocket> {
  const tls = lazyRequire('node:tls') as typeof import('node:tls');
  const net = lazyRequire('node:net') as typeof import('node:net');
  const socket = track(
    tls.connect({
      ...via,
      servername: net.isIP(host) ? undefined : host, // SNI takes names only
      // Verified below, before anything is written: Node's own check would only give us a code.
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined, // done below, with the host we mean (a tunnel has none)
      ALPNProtocols: ['http/1.1'],
    }),
  );
  await once(socket, 'secureConnect');
  const cert = socket.getPeerCertificate();
  trace?.(`* certificate ${nameOf(cert.subject) ?? '(no name)'} from ${nameOf(cert.issuer) ?? '(no issuer)'}, valid until${dateOf(cert.valid_to, ' ') || ' ?'}`);
  if (!socket.authorized) throw certificateError(String(socket.authorizationError ?? 'UNKNOWN'), cert, host);
  const identity = tls.checkServerIdentity(host, cert);
  if (identity) throw wrongHostError(host, cert);
  return socket;
}

/** An HTTP CONNECT tunnel through the proxy to host:port. */
async function tunnel(proxy: ProxyChoice, host: string, port: number, track: Track): Promise<Socket> {
  const net = lazyRequire('node:net') as typeof import('node:net');
  const authority = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const headers: Record<string, string> = { host: authority };
  if (proxy.authorization) headers['proxy-authorization'] = proxy.authorization;
  const proxyHost = proxy.url.hostname.replace(/^\[|\]$/g, '');
  const proxyPort = Number(proxy.url.port || (proxy.url.protocol === 'https:' ? 443 : 80));
  let socket: Socket;
  let answer: WireAnswer;
  // Until the tunnel is open, a failure is the proxy's: its socket's errors are read here, not by the exchange.
  try {
    if (proxy.url.protocol === 'https:') {
      const tls = lazyRequire('node:tls') as typeof import('node:tls');
      socket = track(tls.connect({ host: proxyHost, port: proxyPort, servername: net.isIP(proxyHost) ? undefined : proxyHost, ALPNProtocols: ['http/1.1'] }), false);
      await once(socket, 'secureConnect');
    } else {
      socket = track(net.connect({ host: proxyHost, port: proxyPort }), false);
      await once(socket, 'connect');
    }
    answer = await readAnswer(socket, Buffer.from(requestHead('CONNECT', authority, headers), 'latin1'), true);
  } catch (error) {
    throw proxyError(proxy, error as Error);
  }
  track(socket);
  const status = answer.status;
  if (status !== 200) {
    const statusLine = `${status}${answer.statusText ? ` ${sanitizeLine(answer.statusText).slice(0, 80)}` : ''}`;
    if (status === 407 || status === 401) { // tinyproxy answers a wrong password with 401
      throw new TransportError(
        'proxy',
        'PROXY_AUTH',
        proxy.authorization
          ? `the proxy ${proxy.display} (from ${proxy.variable}) rejected the user name and password in ${proxy.variable} (${statusLine})`
          : `the proxy ${proxy.display} (from ${proxy.variable}) asks for a user name and password (${statusLine})`,
        proxy.authorization
          ? `Check the user name and password in ${proxy.variable} (characters such as @ : / in them are written %40 %3A %2F).`
          : `Put them in the proxy URL: ${proxy.variable}=http://USER:PASSWORD@${proxy.url.host}`,
      );
    }
    throw new TransportError('proxy', `PROXY_${status}`, `the proxy ${proxy.display} (from ${proxy.variable}) would not open a tunnel to ${authority} (${statusLine})`,
      `Check that the proxy allows connections to ${authority}, or exempt the host with NO_PROXY.`);
  }
  return socket;
}

function once(socket: Socket, event: 'connect' | 'secureConnect'): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once(event, () => {
      socket.off('error', reject);
      resolve();
    });
    socket.once('error', reject);
  });
}

function classify(error: unknown, proxy: ProxyChoice | undefined): unknown {
  if (error instanceof TransportError) return error;
  const wire = wireError(error);
  if (wire instanceof TransportError) return wire;
  if (!(error instanceof Error)) return new TransportError('network', undefined, String(error));
  const code = errorCode(error);
  if (code !== undefined && (code.startsWith('ERR_SSL_') || code === 'EPROTO' || code.startsWith('ERR_TLS_'))) {
    return new TransportError('tls', code, `the TLS handshake failed (${code})`, 'The server may not speak TLS on this port, or needs a TLS version Node does not offer.');
  }
  if (code === 'ECONNREFUSED' && proxy === undefined) return new TransportError('refused', code, error.message);
  return new TransportError('network', code, error.message);
}

function proxyError(proxy: ProxyChoice, error: Error): TransportError {
  const code = errorCode(error);
  if (error instanceof HttpWireError && error.kind === 'malformed') {
    // It was reached: what answered the CONNECT is not an HTTP proxy (another service on that port).
    const what = code === 'HPE_INVALID_CONSTANT' ? 'something other than HTTP' : `a malformed HTTP answer (${error.message})`;
    return new TransportError('proxy', code, `the proxy ${proxy.display} (from ${proxy.variable}) answered the CONNECT with ${what}`,
      `Check that ${proxy.variable} names an HTTP proxy's host and port, or unset it.`);
  }
  const what = code === 'ECONNREFUSED' ? 'refused the connection' : `could not be reached (${code ?? 'network error'})`;
  return new TransportError('proxy', code, `the proxy ${proxy.display} (from ${proxy.variable}) ${what}`, `Check that the proxy is running, or fix or unset ${proxy.variable}.`);
}

const UNKNOWN_ISSUER = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
]);

/** What to do about an unknown authority: set NODE_EXTRA_CA_CERTS, or, when it is set, check the file it names. */
export function extraCaHint(extraCerts: string | undefined): string {
  if (extraCerts === undefined || extraCerts === '') {
    return 'If your network or company uses its own certificate authority, point NODE_EXTRA_CA_CERTS at its PEM file (export NODE_EXTRA_CA_CERTS=/path/to/ca.pem) and try again.';
  }
  return `NODE_EXTRA_CA_CERTS is set (${JSON.stringify(extraCerts.slice(0, 120))}) but gave no authority that signed this certificate: check that it is a readable PEM file holding that CA (Node skips a file it cannot load, with a warning of its own).`;
}

function certificateError(code: string, cert: PeerCertificate, host: string): TransportError {
  if (UNKNOWN_ISSUER.has(code)) {
    const issuer = nameOf(cert.issuer) ?? 'an unnamed authority';
    return new TransportError(
      'tls',
      code,
      `the certificate of ${host} is signed by ${issuer}, which this machine does not trust (${code})`,
      extraCaHint(process.env.NODE_EXTRA_CA_CERTS), // Node reads the variable at its start: this process's own, not a test's io
    );
  }
  if (code === 'CERT_HAS_EXPIRED') {
    return new TransportError('tls', code, `the certificate of ${host} expired${dateOf(cert.valid_to, ' on ')} (${code})`,
      `The server's certificate must be renewed. If it should still be valid, check this machine's clock (it says ${utc(new Date())}).`);
  }
  if (code === 'CERT_NOT_YET_VALID') {
    return new TransportError('tls', code, `the certificate of ${host} is not valid before${dateOf(cert.valid_from, ' ')} (${code})`,
      `Check this machine's clock (it says ${utc(new Date())}).`);
  }
  return new TransportError('tls', code, `the certificate of ${host} was rejected (${sanitizeLine(code).slice(0, 60)})`, 'Check the API URL variable; --debug shows the exchange.');
}

function wrongHostError(host: string, cert: PeerCertificate): TransportError {
  const names = (cert.subjectaltname ?? '')
    .split(',')
    .map((name) => name.trim().replace(/^(DNS|IP Address):/, ''))
    .filter(Boolean);
  const common = nameOf(cert.subject);
  const shown = names.length > 0 ? names : common ? [common] : [];
  const list = shown.slice(0, 8).map((name) => sanitizeLine(name).slice(0, 100)).join(', ') + (shown.length > 8 ? `, and ${shown.length - 8} more` : '');
  return new TransportError(
    'tls',
    'ERR_TLS_CERT_ALTNAME_INVALID',
    `the certificate presented by ${host} is not for ${host}: it is for ${list || 'no host name at all'}`,
    'Check the host in the API URL variable (T0KEN_API_URL / MNEMOM_API_URL): it must be a name the certificate lists.',
  );
}

function nameOf(entity: PeerCertificate['issuer'] | undefined): string | undefined {
  if (!entity) return undefined;
  const pick = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
  const name = pick(entity.CN) ?? pick(entity.O);
  return name ? `"${sanitizeLine(name).slice(0, 100)}"` : undefined;
}

function dateOf(text: string | undefined, lead: string): string {
  const time = text ? Date.parse(text) : Number.NaN;
  return Number.isNaN(time) ? '' : `${lead}${utc(new Date(time))}`;
}

function utc(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
