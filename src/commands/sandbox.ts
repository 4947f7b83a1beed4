import type { Context } from '../context.js';
import { usageError } from '../core/errors.js';
import { isLoopbackHost } from '../core/url.js';
import { parsePort } from '../core/validate.js';
import { startSandbox } from '../sandbox/server.js';

interface SandboxCommandOptions {
  port?: string;
  host?: string;
  codeTtl?: string;
}

/** Runs both APIs locally until SIGINT/SIGTERM. */
export async function run(ctx: Context, options: SandboxCommandOptions): Promise<void> {
  const port = parsePort(options.port ?? '0');
  const host = options.host ?? '127.0.0.1';
  // An empty --host makes Node listen on every interface, under a warning that named nothing.
  if (host.trim() === '') throw usageError('--host needs an address', 'For example --host 127.0.0.1 (the default), or --host 0.0.0.0 to listen on every interface.');
  const codeTtlMs = options.codeTtl === undefined ? undefined : Number(options.codeTtl) * 1000;
  if (codeTtlMs !== undefined && !(codeTtlMs > 0)) throw usageError('invalid --code-ttl: give seconds greater than 0', 'For example --code-ttl 5.');
  if (!isLoopbackHost(host)) ctx.out.warn(`binding ${host}: the sandbox is reachable from other machines; it has no real security`);

  let sandbox;
  try {
    sandbox = await startSandbox({ port, host, ...(codeTtlMs === undefined ? {} : { codeTtlMs }) });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw usageError(`cannot listen on ${host}:${port} (${code ?? (error as Error).message})`, 'Pick another --port, or --port 0 for a free one.');
  }
  ctx.out.result(
    { t0ken_api_url: sandbox.t0kenUrl, mnemom_api_url: sandbox.mnemomUrl, url: sandbox.url },
    () => `export T0KEN_API_URL=${sandbox.t0kenUrl}\nexport MNEMOM_API_URL=${sandbox.mnemomUrl}`,
  );
  ctx.out.info(`t0ken sandbox listening on ${sandbox.url} (state in memory; stop it with Ctrl-C, or \`kill ${process.pid}\` when it runs in the background).`);
  ctx.out.info('Mnemom credential for the sandbox: any MNEMOM_API_KEY of the form mnm_ plus 16 or more letters, digits, _ or -.');
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
