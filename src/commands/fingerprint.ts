import type { Context } from '../context.js';
import { keyValueTable } from '../ui/table.js';
import { currentFingerprint } from './shared/machine.js';

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
      container: container ? { detected: container.inContainer, kind: container.kind ?? null } : null,
      warnings: fp.warnings,
    },
    () => {
      if (!options.explain) return fp.fingerprint;
      return keyValueTable(
        [
          ['fingerprint', fp.fingerprint],
          ['source', SOURCE_LABELS[fp.source] ?? fp.source],
          ['derivation', fp.source === 'env' ? 'taken as given' : 'HMAC-SHA256 with t0ken\'s application key; the raw id is never printed or sent'],
          ['container', container ? (container.inContainer ? `yes (${container.kind ?? 'unknown'})` : 'none detected') : 'not checked'],
          ['not used', 'hostname, RAM, CPU, MAC addresses, network state'],
        ],
        ctx.out.style.dim,
      );
    },
  );
  if (options.explain || fp.source === 'install-id') for (const warning of fp.warnings) ctx.out.warn(warning);
}
