import type { Context } from '../context.js';
import { usageError, CliError } from '../core/errors.js';
import { deriveFingerprint, fingerprintOverride, type Fingerprint, type MachineFacts } from '../core/fingerprint.js';
import type { Platform } from '../api/t0ken.js';
import { collectFacts } from '../platform/machine-facts.js';
import { lazyRequire } from '../platform/lazy-require.js';
import { hostnameLabel, isHostnameLabel } from '../core/validate.js';
import { escapeUnsafeInJson } from '../core/sanitize.js';

export interface CurrentFingerprint extends Fingerprint {
  facts?: MachineFacts; // absent when T0KEN_FINGERPRINT decided it
}

/**
 * This machine's fingerprint: T0KEN_FINGERPRINT when set, else derived from the OS machine id
 * (or the install id in the config dir, created when `createInstallId` allows it).
 */
export async function currentFingerprint(ctx: Context, createInstallId: boolean): Promise<CurrentFingerprint> {
  const override = ctx.env.T0KEN_FINGERPRINT;
  if (override !== undefined && override !== '') {
    try {
      return fingerprintOverride(override);
    } catch (error) {
      throw usageError(`T0KEN_FINGERPRINT is not a fingerprint: ${(error as Error).message}`, 'Set it to fp_ followed by 32 lowercase hex characters (see `t0ken fingerprint`), or unset it.');
    }
  }
  const facts = await collectFacts({
    configDir: ctx.configDir,
    createInstallIdIfMissing: createInstallId,
    env: ctx.env,
    // Loaded only without an OS machine id: `fingerprint` otherwise needs none of the store.
    guardConfigDir: async (create) => {
      const store = (await import('./store.js')).storeFor(ctx);
      if (create) store.ensureDirectory();
      else store.checkDirectory();
    },
  });
  try {
    return { ...deriveFingerprint(facts), facts };
  } catch (error) {
    throw new CliError('no_fingerprint', `cannot derive a fingerprint: ${(error as Error).message}`, {
      hint: 'Run `t0ken register` (it creates an install id), or set T0KEN_FINGERPRINT.',
    });
  }
}

/** The service knows three platforms; other Unixes report as linux. */
export function servicePlatform(platform: NodeJS.Platform = process.platform): Platform {
  if (platform === 'darwin') return 'macos';
  if (platform === 'win32') return 'windows';
  return 'linux';
}

/** The hostname register reports, and the notice to print when the OS's had to be cleaned up. */
export interface ReportedHostname {
  hostname: string;
  notice?: string;
}

/**
 * A `--hostname` the user typed is input: a bad one is a usage error. The OS hostname is only a label
 * the user never chose, so a space or a control character in it (a kernel takes any bytes) is
 * cleaned up, and said, rather than blamed on an option nobody passed.
 */
export function resolveHostname(flag: unknown): ReportedHostname {
  if (typeof flag === 'string') {
    if (!isHostnameLabel(flag)) {
      throw usageError('invalid --hostname: use 1 to 255 characters without spaces or control characters', 'For example --hostname build-runner-3.');
    }
    return { hostname: flag };
  }
  // node:os only here: whoami and a stored register derive the fingerprint but report no hostname.
  const raw = (lazyRequire('node:os') as typeof import('node:os')).hostname();
  if (isHostnameLabel(raw)) return { hostname: raw };
  const hostname = hostnameLabel(raw);
  const shown = escapeUnsafeInJson(JSON.stringify(raw.slice(0, 80)));
  return {
    hostname,
    notice: hostname === ''
      ? `this machine's hostname ${shown} has nothing printable, so none is reported; pass --hostname <name> to report one`
      : `this machine's hostname ${shown} has spaces or control characters, so it is reported as ${JSON.stringify(hostname)}; pass --hostname <name> to choose another`,
  };
}
