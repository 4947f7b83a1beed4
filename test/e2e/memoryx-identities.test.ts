import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { pythonSdkFingerprint } from '../../src/core/python-sdk-fingerprint.js';
import { pythonPlatformFacts } from '../../src/platform/python-platform.js';
import { filesHoldingAccount } from '../../src/identity/memoryx-identities.js';
import type { Context } from '../../src/context.js';
import { useCli } from '../helpers/run.js';
import { useProjectAndHome } from '../helpers/sandbox.js';

/**
 * Every MemoryX identity on one machine, and one email gathering their pools: `whoami --all` and
 * `claim`/`verify --fingerprint` against a MemoryX Python SDK account that registered itself with
 * its own fingerprint (as connect_memory() does on a machine where t0ken was not linked).
 */

const { sandbox, config, t0ken: cli } = useCli();
const dirs = useProjectAndHome('t0ken-identities-');
let n = 0;
beforeEach(() => void n++);

const SDK_FP = pythonSdkFingerprint(pythonPlatformFacts());
/** The sandbox lives as long as the file: each claim test's SDK account gets a fingerprint of its own. */
const freshFp = () => (n * 7919).toString(16).padStart(32, 'c');
const t0ken = (args: string[], env: Record<string, string> = {}) => cli(args, { env: { HOME: dirs.home, T0KEN_FINGERPRINT: `fp_${'a'.repeat(32)}`, ...env } });
const sdkFile = () => join(dirs.home, '.memoryx', 'config.json');

/** The SDK registering on its own (its fingerprint, python_sdk) and saving the file as json.dump writes it. */
async function sdkRegistersItself(fingerprint = SDK_FP): Promise<{ api_key: string; user_id: string; machine_fingerprint: string }> {
  const response = await fetch(`${sandbox.t0kenUrl}/agents/auto-register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ machine_fingerprint: fingerprint, agent_type: 'python_sdk', agent_name: 'h', platform: 'linux', platform_version: '6.1' }),
  });
  const data = ((await response.json()) as { data: { api_key: string; user_id: string; project_id: string; machine_fingerprint: string } }).data;
  mkdirSync(join(dirs.home, '.memoryx'), { recursive: true });
  const saved = { api_key: data.api_key, project_id: data.project_id, user_id: data.user_id, machine_fingerprint: fingerprint, base_url: sandbox.t0kenUrl.replace(/\/v1$/, '') };
  writeFileSync(sdkFile(), JSON.stringify(saved).replace(/":/g, '": ').replace(/,"/g, ', "'));
  return data;
}

const posts = (tail: string) => sandbox.requests.filter((r) => r.method === 'POST' && r.path.endsWith(tail));

describe('whoami --all', () => {
  it('nothing anywhere: exit 3 with the next step', async () => {
    const result = await t0ken(['whoami', '--all']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('t0ken register');
  });

  it('t0ken\'s account and the SDK\'s own: two pools, keys compared and never printed', async () => {
    expect((await t0ken(['register'])).code).toBe(0);
    const sdk = await sdkRegistersItself();
    const ours = (await t0ken(['token'])).stdout.trim();
    const result = await t0ken(['--json', 'whoami', '--all']);
    expect(result.code, result.stderr).toBe(0);
    const body = JSON.parse(result.stdout);
    expect(body.pools).toBe(2);
    expect(body.identities.map((i: { kind: string; same_account: boolean; in_use: boolean }) => [i.kind, i.same_account, i.in_use])).toEqual([['t0ken', true, true], ['memoryx-python', false, true]]);
    expect(body.identities[1]).toMatchObject({ user_id: sdk.user_id, machine_fingerprint: SDK_FP, path: sdkFile(), claim: { state: 'unclaimed' } });
    const text = await t0ken(['whoami', '--all']);
    expect(text.stdout).toContain('another account: a separate memory pool');
    expect(text.stdout).toContain(`t0ken claim --email you@example.com --fingerprint ${SDK_FP}`);
    for (const out of [result.stdout + result.stderr, text.stdout + text.stderr]) {
      expect(out).not.toContain(sdk.api_key);
      expect(out).not.toContain(ours);
    }
  });

  it('a file whose machine_fingerprint claim --fingerprint refuses is said not claimable, with no command that would fail', async () => {
    expect((await t0ken(['register'])).code).toBe(0);
    mkdirSync(join(dirs.home, '.memoryx'), { recursive: true });
    writeFileSync(sdkFile(), JSON.stringify({ api_key: 'omx_agent_HandEditedFile000000000001', project_id: 'p', user_id: 'u', machine_fingerprint: '\u001b]0;x', base_url: sandbox.t0kenUrl.replace(/\/v1$/, '') }));
    const all = await t0ken(['whoami', '--all']);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toContain('cannot be claimed: its machine_fingerprint is not 32 lowercase hex characters');
    expect(all.stdout).not.toMatch(/--fingerprint \S*0;x/);
  });

  it('a client file t0ken may not read (a symlink) is said on stderr; t0ken\'s own account is still listed', async () => {
    expect((await t0ken(['register'])).code).toBe(0);
    mkdirSync(join(dirs.home, '.memoryx'));
    symlinkSync('/etc/hostname', sdkFile());
    const result = await t0ken(['--json', 'whoami', '--all']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).identities.map((i: { kind: string }) => i.kind)).toEqual(['t0ken']);
    expect(JSON.parse(result.stderr.trim().split('\n')[0]!).warning).toContain('is a symbolic link');
  });

  it('after link: the file is t0ken\'s account, the other one is listed from the backup link kept', async () => {
    expect((await t0ken(['register'])).code).toBe(0);
    const sdk = await sdkRegistersItself();
    expect((await t0ken(['link', 'memoryx-python'])).code).toBe(0);
    const body = JSON.parse((await t0ken(['--json', 'whoami', '--all'])).stdout);
    expect(body.identities.map((i: { kind: string; backup: boolean; same_account: boolean }) => [i.kind, i.backup, i.same_account])).toEqual([['t0ken', false, true], ['memoryx-python', false, true], ['memoryx-python', true, false]]);
    expect(body.identities[2].user_id).toBe(sdk.user_id);
  });
});

describe('claim --fingerprint: one email gathers every pool', () => {
  it('an SDK file whose key no request can carry: exit 7 naming the file, before any request (it was exit 5 after three attempts)', async () => {
    expect((await t0ken(['register'])).code).toBe(0);
    const SDK_FP = freshFp();
    await sdkRegistersItself(SDK_FP);
    const saved = JSON.parse(readFileSync(sdkFile(), 'utf8'));
    writeFileSync(sdkFile(), JSON.stringify({ ...saved, api_key: `${saved.api_key}\u0007` }));
    const before = sandbox.requests.length;
    const claim = await t0ken(['claim', '--email', 'pat@example.com', '--fingerprint', SDK_FP]);
    expect(claim.code, claim.stderr).toBe(7);
    expect(claim.stderr).toContain(`the API key in ${sdkFile()} is damaged`);
    expect(claim.stderr.trim().split('\n')).toHaveLength(2);
    expect(sandbox.requests.length).toBe(before);
  });

  it('claims the SDK\'s account with its own key under the service\'s name for it, verify merges it into the same person as t0ken\'s', async () => {
    expect((await t0ken(['register'])).code).toBe(0);
    const SDK_FP = freshFp();
    const sdk = await sdkRegistersItself(SDK_FP);

    const claim = await t0ken(['--json', 'claim', '--email', 'pat@example.com', '--fingerprint', SDK_FP]);
    expect(claim.code, claim.stderr).toBe(0);
    const init = posts('/agents/claim/init').at(-1)!;
    expect(JSON.parse(init.body)).toEqual({ machine_fingerprint: sdk.machine_fingerprint, email: 'pat@example.com' });
    expect(init.headers['x-api-key']).toBe(sdk.api_key);
    expect(claim.stderr).toContain(`t0ken verify --fingerprint ${SDK_FP}`);
    const stored = JSON.parse(readFileSync(join(config.dir, 'config.json'), 'utf8')).identity_claims[sandbox.t0kenUrl][SDK_FP];
    expect(stored).toMatchObject({ server_fingerprint: sdk.machine_fingerprint, user_id: sdk.user_id, pending_claim: { email: 'pat@example.com' } });
    expect(JSON.stringify(stored)).not.toContain(sdk.api_key);

    const verify = await t0ken(['--json', 'verify', '--fingerprint', SDK_FP]);
    expect(verify.code, verify.stderr).toBe(0);
    const sdkMerged = JSON.parse(verify.stdout).merged_to_user_id;

    expect((await t0ken(['claim', '--email', 'pat@example.com'])).code).toBe(0);
    const own = await t0ken(['--json', 'verify']);
    expect(JSON.parse(own.stdout).merged_to_user_id).toBe(sdkMerged);

    const all = JSON.parse((await t0ken(['--json', 'whoami', '--all'])).stdout);
    expect(all.identities.map((i: { claim: { state: string; merged_to_user_id: string } }) => [i.claim.state, i.claim.merged_to_user_id])).toEqual([['claimed', sdkMerged], ['claimed', sdkMerged]]);

    const again = await t0ken(['verify', '--fingerprint', SDK_FP]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Already claimed');
  });

  it('works from the backup after link, with no t0ken account needed for the other identity\'s key', async () => {
    expect((await t0ken(['register'])).code).toBe(0);
    const SDK_FP = freshFp();
    const sdk = await sdkRegistersItself(SDK_FP);
    expect((await t0ken(['link', 'memoryx-python'])).code).toBe(0);
    const claim = await t0ken(['claim', '--email', 'pat@example.com', '--fingerprint', SDK_FP]);
    expect(claim.code, claim.stderr).toBe(0);
    expect(claim.stdout).toContain(`user ${sdk.user_id}`);
    expect(posts('/agents/claim/init').at(-1)!.headers['x-api-key']).toBe(sdk.api_key);
  });

  it('refuses what it cannot claim: a bad or unknown fingerprint, t0ken\'s own, another API\'s (exit 2); a key the service does not know for it (exit 6)', async () => {
    expect((await t0ken(['register'])).code).toBe(0);
    expect((await t0ken(['claim', '--email', 'pat@example.com', '--fingerprint', 'fp_123'])).code).toBe(2);
    expect((await t0ken(['claim', '--email', 'pat@example.com', '--fingerprint', 'b'.repeat(32)])).stderr).toContain('whoami --all');

    expect((await t0ken(['link', 'memoryx-python'])).code).toBe(0);
    const own = await t0ken(['claim', '--email', 'pat@example.com', '--fingerprint', SDK_FP]);
    expect(own.code).toBe(2);
    expect(own.stderr).toContain('no --fingerprint');
    rmSync(join(dirs.home, '.memoryx'), { recursive: true });

    await sdkRegistersItself();
    const elsewhere = await t0ken(['claim', '--email', 'pat@example.com', '--fingerprint', SDK_FP], { T0KEN_API_URL: `${sandbox.url}/other/api/v1` });
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toContain(`T0KEN_API_URL=${sandbox.t0kenUrl}`);

    const before = posts('/agents/claim/init').length;
    const saved = JSON.parse(readFileSync(sdkFile(), 'utf8'));
    writeFileSync(sdkFile(), JSON.stringify({ ...saved, api_key: 'omx_agent_NotTheServicesKeyForThisFp0000' }));
    const foreign = await t0ken(['claim', '--email', 'pat@example.com', '--fingerprint', SDK_FP]);
    expect(foreign.code, foreign.stderr).toBe(6);
    expect(foreign.stderr).toContain('nothing was claimed');
    expect(foreign.stderr).not.toContain('records it so'); // not the service's "already claimed": nothing is recorded
    expect(posts('/agents/claim/init').length).toBe(before);
    expect(readdirSync(join(dirs.home, '.memoryx'))).toEqual(['config.json']);
    expect(JSON.parse(readFileSync(join(config.dir, 'config.json'), 'utf8')).identity_claims ?? {}).toEqual({});
    const all = await t0ken(['whoami', '--all', '--json']);
    expect(JSON.stringify(JSON.parse(all.stdout))).not.toMatch(/"state":"claimed"/);
  });
});

describe('which linked files still hold an account\'s key (logout, a new key)', () => {
  const ctx = () => ({ env: { HOME: dirs.home } }) as unknown as Context;
  const KEY = 'omx_agent_LinkedKeyHeldInTheKeychain0042';

  it('a key in the file is compared whole; one in the keychain by user id and masked form; the new key is not stale', async () => {
    mkdirSync(join(dirs.home, '.memoryx'));
    writeFileSync(sdkFile(), JSON.stringify({ api_key: KEY, project_id: 'default', user_id: 'machine_1', machine_fingerprint: SDK_FP, base_url: 'https://t0ken.ai/api' }));
    expect(filesHoldingAccount(ctx(), { api_key: KEY, user_id: 'machine_1' })).toEqual([sdkFile()]);
    expect(filesHoldingAccount(ctx(), { api_key: `${KEY}x`, user_id: 'machine_1' })).toEqual([]);
    const inKeychain = { api_key_ref: { store: 'keyring', service: 't0ken', account: 't0ken:https://t0ken.ai/api/v1' }, api_key_masked: 'omx_agent_…0042', user_id: 'machine_1' } as const;
    expect(filesHoldingAccount(ctx(), inKeychain)).toEqual([sdkFile()]);
    expect(filesHoldingAccount(ctx(), { ...inKeychain, user_id: 'machine_2' })).toEqual([]);
    expect(filesHoldingAccount(ctx(), inKeychain, KEY)).toEqual([]);
  });

  it('verify --fingerprint with nothing started names the claim to start for that identity', async () => {
    expect((await t0ken(['register'])).code).toBe(0);
    const fp = freshFp();
    await sdkRegistersItself(fp);
    const result = await t0ken(['verify', '--fingerprint', fp]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`t0ken claim --email you@example.com --fingerprint ${fp}`);
  });
});
