import { flatten, type CommandSpec, type OptionSpec } from './tree.js';
import { fishQuote, shQuote } from '../core/quote.js';

/**
 * Static completion scripts: the words are baked in, so a TAB press runs no t0ken process at all.
 * All three shells share one model: walk the words typed so far to find the command path (skipping
 * options and the values of options that take one), then offer that path's subcommands, options,
 * an option's fixed values, or the command's fixed arguments.
 */

const HEADER = 'generated from the t0ken command tree by `t0ken completion`; do not edit';

interface Model {
  paths: Array<{ key: string; subcommands: string[]; options: string[]; argChoices: string[]; described: string[]; describedOptions: string[] }>;
  /** Commands that run a program, with the options (theirs and the global ones) that take a value. */
  programRunners: Array<{ key: string; valueOptions: string[] }>;
  valueOptions: string[];                     // options that take a value (any command)
  choices: Array<{ option: string; values: string[] }>;
  fileOptions: string[];
  envOptions: string[];
  globals: OptionSpec[];
}

/** zsh's _describe entries, `word:what it does`, for a path's subcommands (or, for options, its options). */
function described(c: CommandSpec, root: CommandSpec, options: boolean): string[] {
  const entry = (word: string, what: string) => shQuote(`${word.replace(/:/g, '\\:')}:${what}`);
  if (!options) return c.subcommands.flatMap((s) => s.names.map((n) => entry(n, s.description)));
  const own = [...c.options, ...(c.path.length > 0 ? root.options : [])];
  const seen = new Set<string>();
  return own.flatMap((o) => o.flags.filter((f) => f.startsWith('--') && !seen.has(f) && seen.add(f)).map((f) => entry(f, o.description)));
}

function model(root: CommandSpec): Model {
  const all = flatten(root);
  const options = all.flatMap((c) => c.options);
  const uniq = (xs: string[]) => [...new Set(xs)];
  return {
    paths: all.map((c) => ({
      key: c.path.join(' '),
      subcommands: c.subcommands.flatMap((s) => s.names),
      options: uniq([...c.options.flatMap((o) => o.flags.filter((f) => f.startsWith('--'))), ...(c.path.length > 0 ? root.options.flatMap((o) => o.flags.filter((f) => f.startsWith('--'))) : [])]),
      argChoices: c.argChoices,
      described: described(c, root, false),
      describedOptions: described(c, root, true),
    })),
    programRunners: all.filter((c) => c.runsProgram).map((c) => ({ key: c.path.join(' '), valueOptions: uniq([...c.options, ...root.options].filter((o) => o.takesValue).flatMap((o) => o.flags)) })),
    valueOptions: uniq(options.filter((o) => o.takesValue).flatMap((o) => o.flags)),
    choices: uniq(options.filter((o) => o.choices).flatMap((o) => o.flags)).map((flag) => ({ option: flag, values: options.find((o) => o.flags.includes(flag))!.choices! })),
    fileOptions: uniq(options.filter((o) => o.files).flatMap((o) => o.flags)),
    envOptions: uniq(options.filter((o) => o.envVar).flatMap((o) => o.flags)),
    globals: root.options,
  };
}

const aliasesOf = (root: CommandSpec): Array<[string, string]> =>
  flatten(root).flatMap((c) => c.names.slice(1).map((alias) => [[...c.path.slice(0, -1), alias].join(' '), c.path.join(' ')] as [string, string]));

export function bashScript(root: CommandSpec): string {
  const m = model(root);
  const caseLines = (pick: (p: Model['paths'][number]) => string[]) =>
    m.paths.map((p) => `    "${p.key}") words="${pick(p).join(' ')}" ;;`).join('\n');
  return `# bash completion for t0ken: ${HEADER}
# Install: mkdir -p ~/.local/share/bash-completion/completions && t0ken completion bash > ~/.local/share/bash-completion/completions/t0ken
# That directory is read by the bash-completion package. Without it, source this file from ~/.bashrc:
#   [ -r ~/.local/share/bash-completion/completions/t0ken ] && . ~/.local/share/bash-completion/completions/t0ken
# (it needs nothing from bash-completion but, after \`t0ken exec\`, to hand over to the program's own).
_t0ken_complete() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" path="" w i words=""
  (( COMP_CWORD > 0 )) && prev="\${COMP_WORDS[COMP_CWORD-1]}"
  for (( i = 1; i < COMP_CWORD; i++ )); do
    w="\${COMP_WORDS[i]}"
    case " ${m.valueOptions.join(' ')} " in *" $w "*) (( i++ )); continue ;; esac
    [[ "$w" == -* ]] && continue
    if [[ " $(_t0ken_subcommands "$path") " == *" $w "* ]]; then
      path="$(_t0ken_alias "\${path:+$path }$w")"
${bashProgramCases(m)}
    fi
  done
  case "$prev" in
${m.choices.map((c) => `    ${c.option}) COMPREPLY=( $(compgen -W "${c.values.join(' ')}" -- "$cur") ); return ;;`).join('\n')}
${m.fileOptions.length ? `    ${m.fileOptions.join('|')}) COMPREPLY=( $(compgen -f -- "$cur") ); return ;;` : ''}
${m.envOptions.length ? `    ${m.envOptions.join('|')}) COMPREPLY=( $(compgen -e -- "$cur") ); return ;;` : ''}
    ${m.valueOptions.join('|')}) COMPREPLY=(); return ;;
  esac
  if [[ "$cur" == -* ]]; then
    case "$path" in
${caseLines((p) => p.options)}
    esac
  else
    case "$path" in
${caseLines((p) => [...p.subcommands, ...p.argChoices])}
    esac
  fi
  COMPREPLY=( $(compgen -W "$words" -- "$cur") )
}
_t0ken_subcommands() {
  case "$1" in
${m.paths.map((p) => `    "${p.key}") echo "${p.subcommands.join(' ')}" ;;`).join('\n')}
  esac
}
_t0ken_alias() {
  case "$1" in
${aliasesOf(root).map(([a, r]) => `    "${a}") echo "${r}" ;;`).join('\n')}
    *) echo "$1" ;;
  esac
}
${m.programRunners.length ? BASH_PROGRAM : ''}complete -F _t0ken_complete t0ken
`;
}

const bashProgramCases = (m: Model): string =>
  m.programRunners.length === 0
    ? ''
    : `      case "$path" in\n${m.programRunners.map((r) => `        "${r.key}") _t0ken_program "$(( i + 1 ))" "${r.valueOptions.join(' ')}" && return ;;`).join('\n')}\n      esac`;

/**
 * bash, for a command that runs a program: its options up to the program (or \`--\`), then command
 * names, then the program's own completion (bash-completion's _command_offset when loaded, else
 * file names). Returns 1 while the cursor is still on the command's options or an option's value.
 */
const BASH_PROGRAM = `_t0ken_program() {
  local start=$1 valueopts=" $2 " cur="\${COMP_WORDS[COMP_CWORD]}" i w
  for (( i = start; i < COMP_CWORD; i++ )); do
    w="\${COMP_WORDS[i]}"
    if [[ "$w" == -- ]]; then (( i++ )); break; fi
    if [[ "$valueopts" == *" $w "* ]]; then (( i++ )); continue; fi
    [[ "$w" == -* ]] || break
  done
  (( i > COMP_CWORD )) && return 1
  if (( i == COMP_CWORD )); then
    [[ "$cur" == -* && "\${COMP_WORDS[i-1]}" != -- ]] && return 1
    COMPREPLY=( $(compgen -c -- "$cur") )
    return 0
  fi
  if declare -F _command_offset >/dev/null; then _command_offset "$i"; else COMPREPLY=( $(compgen -f -- "$cur") ); fi
  return 0
}
`;

export function zshScript(root: CommandSpec): string {
  const m = model(root);
  return `#compdef t0ken
# zsh completion for t0ken: ${HEADER}
# Install (no root): mkdir -p ~/.zfunc && t0ken completion zsh > ~/.zfunc/_t0ken
#   then in ~/.zshrc, before compinit: fpath=(~/.zfunc $fpath)
# Autoloaded from fpath, the file's body runs on the first TAB: it defines _t0ken and completes at
# once (the last lines); sourced, it registers _t0ken with compdef.
_t0ken() {
  local cur="\${words[CURRENT]}" prev="\${words[CURRENT-1]}" cmdpath="" before w i
  local -a candidates
  for (( i = 2; i < CURRENT; i++ )); do
    w="\${words[i]}"
    before="$cmdpath"
    case " ${m.valueOptions.join(' ')} " in *" $w "*) (( i++ )); continue ;; esac
    [[ "$w" == -* ]] && continue
    case "\${cmdpath:+$cmdpath }$w" in
${aliasesOf(root).map(([a, r]) => `      "${a}") cmdpath="${r}"; continue ;;`).join('\n')}
    esac
    case "$cmdpath" in
${m.paths.map((p) => `      "${p.key}") [[ " ${p.subcommands.join(' ')} " == *" $w "* ]] && cmdpath="\${cmdpath:+$cmdpath }$w" ;;`).join('\n')}
    esac
${zshProgramCases(m)}
  done
  case "$prev" in
${m.choices.map((c) => `    ${c.option}) compadd -- ${c.values.join(' ')}; return ;;`).join('\n')}
${m.fileOptions.length ? `    ${m.fileOptions.join('|')}) _files; return ;;` : ''}
${m.envOptions.length ? `    ${m.envOptions.join('|')}) compadd -- \${(k)parameters[(R)*export*]}; return ;;` : ''}
    ${m.valueOptions.join('|')}) return ;;
  esac
  # Commands and options come with what they do (_describe); fixed values are words alone.
  local -a plain
  if [[ "$cur" == -* ]]; then
    case "$cmdpath" in
${m.paths.map((p) => `      "${p.key}") candidates=(${p.describedOptions.join(' ')}) ;;`).join('\n')}
    esac
    _describe -t options option candidates
  else
    case "$cmdpath" in
${m.paths.map((p) => `      "${p.key}") candidates=(${p.described.join(' ')}); plain=(${p.argChoices.join(' ')}) ;;`).join('\n')}
    esac
    (( \${#candidates} )) && _describe -t commands command candidates
    (( \${#plain} )) && compadd -- "\${plain[@]}"
  fi
}
${m.programRunners.length ? ZSH_PROGRAM : ''}if [[ "\${zsh_eval_context[-1]}" == loadautofunc ]]; then
  _t0ken "$@"
else
  compdef _t0ken t0ken 2>/dev/null || true
fi
`;
}

const zshProgramCases = (m: Model): string =>
  m.programRunners.length === 0
    ? ''
    : `    [[ "$cmdpath" != "$before" ]] && case "$cmdpath" in\n${m.programRunners.map((r) => `      "${r.key}") _t0ken_program "$(( i + 1 ))" "${r.valueOptions.join(' ')}" && return ;;`).join('\n')}\n    esac`;

/** zsh's version of BASH_PROGRAM: command names, then the program's own completion (as sudo's). */
const ZSH_PROGRAM = `_t0ken_program() {
  local start=$1 valueopts=" $2 " i w
  for (( i = start; i < CURRENT; i++ )); do
    w="\${words[i]}"
    if [[ "$w" == -- ]]; then (( i++ )); break; fi
    if [[ "$valueopts" == *" $w "* ]]; then (( i++ )); continue; fi
    [[ "$w" == -* ]] || break
  done
  (( i > CURRENT )) && return 1
  if (( i == CURRENT )); then
    [[ "\${words[CURRENT]}" == -* && "\${words[i-1]}" != -- ]] && return 1
    _command_names -e
    return 0
  fi
  shift $(( i - 1 )) words
  (( CURRENT -= i - 1 ))
  _normal
  return 0
}
`;


export function fishScript(root: CommandSpec): string {
  const lines = [`# fish completion for t0ken: ${HEADER}`, '# Install: mkdir -p ~/.config/fish/completions && t0ken completion fish > ~/.config/fish/completions/t0ken.fish', 'complete -c t0ken -f'];
  const topNames = root.subcommands.flatMap((s) => s.names);
  const optionLine = (o: OptionSpec, condition?: string): string => {
    const parts = ['complete -c t0ken'];
    if (condition) parts.push(`-n ${fishQuote(condition)}`);
    for (const flag of o.flags) parts.push(flag.startsWith('--') ? `-l ${flag.slice(2)}` : `-s ${flag.slice(1)}`);
    if (o.choices) parts.push(`-x -a ${fishQuote(o.choices.join(' '))}`);
    else if (o.envVar) parts.push(`-x -a ${fishQuote('(set --names --export)')}`);
    else if (o.files) parts.push('-r -F');
    else if (o.takesValue) parts.push('-x');
    parts.push(`-d ${fishQuote(o.description)}`);
    return parts.join(' ');
  };
  for (const o of root.options) lines.push(optionLine(o));
  for (const sub of root.subcommands) {
    for (const name of sub.names) lines.push(`complete -c t0ken -n ${fishQuote(`not __fish_seen_subcommand_from ${topNames.join(' ')}`)} -a ${name} -d ${fishQuote(sub.description)}`);
    const inSub = `__fish_seen_subcommand_from ${sub.names.join(' ')}`;
    if (sub.subcommands.length > 0) {
      const nested = sub.subcommands.flatMap((s) => s.names);
      for (const child of sub.subcommands) {
        lines.push(`complete -c t0ken -n ${fishQuote(`${inSub}; and not __fish_seen_subcommand_from ${nested.join(' ')}`)} -a ${child.names[0]} -d ${fishQuote(child.description)}`);
        for (const o of child.options) lines.push(optionLine(o, `${inSub}; and __fish_seen_subcommand_from ${child.names.join(' ')}`));
      }
    }
    for (const o of sub.options) lines.push(optionLine(o, inSub));
    if (sub.argChoices.length > 0) lines.push(`complete -c t0ken -n ${fishQuote(inSub)} -a ${fishQuote(sub.argChoices.join(' '))}`);
    if (sub.runsProgram) {
      const valueOptions = [...new Set([...sub.options, ...root.options].filter((o) => o.takesValue).flatMap((o) => o.flags))];
      lines.push(`complete -c t0ken -n ${fishQuote(inSub)} -f -a ${fishQuote(`(__t0ken_program ${valueOptions.join(' ')})`)}`);
    }
  }
  if (flatten(root).some((c) => c.runsProgram)) lines.push(FISH_PROGRAM);
  return `${lines.join('\n')}\n`;
}

/**
 * fish, for a command that runs a program: after t0ken, its global options, the command and the
 * command's options (argv: the options that take a value), a command name, then that program's own
 * completion (fish's helper for sudo-like commands). Nothing while an option still wants its value.
 */
const FISH_PROGRAM = `function __t0ken_program
    set -l tokens (commandline -opc)
    set -e tokens[1]
    while set -q tokens[1]
        set -l t $tokens[1]
        set -e tokens[1]
        if contains -- $t $argv
            set -e tokens[1]
        else if not string match -q -- '-*' $t
            break
        end
    end
    while set -q tokens[1]
        if test "$tokens[1]" = --
            set -e tokens[1]
            break
        else if contains -- $tokens[1] $argv
            set -q tokens[2]; or return
            set -e tokens[1..2]
        else if string match -q -- '-*' $tokens[1]
            set -e tokens[1]
        else
            break
        end
    end
    if set -q tokens[1]
        __fish_complete_subcommand --commandline $tokens (commandline -ct)
    else
        __fish_complete_command
    end
end`;

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

export function completionScript(shell: Shell, root: CommandSpec): string {
  return shell === 'bash' ? bashScript(root) : shell === 'zsh' ? zshScript(root) : fishScript(root);
}
