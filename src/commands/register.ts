import type { CommandSpec } from '../core/command-spec.js';
import { sanitizeLine } from '../core/sanitize.js';
import { T0KEN_ENV } from '../core/environment.js';
import type { Context } from '../context.js';
import { maskSecret } from '../core/mask.js';
import { storeFor } from '../identity/store.js';
import { afterService } from '../identity/stored-answer.js';
import { dropStaleKeychainCopy, placeNewSecret, prepareSecretWrite, readSecret, storageOf } from '../identity/credentials.js';
import type { Storage } from '../store/secrets/types.js';
import type { T0kenAccount } from '../store/schema.js';
import { keyValueTable } from '../ui/table.js';
import { currentFingerprint, resolveHostname, servicePlatform } from '../identity/machine.js';

export const spec: CommandSpec = {
  path: ['register'],
  group: 'Machine account:',
  summary: 'register this machine as a t0ken machine account',
  description: 'Derive this machine\'s fingerprint and auto-register a machine account; the API key is stored in the OS keychain when one answers, else in the config file (mode 600), which says so.',
  options: [
    { flags: '--hostname <name>', description: 'hostname to report (default: this machine\'s)' },
    { flags: '--force', description: 'register again even if an account is stored' },
    { flags: '--show-key', description: 'print the full API key (it is masked otherwise)' },
  ],
  examples: ['t0ken register', 't0ken register --json | jq -r .user_id'],
  environment: [...T0KEN_ENV, 'T0KEN_FINGERPRINT'],
};

interface RegisterOptions {
  hostname?: string;
  force?: boolean;
  showKey?: boolean;
}

/** Auto-registers this machine, or shows the account already stored for this API. */
export async function run(ctx: Context, options: RegisterOptions): Promise<void> {
  const baseUrl = ctx.t0kenBaseUrl();
  // A bad --hostname is a usage error before anything; the OS's hostname is read only to register.
  const typed = options.hostname === undefined ? undefined : resolveHostname(options.hostname);
  const store = storeFor(ctx);
  const existing = store.read().t0ken[baseUrl]; // a corrupt file stops us here, before any request
  const fingerprint = await currentFingerprint(ctx, true);

  // The contract: an account stored for this API *and fingerprint* is shown. Another fingerprint (a
  // T0KEN_FINGERPRINT per container over a config baked into the image, a new machine id) is another
  // machine to the service: it registers, as --force does, rather than share the stored account.
  const sameMachine = existing !== undefined && existing.local_fingerprint === fingerprint.fingerprint;
  if (existing && !sameMachine && !options.force) {
    // A warning (shown with -q too): the stored account and its key are replaced.
    ctx.out.warn(`the stored account for ${baseUrl} (user ${sanitizeLine(existing.user_id)}) was registered with fingerprint ${existing.local_fingerprint}, not this machine's ${fingerprint.fingerprint}${ctx.env.T0KEN_FINGERPRINT ? ' (T0KEN_FINGERPRINT)' : ''}: registering this one in its place (T0KEN_FINGERPRINT=${existing.local_fingerprint} t0ken register gets that account back)`);
  }
  if (existing && sameMachine && !options.force) {
    ctx.out.info(`Already registered with ${baseUrl}; showing the stored account (use --force to register again).`);
    // A key in the keychain is read only to print it (--show-key): a locked keyring does not stop
    // an idempotent `register` from showing the account.
    const storage = storageOf(existing);
    const secret = storage === 'file' || options.showKey ? (await readSecret(ctx, existing, { kind: 't0ken', baseUrl })).secret : undefined;
    show(ctx, existing, secret, storage, baseUrl, store.path, options.showKey === true, true);
    return;
  }

  const { hostname, notice: hostnameNotice } = typed ?? resolveHostname(undefined);
  for (const warning of fingerprint.warnings) ctx.out.warn(warning);
  if (hostnameNotice) ctx.out.info(hostnameNotice);
  await store.prepareWrite(); // a read-only or full config dir stops us here, before a key is issued
  await prepareSecretWrite(ctx); // so does T0KEN_CREDENTIAL_STORE=keyring without a keychain that takes writes
  // What registering needs loads only here: a stored account is shown without it.
  const [{ T0kenApi }, { withSpinner }, { filesHoldingAccount }] = await Promise.all([import('../api/t0ken.js'), import('../ui/spinner.js'), import('../identity/memoryx-identities.js')]);
  const api = new T0kenApi({ baseUrl, timeoutMs: ctx.timeoutMs, env: ctx.env, trace: ctx.trace });
  const answer = await withSpinner(ctx, 'Registering this machine…', () =>
    api.autoRegister({ machine_fingerprint: fingerprint.fingerprint, platform: servicePlatform(), ...(hostname ? { hostname } : {}) }),
  );
  const account: T0kenAccount = {
    user_id: answer.user_id,
    project_id: answer.project_id,
    machine_fingerprint: answer.machine_fingerprint,
    local_fingerprint: fingerprint.fingerprint,
    fingerprint_source: fingerprint.source,
    hostname,
    created_at: answer.created_at,
    registered_at: new Date(ctx.now()).toISOString(),
  };
  const serviceDid = `the service registered this machine as user ${sanitizeLine(account.user_id)} (key ${maskSecret(answer.api_key)})`;
  const label = { kind: 't0ken', baseUrl } as const;
  // The key goes to its home first, with no lock held (the keychain may take up to 20 s); then the
  // record, under the lock, to the freshest file: parallel writers never see a record without its key.
  const [placed, previous] = await afterService(async () => {
    const placed = await placeNewSecret(ctx, label, answer.api_key, store.path);
    Object.assign(account, placed.placement);
    let previous: T0kenAccount | undefined;
    await store.update((data) => {
      previous = data.t0ken[baseUrl];
      // A re-registration that lands on the same user keeps what we know about its claim.
      if (previous && previous.user_id === account.user_id) {
        if (previous.claim) account.claim = previous.claim;
        if (previous.pending_claim) account.pending_claim = previous.pending_claim;
      }
      data.t0ken[baseUrl] = account;
    });
    return [placed, previous] as const;
  }, {
    serviceDid,
    recover: 'Nothing is lost: once the config can be written, run `t0ken register --force`; the service answers this machine with the same account and key.',
  });
  const storage: Storage = placed.storage;
  await dropStaleKeychainCopy(ctx, previous, placed, label);
  ctx.out.info(`Registered this machine with ${baseUrl}.`);
  show(ctx, account, answer.api_key, storage, baseUrl, store.path, options.showKey === true, false);
  if (previous) {
    for (const path of filesHoldingAccount(ctx, previous, answer.api_key)) {
      ctx.out.warn(`${path} still holds the previous key; run \`t0ken link memoryx-python\` to point it at the new one`);
    }
  }
  if (!account.claim) ctx.out.info('Next: link it to a person with `t0ken claim --email you@example.com`.');
}

/** `apiKey` is undefined for a key left unread in the keychain. */
function show(ctx: Context, account: T0kenAccount, apiKey: string | undefined, storage: Storage, baseUrl: string, configPath: string, showKey: boolean, alreadyRegistered: boolean): void {
  const masked = apiKey === undefined ? account.api_key_masked : maskSecret(apiKey);
  const key = showKey && apiKey !== undefined ? apiKey : (masked ?? 'in the OS keychain');
  const json: Record<string, unknown> = {
    user_id: account.user_id,
    project_id: account.project_id,
    machine_fingerprint: account.machine_fingerprint,
    local_fingerprint: account.local_fingerprint,
    created_at: account.created_at,
    api_url: baseUrl,
    config_path: configPath,
    already_registered: alreadyRegistered,
    api_key_masked: masked ?? null,
    storage,
  };
  if (showKey && apiKey !== undefined) json.api_key = apiKey;
  ctx.out.result(json, () =>
    keyValueTable(
      [
        ['user', account.user_id],
        ['project', account.project_id],
        ['fingerprint', account.machine_fingerprint],
        ['api key', key],
        ['key stored in', storage === 'keyring' ? 'the OS keychain' : `${configPath} (mode 600)`],
        ['api', baseUrl],
        ['config', configPath],
      ],
      ctx.out.style.dim,
      ctx.out.width,
    ),
    { quiet: () => (showKey && apiKey !== undefined ? apiKey : sanitizeLine(account.user_id)) },
  );
}
