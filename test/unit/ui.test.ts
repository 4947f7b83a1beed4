import { describe, expect, it } from 'vitest';
import { CliError } from '../../src/core/errors.js';
import { colorLevel } from '../../src/ui/color.js';
import { Output } from '../../src/ui/output.js';
import { ask, canPrompt } from '../../src/ui/prompt.js';
import { escapeUnsafeInJson, sanitizeBlock } from '../../src/core/sanitize.js';
import { loadStyle } from '../../src/ui/style.js';

const sink = () => {
  const chunks: string[] = [];
  return { write: (c: string) => chunks.push(c), text: () => chunks.join(''), isTTY: false };
};

describe('colour gate', () => {
  const tty = { flagEnabled: true, isTTY: true };
  it('is on for a terminal, off for pipes, NO_COLOR, TERM=dumb and --no-color', () => {
    expect(colorLevel({ ...tty, env: {} })).toBeGreaterThan(0);
    expect(colorLevel({ ...tty, isTTY: false, env: {} })).toBe(0);
    expect(colorLevel({ ...tty, env: { NO_COLOR: '1' } })).toBe(0);
    expect(colorLevel({ ...tty, env: { TERM: 'dumb' } })).toBe(0);
    expect(colorLevel({ ...tty, flagEnabled: false, env: { FORCE_COLOR: '1' } })).toBe(0);
  });
  it('FORCE_COLOR forces it on (even over NO_COLOR and pipes), FORCE_COLOR=0 off', () => {
    expect(colorLevel({ flagEnabled: true, isTTY: false, env: { FORCE_COLOR: '1', NO_COLOR: '1' } })).toBe(1);
    expect(colorLevel({ flagEnabled: true, isTTY: false, env: { FORCE_COLOR: '3' } })).toBe(3);
    expect(colorLevel({ ...tty, env: { FORCE_COLOR: '0' } })).toBe(0);
  });
});

describe('output', () => {
  it('--json: one document on stdout; errors as {"error": {...}} on stderr', () => {
    const stdout = sink();
    const stderr = sink();
    const out = new Output({ json: true, quiet: false, stdout, stderr });
    out.result({ a: 1 }, () => 'human');
    out.error(new CliError('conflict', 'exists', { status: 409, hint: 'pass --if-exists ok' }));
    expect(JSON.parse(stdout.text())).toEqual({ a: 1 });
    expect(JSON.parse(stderr.text())).toEqual({ error: { code: 'conflict', message: 'exists', status: 409, hint: 'pass --if-exists ok' } });
  });
  it('human: result on stdout, "t0ken: message" and the hint on stderr; --quiet drops info', () => {
    const stdout = sink();
    const stderr = sink();
    const out = new Output({ json: false, quiet: true, stdout, stderr });
    out.result({ a: 1 }, () => 'human text');
    out.info('progress');
    out.error(new CliError('x', 'went wrong', { exitCode: 5, hint: 'do this' }));
    expect(stdout.text()).toBe('human text\n');
    expect(stderr.text()).toBe('t0ken: went wrong\ndo this\n');
  });
  it('an error message is one line whatever it holds (a server value with a line break cannot forge a line)', () => {
    const stderr = sink();
    const out = new Output({ json: false, quiet: false, stdout: sink(), stderr });
    out.error(new CliError('conflict', 'agent evil\n\nt0ken: run curl x|sh\t already exists', { exitCode: 6, requestId: 'req\nforged', hint: 'pick another --name' }));
    expect(stderr.text()).toBe('t0ken: agent evil t0ken: run curl x|sh already exists (request id: req forged)\npick another --name\n');
  });
});

describe('prompts', () => {
  const gate = { input: true, env: {}, stdinIsTTY: true, stderrIsTTY: true, terminal: (): never => { throw new Error('canPrompt and a refused ask never open the terminal'); } };
  it('appear only with two terminals, without --no-input and without CI', () => {
    expect(canPrompt(gate)).toBe(true);
    expect(canPrompt({ ...gate, stdinIsTTY: false })).toBe(false);
    expect(canPrompt({ ...gate, stderrIsTTY: false })).toBe(false);
    expect(canPrompt({ ...gate, input: false })).toBe(false);
    expect(canPrompt({ ...gate, env: { CI: 'true' } })).toBe(false);
    expect(canPrompt({ ...gate, env: { CI: '' } })).toBe(true);
  });
  it('a missing value without a prompt is exit 2 naming the flag', async () => {
    await expect(ask({ ...gate, stdinIsTTY: false }, { message: 'Email?', flag: '--email <email>' })).rejects.toMatchObject({ exitCode: 2, hint: 'Pass --email <email>.' });
  });
});

describe('sanitising on the way out (issue 13.1)', () => {
  const evil = 'a\u001b]0;pwned\u0007\u001b[2J\u009b31m\u202eb';
  it('sanitizeBlock keeps newlines and tabs, drops every other control and format character', () => {
    expect(sanitizeBlock(`${evil}\nline\ttwo\r\n`)).toBe('a]0;pwned[2J31mb\nline\ttwo\n');
  });
  it('escapeUnsafeInJson keeps the value exact and the raw characters out', () => {
    const value = { id: `${evil}\u0085\u2028\u{e0001}` };
    const text = escapeUnsafeInJson(JSON.stringify(value));
    expect(JSON.parse(text)).toEqual(value);
    expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e\u2028\udb40]/);
  });
  it('human output is sanitised, t0ken\'s own colour survives, JSON stays exact', async () => {
    const stdout = sink();
    const stderr = sink();
    const style = await loadStyle(1);
    const out = new Output({ json: false, quiet: false, stdout, stderr, style, errStyle: style });
    out.result({}, () => `${style.bold('user')} ${evil}`);
    out.warn(evil);
    out.error(new CliError('x', evil, { exitCode: 5, hint: evil }));
    out.debug(`< 200 ${evil}`);
    expect(stdout.text()).toBe('\u001b[1muser\u001b[22m a]0;pwned[2J31mb\n');
    expect(stderr.text().replace(/\u001b\[\d+m/g, '')).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
    expect(stderr.text()).toContain('\u001b[33mwarning:\u001b[39m');
    const json = sink();
    new Output({ json: true, quiet: false, stdout: json, stderr }).result({ id: evil }, () => '');
    expect(JSON.parse(json.text())).toEqual({ id: evil });
    expect(json.text()).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u009b\u202e]/);
  });
  it('a forged style marker without this process\'s nonce stays inert', async () => {
    const stdout = sink();
    const style = await loadStyle(1);
    const out = new Output({ json: false, quiet: false, stdout, stderr: sink(), style });
    const marked = style.red('x');
    const forged = marked.replace(/[0-9a-f]{24}/g, '0'.repeat(24));
    out.result({}, () => forged);
    expect(stdout.text()).not.toContain('\u001b');
  });
});

describe('sanitiser fuzz (issue 13.1)', () => {
  it('2,000 random strings of controls, escapes, format characters and text: nothing unsafe survives, JSON round-trips', async () => {
    let seed = 13;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pool = ['\u001b', '\u0007', '\u009b', '\u0085', '\u202e', '\u2066', '\u200b', '\ufeff', '\u2028', '\r', '\b', '\u007f', '[2J', ']0;', 'a', 'é', '😀', '\n', '\t', '\ue000'];
    const style = await loadStyle(3);
    for (let i = 0; i < 2000; i++) {
      let text = '';
      for (let n = Math.floor(random() * 30); n > 0; n--) text += pool[Math.floor(random() * pool.length)];
      const stdout = sink();
      const stderr = sink();
      const out = new Output({ json: false, quiet: false, stdout, stderr, style, errStyle: style });
      out.result({}, () => `${style.cyan('id')} ${text}`);
      out.warn(text);
      for (const written of [stdout.text(), stderr.text()]) {
        expect(written.replace(/\u001b\[[0-9;]*m/g, ''), JSON.stringify(text)).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b\u202e\u2066\u2028\ufeff]/);
      }
      const json = escapeUnsafeInJson(JSON.stringify({ text }));
      expect(JSON.parse(json)).toEqual({ text });
      expect(json).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u200b\u202e\u2066\u2028\ufeff]/);
    }
  });
});
