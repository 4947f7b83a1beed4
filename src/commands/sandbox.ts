import type { CommandSpec } from '../core/command-spec.js';
import { quoteGiven } from '../core/mask.js';
import type { Context } from '../context.js';
import { CliError, usageError } from '../core/errors.js';
import { Exit, type ExitCode } from '../core/exit-codes.js';
import { isLoopbackHost } from '../core/url.js';
import { parsePort } from '../core/validate.js';
import { BackgroundStartError, startInBackground } from '../platform/background.js';
import { startSandbox } from '../sandbox/server.js';

export const spec: CommandSpec = {
  path: ['sandbox'],
  group: 'Tools:',
  summary: 'run both APIs locally for demos and tests',
  description: 'Run a local implementation of the t0ken and Mnemom APIs. Prints the export lines that point t0ken at it (and T0KEN_SANDBOX_PID, its process id).',
  options: [
    { flags: '--port <n>', description: 'port to listen on (default: a free port)' },
    { flags: '--host <addr>', description: 'address to bind (default: 127.0.0.1)' },
    { flags: '--state <file>', description: 'keep accounts and agents in this file, so a restart is not a new world (default: in memory)' },
    { flags: '--background', description: 'start it in the background and return once it listens' },
    { flags: '--code-ttl <seconds>', description: 'claim code lifetime', hidden: true },
    { flags: '--stop-when-idle <seconds>', description: 'stop after this long without a request', hidden: true },
  ],
  examples: ['t0ken sandbox', 't0ken sandbox --background > sandbox.env', 'source sandbox.env', 'kill $T0KEN_SANDBOX_PID', 't0ken sandbox --state ~/sandbox-state.json --port 8787'],
  // One line: the help wraps it to the terminal's width (a line break here was kept as well, mid-sentence).
  helpAfter: '\n\nIn the foreground it runs until Ctrl-C or kill (exit 0). --background returns once it listens; source its export lines (bash, zsh and fish alike) and stop it with kill $T0KEN_SANDBOX_PID (it stops by itself after an hour without a request).',
};

interface SandboxCommandOptions {
  port?: string;
  host?: string;
  state?: string;
  background?: boolean;
  codeTtl?: string;
  stopWhenIdle?: string;
}

/** A background sandbox nobody uses any more stops by itself after this long without a request. */
const BACKGROUND_IDLE_SECONDS = 3600;

/** Runs both APIs locally until SIGINT/SIGTERM, or starts them in the background and returns. */
export async function run(ctx: Context, options: SandboxCommandOptions): Promise<void> {
  const port = options.port === undefined ? undefined : parsePort(options.port);
  const host = options.host ?? '127.0.0.1';
  // An empty --host makes Node listen on every interface, under a warning that named nothing.
  if (host.trim() === '') throw usageError('--host needs an address', 'For example --host 127.0.0.1 (the default), or --host 0.0.0.0 to listen on every interface.');
  const codeTtlMs = options.codeTtl === undefined ? undefined : Number(options.codeTtl) * 1000;
  if (codeTtlMs !== undefined && !(codeTtlMs > 0)) throw usageError('invalid --code-ttl: give seconds greater than 0', 'For example --code-ttl 5.');
  if (options.state === '') throw usageError('--state needs a file name', 'For example --state sandbox-state.json (created when missing).');
  const idleSeconds = options.stopWhenIdle === undefined ? undefined : parseIdleSeconds(options.stopWhenIdle);
  // Said once it listens: a failed start's one line is then its reason, not this warning.
  const warnExposed = () => {
    if (!isLoopbackHost(host)) ctx.out.warn(`binding ${host}: the sandbox is reachable from other machines; it has no real security`);
  };
  if (options.background) return runInBackground(ctx, options, warnExposed);

  let sandbox;
  try {
    sandbox = await startSandbox({
      ...(port === undefined ? {} : { port }),
      host,
      ...(codeTtlMs === undefined ? {} : { codeTtlMs }),
      ...(options.state === undefined ? {} : { statePath: options.state }),
      ...(idleSeconds === undefined ? {} : { onRequest: idleTimer(idleSeconds * 1000) }),
    });
  } catch (error) {
    if (error instanceof CliError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const where = port === undefined && options.state !== undefined ? `the port ${options.state} remembers` : `${host}:${port ?? 0}`;
    // EADDRNOTAVAIL: no interface of this machine has that address; ENOTFOUND: it is no address at all.
    // The port is not the problem either way.
    const hint = code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN'
      ? `No interface of this machine has the address ${host}: pass one it has with --host (127.0.0.1 by default).`
      : 'Pick another --port, or --port 0 for a free one.';
    throw usageError(`cannot listen on ${where} (${code ?? (error as Error).message})`, hint);
  }
  warnExposed();
  ctx.out.result(
    { t0ken_api_url: sandbox.t0kenUrl, mnemom_api_url: sandbox.mnemomUrl, url: sandbox.url, pid: process.pid },
    () => `export T0KEN_API_URL=${sandbox.t0kenUrl}\nexport MNEMOM_API_URL=${sandbox.mnemomUrl}\nexport T0KEN_SANDBOX_PID=${process.pid}`,
  );
  const where = isLoopbackHost(host) ? sandbox.url : `${host}:${new URL(sandbox.url).port} (every interface; from this machine ${sandbox.url})`;
  const kept = options.state === undefined ? 'state in memory: a restart starts empty' : `state kept in ${options.state}`;
  ctx.out.info(`t0ken sandbox listening on ${where} (${kept}; stop it with Ctrl-C, or \`kill ${process.pid}\` when it runs in the background).`);
  ctx.out.info('Mnemom credential for the sandbox: any MNEMOM_API_KEY of the form mnm_ plus 16 to 508 letters, digits, _ or -.');
  ctx.out.info(`Gateway-created (unclaimed) agents for \`t0ken agent claim\`: POST ${sandbox.mnemomUrl}/_sandbox/gateway-agents {"hash_proof", "name"?, "org_id"?}.`);

  // Ctrl-C or a kill is how the sandbox is meant to end: exit 0, not 130.
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.removeAllListeners('SIGINT');
      process.removeAllListeners('SIGTERM');
      ctx.out.info(`Stopping the sandbox (${signal}).`);
      void sandbox.close().then(resolve);
    };
    process.removeAllListeners('SIGINT');
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/** --stop-when-idle: whole seconds a timer can wait (Node's timers hold at most 2^31 - 1 ms, about 24 days). */
function parseIdleSeconds(value: string): number {
  const seconds = Number(value);
  if (!/^\d+$/.test(value.trim()) || !(seconds > 0) || seconds * 1000 > 2 ** 31 - 1) {
    throw usageError(`invalid --stop-when-idle ${quoteGiven(value)}: give whole seconds from 1 to 2147483`, 'For example --stop-when-idle 3600.');
  }
  return seconds;
}

/** SIGTERMs this process after `ms` without a request. */
function idleTimer(ms: number): () => void {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => process.kill(process.pid, 'SIGTERM'), ms);
    timer.unref();
  };
  arm();
  return arm;
}

/**
 * `--background`: the same sandbox in a detached process; returns once it listens, with its export
 * lines (T0KEN_SANDBOX_PID included, so any shell can stop it with `kill $T0KEN_SANDBOX_PID`).
 */
async function runInBackground(ctx: Context, options: SandboxCommandOptions, warnExposed: () => void): Promise<void> {
  const args = ['sandbox', '-q', '--stop-when-idle', String(BACKGROUND_IDLE_SECONDS)];
  for (const [flag, value] of [['--port', options.port], ['--host', options.host], ['--state', options.state], ['--code-ttl', options.codeTtl]] as const) {
    if (value !== undefined) args.push(flag, value);
  }
  let started;
  try {
    started = await startInBackground(args, (text) => /^export T0KEN_SANDBOX_PID=\d+$/m.test(text), 15_000);
  } catch (error) {
    // Its own exit status says what kind of failure it was (2 a usage error, 7 a state file); else 5.
    const status = error instanceof BackgroundStartError && error.status !== undefined && error.status >= 2 && error.status <= 7 ? error.status : Exit.network;
    throw new CliError('sandbox_failed', `the background sandbox did not start: ${(error as Error).message.replace(/^t0ken: /, '')}`, {
      exitCode: status as ExitCode,
      // Its own next step when it said one (kill the sandbox holding --state, another --port…).
      hint: (error instanceof BackgroundStartError && error.hint) || 'Run `t0ken sandbox` in the foreground with the same options to see why.',
    });
  }
  warnExposed();
  const value = (name: string) => new RegExp(`^export ${name}=(\\S+)$`, 'm').exec(started.output)?.[1] ?? '';
  const t0kenUrl = value('T0KEN_API_URL');
  ctx.out.result(
    { t0ken_api_url: t0kenUrl, mnemom_api_url: value('MNEMOM_API_URL'), url: t0kenUrl.replace(/\/api\/v1$/, ''), pid: started.pid },
    () => started.output.trimEnd(),
  );
  ctx.out.info(`t0ken sandbox running in the background (pid ${started.pid}) at ${t0kenUrl.replace(/\/api\/v1$/, '')}; stop it with \`kill ${started.pid}\` (it stops by itself after an hour without a request).`);
}
