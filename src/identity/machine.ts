import { hostname as osHostname } from 'node:os';
import type { Context } from '../context.js';
import { usageError, CliError } from '../core/errors.js';
import { Exit } from '../core/exit-codes.js';
import { deriveFingerprint, fingerprintOverride, type Fingerprint, type MachineFacts } from '../core/fingerprint.js';
import type { Platform } from '../api/t0ken.js';
import { collectFacts } from '../platform/machine-facts.js';

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
  const facts = await collectFacts({ configDir: ctx.configDir, createInstallIdIfMissing: createInstallId, env: ctx.env });
  try {
    return { ...deriveFingerprint(facts), facts };
  } catch (error) {
    throw new CliError('no_fingerprint', `cannot derive a fingerprint: ${(error as Error).message}`, Exit.state, {
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

export function resolveHostname(flag: unknown): string {
  const value = typeof flag === 'string' ? flag : osHostname();
  if (value.length === 0 || value.length > 255 || /[\p{Cc}\s]/u.test(value)) {
    throw usageError('invalid --hostname: use 1 to 255 characters without spaces or control characters', 'For example --hostname build-runner-3.');
  }
  return value;
}
