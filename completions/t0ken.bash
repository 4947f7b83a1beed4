# bash completion for t0ken: generated from the t0ken command tree by `t0ken completion`; do not edit
# Install: mkdir -p ~/.local/share/bash-completion/completions && t0ken completion bash > ~/.local/share/bash-completion/completions/t0ken
# That directory is read by the bash-completion package. Without it, source this file from ~/.bashrc:
#   [ -r ~/.local/share/bash-completion/completions/t0ken ] && . ~/.local/share/bash-completion/completions/t0ken
# (it needs nothing from bash-completion but, after `t0ken exec`, to hand over to the program's own).
_t0ken_complete() {
  local cur="${COMP_WORDS[COMP_CWORD]}" prev="" path="" w i words=""
  (( COMP_CWORD > 0 )) && prev="${COMP_WORDS[COMP_CWORD-1]}"
  for (( i = 1; i < COMP_CWORD; i++ )); do
    w="${COMP_WORDS[i]}"
    case " --timeout --hostname --email --fingerprint --code --only --format --client --scope --name --env --key-env --names-from --card --policy --if-exists --org --to --port --host --state " in *" $w "*) (( i++ )); continue ;; esac
    [[ "$w" == -* ]] && continue
    if [[ " $(_t0ken_subcommands "$path") " == *" $w "* ]]; then
      path="$(_t0ken_alias "${path:+$path }$w")"
      case "$path" in
        "exec") _t0ken_program "$(( i + 1 ))" "--only --timeout" && return ;;
      esac
    fi
  done
  case "$prev" in
    --only) COMPREPLY=( $(compgen -W "t0ken mnemom" -- "$cur") ); return ;;
    --format) COMPREPLY=( $(compgen -W "sh fish dotenv json" -- "$cur") ); return ;;
    --client) COMPREPLY=( $(compgen -W "claude-code cursor vscode codex windsurf claude-desktop generic detected" -- "$cur") ); return ;;
    --scope) COMPREPLY=( $(compgen -W "project user" -- "$cur") ); return ;;
    --if-exists) COMPREPLY=( $(compgen -W "fail ok" -- "$cur") ); return ;;
    --to) COMPREPLY=( $(compgen -W "keyring file" -- "$cur") ); return ;;
    --names-from|--card|--policy) COMPREPLY=( $(compgen -f -- "$cur") ); return ;;
    --env|--key-env) COMPREPLY=( $(compgen -e -- "$cur") ); return ;;
    --timeout|--hostname|--email|--fingerprint|--code|--only|--format|--client|--scope|--name|--env|--key-env|--names-from|--card|--policy|--if-exists|--org|--to|--port|--host|--state) COMPREPLY=(); return ;;
  esac
  if [[ "$cur" == -* ]]; then
    case "$path" in
    "") words="--version --json --no-input --quiet --debug --no-color --timeout --help" ;;
    "register") words="--hostname --force --show-key --help --version --json --no-input --quiet --debug --no-color --timeout" ;;
    "whoami") words="--all --help --version --json --no-input --quiet --debug --no-color --timeout" ;;
    "token") words="--help --version --json --no-input --quiet --debug --no-color --timeout" ;;
    "claim") words="--email --fingerprint --help --version --json --no-input --quiet --debug --no-color --timeout" ;;
    "verify") words="--code --fingerprint --help --version --json --no-input --quiet --debug --no-color --timeout" ;;
    "stats") words="--help --version --json --no-input --quiet --debug --no-color --timeout" ;;
    "logout") words="--yes --help --version --json --no-input --quiet --debug --no-color --timeout" ;;
    "exec") words="--only --help --version --json --no-input --quiet --debug --no-color --timeout" ;;
    "env") words="--only --format --help --version --json --no-input --quiet --debug --no-color --timeout" ;;
    "link") words="--dry-run --list --help --version --json --no-input --quiet --debug --no-color --timeout" ;;
    "mcp") words="--help --version --json --no-input --quiet --debug --no-color --timeout" ;;
    "mcp config") words="--client --scope --name --env --write --help --version --json --no-input --quiet --debug --no-color --timeout" ;;
    "hash-proof") words="--name --key-env --key-stdin --short --names-from --help --version --json --no-input --quiet --debug --no-color --timeout" ;;
    "agent") words="--help --version --json --no-input --quiet --debug --no-color --timeout" ;;
    "agent create") words="--name --card --policy --key-env --key-stdin --if-exists --help --version --json --no-input --quiet --debug --no-color --timeout" ;;
    "agent list") words="--help --version --json --no-input --quiet --debug --no-color --timeout" ;;
    "agent show") words="--help --version --json --no-input --quiet --debug --no-color --timeout" ;;
    "agent claim") words="--name --key-env --key-stdin --org --help --version --json --no-input --quiet --debug --no-color --timeout" ;;
    "agent rekey") words="--name --key-env --key-stdin --help --version --json --no-input --quiet --debug --no-color --timeout" ;;
    "agent login") words="--with-token --help --version --json --no-input --quiet --debug --no-color --timeout" ;;
    "agent logout") words="--help --version --json --no-input --quiet --debug --no-color --timeout" ;;
    "credentials") words="--help --version --json --no-input --quiet --debug --no-color --timeout" ;;
    "credentials status") words="--help --version --json --no-input --quiet --debug --no-color --timeout" ;;
    "credentials migrate") words="--to --help --version --json --no-input --quiet --debug --no-color --timeout" ;;
    "fingerprint") words="--explain --new --help --version --json --no-input --quiet --debug --no-color --timeout" ;;
    "completion") words="--help --version --json --no-input --quiet --debug --no-color --timeout" ;;
    "sandbox") words="--port --host --state --background --help --version --json --no-input --quiet --debug --no-color --timeout" ;;
    "help") words="--help --version --json --no-input --quiet --debug --no-color --timeout" ;;
    esac
  else
    case "$path" in
    "") words="register whoami status token claim verify stats logout exec env link mcp hash-proof agent credentials fingerprint completion sandbox help" ;;
    "register") words="" ;;
    "whoami") words="" ;;
    "token") words="" ;;
    "claim") words="" ;;
    "verify") words="" ;;
    "stats") words="" ;;
    "logout") words="" ;;
    "exec") words="" ;;
    "env") words="" ;;
    "link") words="memoryx-python" ;;
    "mcp") words="config" ;;
    "mcp config") words="" ;;
    "hash-proof") words="" ;;
    "agent") words="create list show claim rekey login logout" ;;
    "agent create") words="" ;;
    "agent list") words="" ;;
    "agent show") words="" ;;
    "agent claim") words="" ;;
    "agent rekey") words="" ;;
    "agent login") words="" ;;
    "agent logout") words="" ;;
    "credentials") words="status migrate" ;;
    "credentials status") words="" ;;
    "credentials migrate") words="" ;;
    "fingerprint") words="" ;;
    "completion") words="bash zsh fish" ;;
    "sandbox") words="" ;;
    "help") words="exit-codes environment register whoami token claim verify stats logout exec env link mcp hash-proof agent credentials fingerprint completion sandbox" ;;
    esac
  fi
  COMPREPLY=( $(compgen -W "$words" -- "$cur") )
}
_t0ken_subcommands() {
  case "$1" in
    "") echo "register whoami status token claim verify stats logout exec env link mcp hash-proof agent credentials fingerprint completion sandbox help" ;;
    "register") echo "" ;;
    "whoami") echo "" ;;
    "token") echo "" ;;
    "claim") echo "" ;;
    "verify") echo "" ;;
    "stats") echo "" ;;
    "logout") echo "" ;;
    "exec") echo "" ;;
    "env") echo "" ;;
    "link") echo "" ;;
    "mcp") echo "config" ;;
    "mcp config") echo "" ;;
    "hash-proof") echo "" ;;
    "agent") echo "create list show claim rekey login logout" ;;
    "agent create") echo "" ;;
    "agent list") echo "" ;;
    "agent show") echo "" ;;
    "agent claim") echo "" ;;
    "agent rekey") echo "" ;;
    "agent login") echo "" ;;
    "agent logout") echo "" ;;
    "credentials") echo "status migrate" ;;
    "credentials status") echo "" ;;
    "credentials migrate") echo "" ;;
    "fingerprint") echo "" ;;
    "completion") echo "" ;;
    "sandbox") echo "" ;;
    "help") echo "" ;;
  esac
}
_t0ken_alias() {
  case "$1" in
    "status") echo "whoami" ;;
    *) echo "$1" ;;
  esac
}
_t0ken_program() {
  local start=$1 valueopts=" $2 " cur="${COMP_WORDS[COMP_CWORD]}" i w
  for (( i = start; i < COMP_CWORD; i++ )); do
    w="${COMP_WORDS[i]}"
    if [[ "$w" == -- ]]; then (( i++ )); break; fi
    if [[ "$valueopts" == *" $w "* ]]; then (( i++ )); continue; fi
    [[ "$w" == -* ]] || break
  done
  (( i > COMP_CWORD )) && return 1
  if (( i == COMP_CWORD )); then
    [[ "$cur" == -* && "${COMP_WORDS[i-1]}" != -- ]] && return 1
    COMPREPLY=( $(compgen -c -- "$cur") )
    return 0
  fi
  if declare -F _command_offset >/dev/null; then _command_offset "$i"; else COMPREPLY=( $(compgen -f -- "$cur") ); fi
  return 0
}
complete -F _t0ken_complete t0ken
