import { t0kenKeyForRequests } from '../core/validate.js';
import type { CommandSpec } from '../core/command-spec.js';
import { T0KEN_ENV } from '../core/environment.js';
import type { Context } from '../context.js';
import { T0kenApi } from '../api/t0ken.js';
import { CliError, isCliError } from '../core/errors.js';
import { withSpinner } from '../ui/spinner.js';
import { keyValueTable } from '../ui/table.js';
import { storeFor } from '../identity/store.js';
import { openT0kenSession } from '../identity/t0ken-session.js';
import { formatCount, formatLocalTime } from '../core/format.js';

export const spec: CommandSpec = {
  path: ['stats'],
  group: 'Machine account:',
  summary: 'show this machine account\'s statistics',
  description: 'Show memories, projects, API calls in the last 24 h and storage for this machine account.',
  examples: ['t0ken stats', 't0ken stats --json | jq .total_memories'],
  environment: [...T0KEN_ENV],
};

/** Machine statistics: a readable table, or the service's data object with --json. */
export async function run(ctx: Context): Promise<void> {
  const { api, fingerprint, envOnly } = await statsClient(ctx);
  const stats = await withSpinner(ctx, 'Fetching statistics…', () => api.machineStats(fingerprint)).catch((error: unknown) => {
    throw envOnly ? withFingerprintHint(error, fingerprint) : error;
  });
  ctx.out.result(stats, () =>
    keyValueTable(
      [
        ['memories', formatCount(stats.total_memories)],
        ['projects', formatCount(stats.total_projects)],
        ['api calls (24 h)', formatCount(stats.api_calls_24h)],
        ['storage used', String(stats.storage_used)],
        ['created', formatLocalTime(stats.created_at)],
      ],
      ctx.out.style.dim,
      ctx.out.width,
    ),
  );
}

/**
 * The stored account's client and the service's name for this machine; or, with T0KEN_API_KEY
 * and nothing stored, that key and this machine's fingerprint (T0KEN_FINGERPRINT, else derived).
 */
async function statsClient(ctx: Context): Promise<{ api: T0kenApi; fingerprint: string; envOnly: boolean }> {
  const baseUrl = ctx.t0kenBaseUrl();
  const envKey = t0kenKeyForRequests(ctx.env);
  if (envKey && !storeFor(ctx).read().t0ken[baseUrl]) {
    // Loaded only here: deriving a fingerprint needs node:crypto, which the stored-account path does not.
    const { currentFingerprint } = await import('../identity/machine.js');
    const current = await currentFingerprint(ctx, false);
    ctx.out.info(`No account is stored for ${baseUrl}: using T0KEN_API_KEY with fingerprint ${current.fingerprint}${ctx.env.T0KEN_FINGERPRINT ? ' (T0KEN_FINGERPRINT)' : ' (this machine\'s)'}.`);
    return { api: new T0kenApi({ baseUrl, timeoutMs: ctx.timeoutMs, env: ctx.env, apiKey: envKey, keyFromEnv: true, trace: ctx.trace }), fingerprint: current.fingerprint, envOnly: true };
  }
  const session = await openT0kenSession(ctx);
  return { api: session.api, fingerprint: session.account.machine_fingerprint, envOnly: false };
}

/** The service may know the machine by its own fp_ name: say how to give it that name. */
function withFingerprintHint(error: unknown, fingerprint: string): unknown {
  if (!isCliError(error) || (error.status !== 404 && error.status !== 403)) return error;
  return new CliError(error.code, error.message, {
      exitCode: error.exitCode,
    status: error.status,
    cause: error,
    hint: `The service may know this machine by another name than ${fingerprint}: set T0KEN_FINGERPRINT to the machine_fingerprint that \`t0ken whoami\` shows where the account is stored, or run \`t0ken register\` here.`,
    });
}
