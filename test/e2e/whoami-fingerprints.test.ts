import { expect, it } from 'vitest';
import { run } from '../helpers/run.js';
import { useConfigDir, useSandbox } from '../helpers/sandbox.js';

const sandbox = useSandbox();
const config = useConfigDir('shared');

it('whoami shows the service\'s fingerprint alone while this machine matches it (the local one only when it does not); a container is one short note, none with -q', async () => {
  const env = { T0KEN_CONFIG_DIR: config.dir, T0KEN_API_URL: sandbox.t0kenUrl };
  expect((await run(['register'], { env })).code).toBe(0);
  const local = JSON.parse((await run(['fingerprint', '--json'], { env })).stdout);
  const whoami = await run(['whoami'], { env });
  expect(whoami.code, whoami.stderr).toBe(0);
  const service = /^fingerprint\s+(fp_\w+)/m.exec(whoami.stdout)?.[1];
  expect(service).toMatch(/^fp_[0-9a-f]{32}$/);
  expect(service).not.toBe(local.fingerprint); // the sandbox answers with its own name, as the service may
  // One fingerprint on every run: the service's name (t0ken uses it for every call).
  expect(whoami.stdout).not.toMatch(/^local fingerprint/m);
  expect(whoami.stdout).not.toContain(local.fingerprint);
  // The container caveat is a note on whoami (register warned when it mattered): never a warning
  // on every run, and nothing at all with -q.
  expect(whoami.stderr).not.toMatch(/^warning:/m);
  const notes = whoami.stderr.split('\n').filter((line) => /container/.test(line));
  if (local.container?.detected && local.warnings.length > 0) {
    expect(notes).toHaveLength(1);
    expect(notes[0]!.length).toBeLessThan(140);
  } else {
    expect(notes).toEqual([]);
  }
  expect((await run(['whoami', '-q'], { env })).stderr).toBe('');
});
