import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, dirname, join, resolve as resolvePath } from 'node:path';
import { isCliError, stateError } from '../core/errors.js';
import { describeErrno } from '../platform/fs/errno.js';
import { holdFileLock } from '../platform/fs/lock.js';
import { BodyTooLarge, MAX_BODY_BYTES, lowerHeaders, parseObject, readBody, sendJson, type RecordedRequest, type Reply } from './http-util.js';
import { handleMnemom, mnemomAnswerHeaders, MNEMOM_TAIL } from './mnemom-routes.js';
import { SandboxState } from './state.js';
import { loadStateFile, saveStateFile } from './state-file.js';
import { handleT0ken, T0KEN_ROUTES } from './t0ken-routes.js';

export type { RecordedRequest } from './http-util.js';

export interface SandboxOptions {
  port?: number;
  host?: string;
  codeTtlMs?: number;
  reinitCooldownMs?: number;
  maxCodeAttempts?: number;
  now?: () => number;
  /** Mnemom calls allowed per credential per window before 429 (default 600 a minute). */
  mnemomRateLimit?: number;
  mnemomRateWindowMs?: number;
  /** Keep the state in this file (loaded at start, saved after every request), not only in memory. */
  statePath?: string;
  /** Called on every request (the background sandbox's idle timer). */
  onRequest?: () => void;
}

export interface RawResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface Sandbox {
  url: string;
  t0kenUrl: string;
  mnemomUrl: string;
  requests: RecordedRequest[];
  /** The next `count` requests get this raw answer instead of normal handling (fault injection). */
  failNext(count: number, response: RawResponse): void;
  /** What the gateway does on an agent's first call: an unclaimed agent (as POST /_sandbox/gateway-agents). */
  gatewayAgent(input: { hash_proof: string; name?: string; org_id?: string }): { status: number; body: Record<string, unknown> };
  close(): Promise<void>;
}

/**
 * A local implementation of both APIs on one node:http server. Routes match on the path's tail,
 * so any prefix works: `${url}/api/v1` and `${url}/tenant-7/api/v1` are both t0ken APIs.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const held = options.statePath === undefined ? undefined : holdStateFile(options.statePath);
  let state: SandboxState;
  try {
    state = options.statePath === undefined ? new SandboxState() : loadStateFile(options.statePath);
  } catch (error) {
    held?.release();
    throw error;
  }
  const now = options.now ?? Date.now;
  const rules = {
    codeTtlMs: options.codeTtlMs ?? 10 * 60_000,
    reinitCooldownMs: options.reinitCooldownMs ?? 60_000,
    maxCodeAttempts: options.maxCodeAttempts ?? 5,
    now,
  };
  const mnemomRules = { rateLimit: options.mnemomRateLimit ?? 600, rateWindowMs: options.mnemomRateWindowMs ?? 60_000 };
  const requests: RecordedRequest[] = [];
  const faults: RawResponse[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    const headers = lowerHeaders(req);
    const method = req.method ?? 'GET';
    const path = url.pathname.replace(/\/+$/, '');
    const isT0ken = T0KEN_ROUTES.some((route) => path.endsWith(route));
    const mnemomTail = isT0ken ? undefined : MNEMOM_TAIL.exec(path)?.[1];
    // Every Mnemom answer, errors included, names its request and the API version.
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      sendJson(res, status, body, mnemomTail === undefined ? headers : { ...mnemomAnswerHeaders(), ...headers });
    let bodyText = '';
    try {
      bodyText = await readBody(req);
    } catch (error) {
      requests.push({ method, path: url.pathname + url.search, headers, body: '' });
      if (error instanceof BodyTooLarge) return send(413, { success: false, error: { code: 'payload_too_large', message: `the body is over ${MAX_BODY_BYTES / 1024} KiB` } });
      throw error;
    }
    requests.push({ method, path: url.pathname + url.search, headers, body: bodyText });
    options.onRequest?.();

    const fault = faults.shift();
    if (fault) {
      res.writeHead(fault.status, { 'content-type': 'application/json; charset=utf-8', ...fault.headers });
      res.end(fault.body ?? '');
      return;
    }

    const parsed = parseObject(bodyText);
    if (parsed === 'invalid') return send(400, { success: false, error: { code: 'invalid_json', message: 'the body must be a JSON object' } });

    let answer: Reply;
    const t0kenRoute = T0KEN_ROUTES.find((route) => path.endsWith(route));
    if (t0kenRoute) {
      answer = handleT0ken(state, rules, { method, tail: t0kenRoute, query: url.searchParams, headers, body: parsed });
    } else if (mnemomTail !== undefined) {
      answer = handleMnemom(state, mnemomRules, { method, tail: mnemomTail, headers, bodyText, body: parsed, now: now() });
    } else {
      answer = { status: 404, body: { success: false, error: { code: 'not_found', message: `no route for ${method} ${url.pathname}` } } };
    }
    if (options.statePath !== undefined) {
      try {
        saveStateFile(options.statePath, state);
      } catch (error) {
        return send(500, { success: false, error: { code: 'sandbox_state', message: `the sandbox could not save its state to ${options.statePath}: ${(error as Error).message}` } });
      }
    }
    send(answer.status, answer.body, answer.headers);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { success: false, error: { code: 'internal', message: 'sandbox error' } });
      else res.destroy();
    });
  });
  server.on('clientError', (_error, socket) => socket.destroy());

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? state.port ?? 0, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    held?.release();
    throw error;
  }
  const address = server.address() as AddressInfo;
  if (options.statePath !== undefined && state.port !== address.port) {
    state.port = address.port;
    try {
      saveStateFile(options.statePath, state);
    } catch (error) {
      server.close();
      held?.release();
      throw stateFileError(error, 'write', resolvePath(options.statePath));
    }
  }
  // Bound to every interface (0.0.0.0, ::): print the loopback address, the one t0ken accepts over http://.
  const reachable = address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? '::1' : address.address;
  const host = address.family === 'IPv6' ? `[${reachable}]` : reachable;
  const url = `http://${host}:${address.port}`;
  return {
    url,
    t0kenUrl: `${url}/api/v1`,
    mnemomUrl: `${url}/v1`,
    requests,
    failNext(count, response) {
      for (let i = 0; i < count; i++) faults.push(response);
    },
    gatewayAgent(input) {
      const bodyText = JSON.stringify(input);
      const answer = handleMnemom(state, mnemomRules, { method: 'POST', tail: '/_sandbox/gateway-agents', headers: {}, bodyText, body: input, now: now() });
      return { status: answer.status, body: answer.body as Record<string, unknown> };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          held?.release();
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}

/** A file-system error at the state file: exit 7, with a way out that is about --state (not the config directory's). */
function stateFileError(error: unknown, action: string, path: string): Error {
  if (isCliError(error)) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? `its directory ${dirname(path)} does not exist` : describeErrno(error);
  return stateError(`could not ${action} the sandbox state file ${path}: ${why}`, 'Give --state a file in a directory you can write (the file is created when missing), e.g. --state ./sandbox-state.json.', error);
}

/** One sandbox to a state file: two would each save their own world over the other's. */
function holdStateFile(statePath: string): { release: () => void } {
  const path = resolvePath(statePath);
  const lockPath = join(dirname(path), `.${basename(path)}.t0ken-lock`);
  let held: ReturnType<typeof holdFileLock>;
  try {
    held = holdFileLock(lockPath);
  } catch (error) {
    throw stateFileError(error, 'use', path);
  }
  if ('release' in held) return held;
  const pid = held.holder.split(' ')[0];
  throw stateError(`another sandbox (pid ${pid}) keeps its state in ${path}`, `Stop it first (kill ${pid}), or give this one another --state file.`);
}
