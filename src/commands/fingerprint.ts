import type { CommandSpec } from '../core/command-spec.js';
import type { Context } from '../context.js';
import { FINGERPRINT_APP_ID } from '../core/fingerprint.js';
import { keyValueTable } from '../ui/table.js';
import { currentFingerprint } from '../identity/machine.js';

export const spec: CommandSpec = {
  path: ['fingerprint'],
  group: 'Tools:',
  summary: 'print this machine\'s fingerprint',
  description: 'Print this machine\'s fingerprint (fp_ + 32 hex), a keyed hash of the OS machine id; raw identifiers are never printed or sent.',
  options: [
    { flags: '--explain', description: 'name the sources used and warn about containers' },
    { flags: '--new', description: 'print a new random fingerprint, for a container or VM copy to keep as T0KEN_FINGERPRINT', conflicts: 'explain' },
  ],
  examples: ['t0ken fingerprint', 't0ken fingerprint --explain', 'docker run -e T0KEN_FINGERPRINT=$(t0ken fingerprint --new) IMAGE'],
  environment: ['T0KEN_FINGERPRINT', 'T0KEN_CONFIG_DIR'],
};

const SOURCE_LABELS: Record<string, string> = {
  env: 'T0KEN_FINGERPRINT',
  'linux-machine-id': '/etc/machine-id',
  'linux-dbus-machine-id': '/var/lib/dbus/machine-id',
  'macos-platform-uuid': 'IOPlatformUUID (IOKit)',
  'windows-machine-guid': 'MachineGuid (registry)',
  'freebsd-hostuuid': 'kern.hostuuid',
  'systeminformation-uuid': 'hardware UUID (systeminformation)',
  'install-id': 'random install id in the config directory',
};

/** Prints this machine's fingerprint; --explain names the source and the caveats; --new makes one. */
export async function run(ctx: Context, options: { explain?: boolean; new?: boolean }): Promise<void> {
  if (options.new) return printNew(ctx);
  const fp = await currentFingerprint(ctx, true);
  const container = fp.facts?.container;
  ctx.out.result(
    {
      fingerprint: fp.fingerprint,
      source: fp.source,
      source_description: SOURCE_LABELS[fp.source] ?? fp.source,
      app_id: FINGERPRINT_APP_ID,
      derivation: fp.source === 'env' ? 'given' : 'systemd-app-specific',
      container: container ? { detected: container.inContainer, kind: container.kind ?? null } : null,
      warnings: fp.warnings,
    },
    () => {
      if (!options.explain) return fp.fingerprint;
      return keyValueTable(
        [
          ['fingerprint', fp.fingerprint],
          ['source', SOURCE_LABELS[fp.source] ?? fp.source],
          ['derivation', fp.source === 'env' ? 'taken as given' : 'systemd\'s app-specific machine id: HMAC-SHA256 keyed by the 128-bit id over t0ken\'s application id, first 16 bytes, UUID v4 bits; the raw id is never printed or sent'],
          ['application id', FINGERPRINT_APP_ID],
          ...(fp.source === 'linux-machine-id' || fp.source === 'linux-dbus-machine-id'
            ? [['reproduce', `systemd-id128 machine-id --app-specific=${FINGERPRINT_APP_ID}`] as [string, string]]
            : []),
          ['container', container ? (container.inContainer ? `yes (${container.kind ?? 'unknown'})` : 'none detected') : 'not checked'],
          ['not used', 'hostname, RAM, CPU, MAC addresses, network state'],
        ],
        ctx.out.style.dim,
        ctx.out.width,
      );
    },
  );
  if (options.explain || fp.source === 'install-id') for (const warning of fp.warnings) ctx.out.warn(warning);
}

/**
 * A fingerprint for a copy that has no machine id of its own (a container from a shared image, a
 * cloned VM): random, printed once. Nothing is stored: it is the copy's for as long as its
 * environment keeps it, which is what makes it one machine across restarts.
 */
async function printNew(ctx: Context): Promise<void> {
  const { randomBytes } = await import('node:crypto');
  const fingerprint = `fp_${randomBytes(16).toString('hex')}`;
  ctx.out.result({ fingerprint, source: 'new', stored: false }, () => fingerprint);
  ctx.out.info('A new random fingerprint; nothing was stored. Keep it in this copy\'s environment as T0KEN_FINGERPRINT (docker run -e, a compose file\'s environment:, a systemd unit\'s Environment=) and it stays one machine across restarts.');
}
