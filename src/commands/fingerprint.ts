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
  options: [{ flags: '--explain', description: 'name the sources used and warn about containers' }],
  examples: ['t0ken fingerprint', 't0ken fingerprint --explain'],
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

/** Prints this machine's fingerprint; --explain names the source and the caveats. */
export async function run(ctx: Context, options: { explain?: boolean }): Promise<void> {
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
      );
    },
  );
  if (options.explain || fp.source === 'install-id') for (const warning of fp.warnings) ctx.out.warn(warning);
}
