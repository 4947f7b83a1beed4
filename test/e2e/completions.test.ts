import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { commandProbe, requirePart } from '../helpers/real-part.js';

const completions = (file: string) => fileURLToPath(new URL(`../../completions/${file}`, import.meta.url));
const BASH_COMPLETION = '/usr/share/bash-completion/bash_completion';
const hasFish = requirePart('fish', commandProbe('fish', ['--version']));
const hasZsh = requirePart('zsh', commandProbe('zsh', ['--version']));
const hasBashCompletion = requirePart('bash-completion', commandProbe('test', ['-r', BASH_COMPLETION]));

// A program only these tests have, on PATH for the shells they start: `t0ken exec` completes its name.
const programDir = mkdtempSync(join(tmpdir(), 't0ken-completion-'));
writeFileSync(join(programDir, 't0kenprobe-agent'), '#!/bin/sh\nexit 0\n');
chmodSync(join(programDir, 't0kenprobe-agent'), 0o755);
writeFileSync(join(programDir, 'probe-file.txt'), '');
const shellEnv = { ...process.env, PATH: `${programDir}:${process.env.PATH ?? '/usr/bin:/bin'}` };
afterAll(() => rmSync(programDir, { recursive: true, force: true }));
const FILES = { bash: 't0ken.bash', zsh: '_t0ken', fish: 't0ken.fish' } as const;
/** The line the README's Completions block adds to ~/.bashrc for a bash without bash-completion. */
const README_BASH_LINE = (): string => {
  const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
  const line = /'(\[ -r ~\/\.local\/share\/bash-completion\/completions\/t0ken \][^']*)'/.exec(readme)?.[1];
  if (line === undefined) throw new Error('the README no longer adds the bash fallback line to ~/.bashrc');
  return line;
};

/** The committed text: the build regenerates completions/, so the work tree alone proves nothing. */
function committed(file: string): string {
  const git = spawnSync('git', ['show', `HEAD:completions/${file}`], { encoding: 'utf8', cwd: fileURLToPath(new URL('../..', import.meta.url)) });
  return git.status === 0 ? git.stdout : readFileSync(completions(file), 'utf8');
}

describe('completion scripts', () => {
  it.each(Object.entries(FILES))('the committed %s script is what `t0ken completion` generates', async (shell, file) => {
    const result = await runCli(['completion', shell]);
    expect(result.code).toBe(0);
    expect(result.stdout, 'run `npm run build` and commit completions/').toBe(committed(file));
  });

  it('an unknown shell exits 2 and lists the shells', async () => {
    const result = await runCli(['completion', 'powershell']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/bash, zsh, fish/);
  });

  /** The candidates bash offers for the last word; with `bashCompletion`, bash-completion is loaded first, as on most desktops. */
  const bashCandidates = (words: string[], bashCompletion = false): string[] => {
    const script = `${bashCompletion ? `source ${BASH_COMPLETION}\n` : ''}source ${JSON.stringify(completions('t0ken.bash'))}
COMP_WORDS=(${words.map((w) => JSON.stringify(w)).join(' ')}); COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 ))
COMP_LINE="\${COMP_WORDS[*]}"; COMP_POINT=\${#COMP_LINE}
_t0ken_complete; printf '%s\\n' "\${COMPREPLY[@]}"`;
    return execFileSync('bash', ['--norc', '--noprofile', '-c', script], { encoding: 'utf8', env: shellEnv, cwd: programDir }).split('\n').filter(Boolean);
  };

  it('completes commands, subcommands, flags and fixed values in a real bash', () => {
    expect(bashCandidates(['t0ken', 'ag'])).toEqual(['agent']);
    expect(bashCandidates(['t0ken', 'agent', 'cr'])).toEqual(['create']);
    expect(bashCandidates(['t0ken', 'agent', 'create', '--if-exists', ''])).toEqual(['fail', 'ok']);
    expect(bashCandidates(['t0ken', '--js'])).toEqual(['--json']);
    expect(bashCandidates(['t0ken', '--timeout', '5', 'agent', 'l']).sort()).toEqual(['list', 'login', 'logout']);
    expect(bashCandidates(['t0ken', 'completion', ''])).toEqual(['bash', 'zsh', 'fish']);
    expect(bashCandidates(['t0ken', 'status', '--j'])).toEqual(['--json']);
    expect(bashCandidates(['t0ken', 'hash-proof', '--k'])).toEqual(['--key-env', '--key-stdin']);
  });

  it('exec in bash: its options, then program names, then the program\'s own words (files without bash-completion)', () => {
    expect(bashCandidates(['t0ken', 'exec', '--o'])).toEqual(['--only']);
    expect(bashCandidates(['t0ken', 'exec', '--only', ''])).toEqual(['t0ken', 'mnemom']);
    for (const words of [['t0ken', 'exec', '--', 't0kenprobe-'], ['t0ken', 'exec', 't0kenprobe-'], ['t0ken', '--timeout', '5', 'exec', '--only', 'mnemom', '--', 't0kenprobe-']]) {
      expect(bashCandidates(words), words.join(' ')).toEqual(['t0kenprobe-agent']);
    }
    // After the program, its words are its own: not t0ken's values for a flag of the same name.
    expect(bashCandidates(['t0ken', 'exec', '--', 't0kenprobe-agent', '--format', 'probe-'])).toEqual(['probe-file.txt']);
  });

  it.runIf(hasBashCompletion)('exec in bash with bash-completion: the program\'s own completion takes over (t0ken completing itself)', () => {
    expect(bashCandidates(['t0ken', 'exec', '--', 't0ken', 'ag'], true)).toEqual(['agent']);
    expect(bashCandidates(['t0ken', 'exec', '--only', 't0ken', 't0ken', 'agent', 'cr'], true)).toEqual(['create']);
    expect(bashCandidates(['t0ken', 'exec', '--', 't0kenprobe-'], true)).toEqual(['t0kenprobe-agent']);
  });

  it('--key-env and mcp config --env complete the names of exported variables (bash, fish)', () => {
    const env = { ...shellEnv, T0KEN_PROBE_PROVIDER_KEY: 'x' };
    const bash = (words: string[]) => execFileSync('bash', ['--norc', '--noprofile', '-c', `source ${JSON.stringify(completions('t0ken.bash'))}
COMP_WORDS=(${words.map((w) => JSON.stringify(w)).join(' ')}); COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 )); _t0ken_complete; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: 'utf8', env }).split('\n').filter(Boolean);
    expect(bash(['t0ken', 'hash-proof', '--key-env', 'T0KEN_PROBE_'])).toEqual(['T0KEN_PROBE_PROVIDER_KEY']);
    expect(bash(['t0ken', 'agent', 'create', '--name', 'a', '--key-env', 'T0KEN_PROBE_P'])).toEqual(['T0KEN_PROBE_PROVIDER_KEY']);
    expect(bash(['t0ken', 'mcp', 'config', '--env', 'T0KEN_PROBE_'])).toEqual(['T0KEN_PROBE_PROVIDER_KEY']);
    if (!hasFish) return;
    const fish = execFileSync('fish', ['--no-config', '-c', `source ${completions('t0ken.fish')}; complete -C 't0ken hash-proof --key-env T0KEN_PROBE_'`], { encoding: 'utf8', env });
    expect(fish.split('\n').filter(Boolean).map((l) => l.split('\t')[0])).toEqual(['T0KEN_PROBE_PROVIDER_KEY']);
  });

  it('bash without the bash-completion package: the script sourced from ~/.bashrc (as the README says) completes', () => {
    const home = mkdtempSync(join(tmpdir(), 't0ken-bash-home-'));
    try {
      const line = README_BASH_LINE();
      writeFileSync(join(home, '.bashrc'), `${line}\n`);
      execFileSync('mkdir', ['-p', join(home, '.local/share/bash-completion/completions')]);
      writeFileSync(join(home, '.local/share/bash-completion/completions/t0ken'), readFileSync(completions('t0ken.bash'), 'utf8'));
      // An interactive bash that reads only that ~/.bashrc: no bash-completion loaded.
      const out = execFileSync('bash', ['--noprofile', '--rcfile', join(home, '.bashrc'), '-i', '-c', 'echo "loaded=${BASH_COMPLETION_VERSINFO:-none}"; complete -p t0ken; COMP_WORDS=(t0ken ag); COMP_CWORD=1; _t0ken_complete; echo "${COMPREPLY[@]}"'], { encoding: 'utf8', env: { ...shellEnv, HOME: home }, stdio: ['ignore', 'pipe', 'ignore'] });
      expect(out).toContain('loaded=none');
      expect(out).toContain('complete -F _t0ken_complete t0ken');
      expect(out.trim().split('\n').at(-1)).toBe('agent');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('a TAB press starts no process of t0ken (the bash script is static)', () => {
    const script = readFileSync(completions('t0ken.bash'), 'utf8').split('\n').filter((l) => !l.startsWith('#')).join('\n');
    expect(script).not.toMatch(/\bt0ken (completion|__complete)/);
    expect(script).not.toMatch(/\bnode\b/);
  });

  const fishCandidates = (line: string) =>
    execFileSync('fish', ['--no-config', '-c', `source ${completions('t0ken.fish')}; complete -C ${JSON.stringify(line)}`], { encoding: 'utf8', env: shellEnv, cwd: programDir })
      .split('\n').filter(Boolean).map((l) => l.split('\t')[0]);

  it.runIf(hasFish)('exec in fish: its options, then program names, then the program\'s own completion', () => {
    expect(fishCandidates('t0ken exec --o')).toEqual(['--only']);
    expect(fishCandidates('t0ken exec --only ').sort()).toEqual(['mnemom', 't0ken']);
    expect(fishCandidates('t0ken exec -- t0kenprobe-')).toEqual(['t0kenprobe-agent']);
    expect(fishCandidates('t0ken --timeout 5 exec --only t0ken t0kenprobe-')).toEqual(['t0kenprobe-agent']);
    expect(fishCandidates('t0ken exec -- t0ken ag')).toEqual(['agent']);
  });

  it.runIf(hasFish)('completes in a real fish', () => {
    const complete = fishCandidates;
    expect(complete('t0ken ag')).toEqual(['agent']);
    expect(complete('t0ken agent cr')).toEqual(['create']);
    expect(complete('t0ken agent create --if-exists ').sort()).toEqual(['fail', 'ok']);
    expect(complete('t0ken --js')).toEqual(['--json']);
  });

  it.runIf(hasZsh)('the zsh script parses in a real zsh', () => {
    expect(spawnSync('zsh', ['-n', completions('_t0ken')]).status).toBe(0);
  });
});
