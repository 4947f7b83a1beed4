import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { keyringProbe, startKeyring, type TestKeyring } from '../helpers/keyring.js';
import { requirePart } from '../helpers/real-part.js';
import { useConfigDir, useSandbox } from '../helpers/sandbox.js';

const MNEMOM_KEY = 'mnm_EXECkeychain_key_Qw8Er7Ty6Ui5';
const hasKeyring = requirePart('a Secret Service (dbus-daemon + gnome-keyring)', keyringProbe);
const sandbox = useSandbox();
const config = useConfigDir('shared');
let keyring: TestKeyring | undefined;

beforeAll(async () => {
  if (hasKeyring) keyring = await startKeyring();
});
afterAll(() => keyring?.stop());

it.runIf(hasKeyring)('exec and env hand over keys kept in the OS keychain; config.json holds none of them', async () => {
  const env = sandbox.env(config.dir, { ...keyring!.env, T0KEN_CREDENTIAL_STORE: 'keyring' });
  expect((await runCli(['register'], { env })).code).toBe(0);
  expect((await runCli(['agent', 'login', '--with-token'], { env, input: `${MNEMOM_KEY}\n` })).code).toBe(0);
  const key = (await runCli(['token'], { env })).stdout.trim();
  expect(key).toMatch(/^omx_/);
  const file = readFileSync(join(config.dir, 'config.json'), 'utf8');
  expect(file).not.toContain(key);
  expect(file).not.toContain(MNEMOM_KEY);

  const seen = await runCli(['exec', '--', process.execPath, '-e', 'console.log(JSON.stringify([process.env.MEMORYX_API_KEY, process.env.MNEMOM_API_KEY]))'], { env });
  expect(seen.code, seen.stderr).toBe(0);
  expect(JSON.parse(seen.stdout)).toEqual([key, MNEMOM_KEY]);
  const printed = await runCli(['env', '--format', 'json'], { env });
  expect(JSON.parse(printed.stdout)).toMatchObject({ T0KEN_API_KEY: key, MEMORYX_API_KEY: key, MNEMOM_API_KEY: MNEMOM_KEY });
}, 90_000); // five keychain round trips: 34 s in CI on 2 cores while keychain-load.test.ts ran its 200 processes
