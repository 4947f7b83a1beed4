import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FINGERPRINT_APP_ID } from '../../src/core/fingerprint.js';
import { BIN, runCli } from '../helpers/cli.js';
import { useConfigDir } from '../helpers/sandbox.js';
import { commandProbe, requirePart, rootProbe } from '../helpers/real-part.js';

const config = useConfigDir('shared');
const work = mkdtempSync(join(tmpdir(), 't0ken-id128-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const hasSystemd = requirePart('systemd-id128', commandProbe('systemd-id128', ['--version']));
const machineIdProbe = () => (existsSync('/etc/machine-id') && /^[0-9a-f]{32}\s*$/.test(readFileSync('/etc/machine-id', 'utf8')) ? undefined : '/etc/machine-id is missing or empty here');
const hasMachineId = hasSystemd && requirePart('/etc/machine-id', machineIdProbe);
const canBindMount = hasSystemd && requirePart('a private mount namespace (unshare -m, root)', () => rootProbe() ?? commandProbe('unshare', ['-m', 'true'])());

describe('the fingerprint is systemd\'s app-specific machine id', () => {
  it.runIf(hasMachineId)('t0ken fingerprint = fp_ + systemd-id128 machine-id --app-specific=<app id> on this machine', async () => {
    const systemd = execFileSync('systemd-id128', ['machine-id', `--app-specific=${FINGERPRINT_APP_ID}`], { encoding: 'utf8' }).trim();
    const ours = await runCli(['fingerprint'], { env: { T0KEN_CONFIG_DIR: config.dir } });
    expect(ours.code, ours.stderr).toBe(0);
    expect(ours.stdout).toBe(`fp_${systemd}\n`);
  });

  it.runIf(canBindMount)('agrees with systemd-id128 for given machine ids (bind-mounted over /etc/machine-id in a private namespace)', () => {
    const vectors: Record<string, string> = {
      '5f0c3b1d8e2a4c6f9a7b1d3e5f7a9c0b': '057ee80f84714143ba549237813d5eda',
      '0123456789abcdef0123456789abcdef': 'ebf7b94e94c04a4fabaa8d5d4d8edfa5',
    };
    for (const [id, expected] of Object.entries(vectors)) {
      const file = join(work, `machine-id-${id}`);
      writeFileSync(file, `${id}\n`);
      const script = `mount --bind "$1" /etc/machine-id && systemd-id128 machine-id --app-specific=${FINGERPRINT_APP_ID} && "$2" "$3" fingerprint`;
      const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', T0KEN_CONFIG_DIR: config.dir };
      const out = execFileSync('unshare', ['-m', 'sh', '-c', script, 'sh', file, process.execPath, BIN], { encoding: 'utf8', env }).trim().split('\n');
      expect(out).toEqual([expected, `fp_${expected}`]);
    }
  });

  it('fingerprint --explain and --json name the application id, never the raw id', async () => {
    const explain = await runCli(['fingerprint', '--explain'], { env: { T0KEN_CONFIG_DIR: config.dir } });
    expect(explain.code, explain.stderr).toBe(0);
    expect(explain.stdout).toContain(FINGERPRINT_APP_ID);
    expect(explain.stdout).toContain(`systemd-id128 machine-id --app-specific=${FINGERPRINT_APP_ID}`);
    const json = await runCli(['fingerprint', '--json'], { env: { T0KEN_CONFIG_DIR: config.dir } });
    const body = JSON.parse(json.stdout);
    expect(body.app_id).toBe(FINGERPRINT_APP_ID);
    for (const file of ['/etc/machine-id', '/var/lib/dbus/machine-id']) {
      const raw = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
      if (raw) expect(explain.stdout + explain.stderr + json.stdout).not.toContain(raw);
    }
  });
});
