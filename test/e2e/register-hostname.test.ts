import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonError, runCli } from '../helpers/cli.js';
import { commandProbe, requirePart, rootProbe } from '../helpers/real-part.js';
import { useConfigDir, useSandbox } from '../helpers/sandbox.js';

// The OS hostname is a label the user never typed: a kernel takes any bytes for it (a space, ESC,
// DEL), and `register` must not fail with "invalid --hostname" for an option nobody passed. The real
// thing: a UTS namespace of the test's own (unshare --uts, as root), whose hostname is set through
// /proc/sys/kernel/hostname (hostname(1) refuses such names).

const sandbox = useSandbox();
const config = useConfigDir();
const canUnshare = requirePart('a UTS namespace of the test\'s own (root and unshare)', () => rootProbe() ?? commandProbe('unshare', ['--uts', 'true'])());

/** `t0ken register …` in a UTS namespace whose hostname is `osHostname`. */
const registerWithHostname = (osHostname: string, args: string[] = []) =>
  runCli(['register', ...args], {
    env: { T0KEN_CONFIG_DIR: config.dir, T0KEN_API_URL: sandbox.t0kenUrl, TEST_OS_HOSTNAME: osHostname },
    wrap: ['unshare', '--uts', 'sh', '-c', 'printf %s "$TEST_OS_HOSTNAME" > /proc/sys/kernel/hostname && exec "$0" "$@"'],
  });
const sentHostnames = () => sandbox.requests.filter((r) => r.path.endsWith('/agents/auto-register')).map((r) => JSON.parse(r.body) as { hostname?: string });
const storedHostname = () => JSON.parse(readFileSync(join(config.dir, 'config.json'), 'utf8')).t0ken[sandbox.t0kenUrl].hostname;

describe.runIf(canUnshare)('register with an OS hostname that is not a clean label', () => {
  it('a space, ESC and DEL: registers, sends a cleaned-up label and says so', async () => {
    const before = sentHostnames().length;
    const result = await registerWithHostname('build box\u001b[31m\u007fx');
    expect(result.code, result.stderr).toBe(0);
    expect(sentHostnames().slice(before)).toEqual([expect.objectContaining({ hostname: 'build-box[31mx' })]);
    expect(storedHostname()).toBe('build-box[31mx');
    expect(result.stderr).toContain('reported as "build-box[31mx"; pass --hostname <name> to choose another');
    expect(result.stderr).toContain('"build box\\u001b[31m\\u007fx"'); // named, escaped: no raw ESC reaches the terminal
    expect(result.stderr + result.stdout).not.toMatch(/[\u001b\u007f]/);
    expect(result.stderr).not.toContain('--hostname:');
  });

  it('nothing printable: registers without a hostname, and says so', async () => {
    const before = sentHostnames().length;
    const result = await registerWithHostname('\u001b\u007f');
    expect(result.code, result.stderr).toBe(0);
    const [sent] = sentHostnames().slice(before);
    expect(sent).not.toHaveProperty('hostname');
    expect(result.stderr).toContain('has nothing printable, so none is reported');
  });

  it('a clean OS hostname is sent as it is, with no notice', async () => {
    const before = sentHostnames().length;
    const result = await registerWithHostname('runner-7.example');
    expect(result.code, result.stderr).toBe(0);
    expect(sentHostnames().slice(before)).toEqual([expect.objectContaining({ hostname: 'runner-7.example' })]);
    expect(result.stderr).not.toContain('hostname');
  });

  it('a --hostname the user typed is input: a space in it is still exit 2, before any request', async () => {
    const before = sentHostnames().length;
    const result = await registerWithHostname('fine-host', ['--hostname', 'a b', '--json']);
    expect(result.code).toBe(2);
    expect(jsonError(result.stderr).message).toMatch(/^invalid --hostname/);
    expect(sentHostnames().length).toBe(before);
  });
});
