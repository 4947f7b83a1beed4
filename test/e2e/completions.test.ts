import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const completions = (file: string) => fileURLToPath(new URL(`../../completions/${file}`, import.meta.url));
const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const FILES = { bash: 't0ken.bash', zsh: '_t0ken', fish: 't0ken.fish' } as const;

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

  const bashCandidates = (words: string[]): string[] => {
    const script = `source ${JSON.stringify(completions('t0ken.bash'))}
COMP_WORDS=(${words.map((w) => JSON.stringify(w)).join(' ')}); COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 ))
_t0ken_complete; printf '%s\\n' "\${COMPREPLY[@]}"`;
    return execFileSync('bash', ['--norc', '--noprofile', '-c', script], { encoding: 'utf8' }).split('\n').filter(Boolean);
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

  it('a TAB press starts no process of t0ken (the bash script is static)', () => {
    const script = readFileSync(completions('t0ken.bash'), 'utf8').split('\n').filter((l) => !l.startsWith('#')).join('\n');
    expect(script).not.toMatch(/\bt0ken (completion|__complete)/);
    expect(script).not.toMatch(/\bnode\b/);
  });

  it.skipIf(!has('fish'))('completes in a real fish', () => {
    const complete = (line: string) =>
      execFileSync('fish', ['--no-config', '-c', `source ${completions('t0ken.fish')}; complete -C ${JSON.stringify(line)}`], { encoding: 'utf8' })
        .split('\n').filter(Boolean).map((l) => l.split('\t')[0]);
    expect(complete('t0ken ag')).toEqual(['agent']);
    expect(complete('t0ken agent cr')).toEqual(['create']);
    expect(complete('t0ken agent create --if-exists ').sort()).toEqual(['fail', 'ok']);
    expect(complete('t0ken --js')).toEqual(['--json']);
  });

  it.skipIf(!has('zsh'))('the zsh script parses in a real zsh', () => {
    expect(spawnSync('zsh', ['-n', completions('_t0ken')]).status).toBe(0);
  });
});
