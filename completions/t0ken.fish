# fish completion for t0ken: generated from the t0ken command tree by `t0ken completion`; do not edit
# Install: mkdir -p ~/.config/fish/completions && t0ken completion fish > ~/.config/fish/completions/t0ken.fish
complete -c t0ken -f
complete -c t0ken -s V -l version -d 'print the version'
complete -c t0ken -l json -d 'machine-readable output: one JSON document on stdout'
complete -c t0ken -l no-input -d 'never prompt; fail with the flag to pass instead'
complete -c t0ken -s q -l quiet -d 'print only results'
complete -c t0ken -l debug -d 'HTTP trace on stderr, secrets redacted (also T0KEN_DEBUG=1)'
complete -c t0ken -l no-color -d 'no colour (also NO_COLOR, TERM=dumb)'
complete -c t0ken -l timeout -x -d 'seconds for all of the command\'s network time, retries included (default 15)'
complete -c t0ken -s h -l help -d 'show help'
complete -c t0ken -n 'not __fish_seen_subcommand_from register whoami status token claim verify stats logout exec env link mcp hash-proof agent credentials fingerprint completion sandbox help' -a register -d 'register this machine as a t0ken machine account'
complete -c t0ken -n '__fish_seen_subcommand_from register' -l hostname -x -d 'hostname to report (default: this machine\'s)'
complete -c t0ken -n '__fish_seen_subcommand_from register' -l force -d 'register again even if an account is stored'
complete -c t0ken -n '__fish_seen_subcommand_from register' -l show-key -d 'print the full API key (it is masked otherwise)'
complete -c t0ken -n '__fish_seen_subcommand_from register' -s h -l help -d 'show help'
complete -c t0ken -n 'not __fish_seen_subcommand_from register whoami status token claim verify stats logout exec env link mcp hash-proof agent credentials fingerprint completion sandbox help' -a whoami -d 'show the stored account'
complete -c t0ken -n 'not __fish_seen_subcommand_from register whoami status token claim verify stats logout exec env link mcp hash-proof agent credentials fingerprint completion sandbox help' -a status -d 'show the stored account'
complete -c t0ken -n '__fish_seen_subcommand_from whoami status' -l all -d 'every MemoryX identity on this machine, and whether each is this machine\'s account'
complete -c t0ken -n '__fish_seen_subcommand_from whoami status' -s h -l help -d 'show help'
complete -c t0ken -n 'not __fish_seen_subcommand_from register whoami status token claim verify stats logout exec env link mcp hash-proof agent credentials fingerprint completion sandbox help' -a token -d 'print the API key alone on stdout'
complete -c t0ken -n '__fish_seen_subcommand_from token' -s h -l help -d 'show help'
complete -c t0ken -n 'not __fish_seen_subcommand_from register whoami status token claim verify stats logout exec env link mcp hash-proof agent credentials fingerprint completion sandbox help' -a claim -d 'start linking this machine account to a human'
complete -c t0ken -n '__fish_seen_subcommand_from claim' -l email -x -d 'email address of the person claiming the account'
complete -c t0ken -n '__fish_seen_subcommand_from claim' -l fingerprint -x -d 'claim another MemoryX identity on this machine instead, with its own key (its fingerprint, from `t0ken whoami --all`)'
complete -c t0ken -n '__fish_seen_subcommand_from claim' -s h -l help -d 'show help'
complete -c t0ken -n 'not __fish_seen_subcommand_from register whoami status token claim verify stats logout exec env link mcp hash-proof agent credentials fingerprint completion sandbox help' -a verify -d 'complete the claim with its 6-digit code'
complete -c t0ken -n '__fish_seen_subcommand_from verify' -l code -x -d '6-digit verification code (default: the pending claim\'s)'
complete -c t0ken -n '__fish_seen_subcommand_from verify' -l fingerprint -x -d 'complete the claim `claim --fingerprint` started for that identity'
complete -c t0ken -n '__fish_seen_subcommand_from verify' -s h -l help -d 'show help'
complete -c t0ken -n 'not __fish_seen_subcommand_from register whoami status token claim verify stats logout exec env link mcp hash-proof agent credentials fingerprint completion sandbox help' -a stats -d 'show this machine account\'s statistics'
complete -c t0ken -n '__fish_seen_subcommand_from stats' -s h -l help -d 'show help'
complete -c t0ken -n 'not __fish_seen_subcommand_from register whoami status token claim verify stats logout exec env link mcp hash-proof agent credentials fingerprint completion sandbox help' -a logout -d 'forget the stored account for this API'
complete -c t0ken -n '__fish_seen_subcommand_from logout' -s y -l yes -d 'do not ask for confirmation'
complete -c t0ken -n '__fish_seen_subcommand_from logout' -s h -l help -d 'show help'
complete -c t0ken -n 'not __fish_seen_subcommand_from register whoami status token claim verify stats logout exec env link mcp hash-proof agent credentials fingerprint completion sandbox help' -a exec -d 'run a program with this machine\'s identity in its environment'
complete -c t0ken -n '__fish_seen_subcommand_from exec' -l only -x -a 't0ken mnemom' -d 'hand over only this identity: t0ken or mnemom'
complete -c t0ken -n '__fish_seen_subcommand_from exec' -s h -l help -d 'show help'
complete -c t0ken -n '__fish_seen_subcommand_from exec' -f -a '(__t0ken_program --only --timeout)'
complete -c t0ken -n 'not __fish_seen_subcommand_from register whoami status token claim verify stats logout exec env link mcp hash-proof agent credentials fingerprint completion sandbox help' -a env -d 'print the variables exec hands over, for eval or a .env file'
complete -c t0ken -n '__fish_seen_subcommand_from env' -l only -x -a 't0ken mnemom' -d 'print only this identity: t0ken or mnemom'
complete -c t0ken -n '__fish_seen_subcommand_from env' -l format -x -a 'sh fish dotenv json' -d 'sh (default), fish, dotenv or json'
complete -c t0ken -n '__fish_seen_subcommand_from env' -s h -l help -d 'show help'
complete -c t0ken -n 'not __fish_seen_subcommand_from register whoami status token claim verify stats logout exec env link mcp hash-proof agent credentials fingerprint completion sandbox help' -a link -d 'point a MemoryX client\'s own saved credentials at this machine\'s account'
complete -c t0ken -n '__fish_seen_subcommand_from link' -l dry-run -d 'show what would change; write nothing'
complete -c t0ken -n '__fish_seen_subcommand_from link' -l list -d 'show each known client and whether it points here (the default without a client)'
complete -c t0ken -n '__fish_seen_subcommand_from link' -s h -l help -d 'show help'
complete -c t0ken -n '__fish_seen_subcommand_from link' -a 'memoryx-python'
complete -c t0ken -n 'not __fish_seen_subcommand_from register whoami status token claim verify stats logout exec env link mcp hash-proof agent credentials fingerprint completion sandbox help' -a mcp -d 'MCP client configuration that launches servers through t0ken exec'
complete -c t0ken -n '__fish_seen_subcommand_from mcp; and not __fish_seen_subcommand_from config' -a config -d 'print (or --write) an MCP server entry that runs through t0ken exec'
complete -c t0ken -n '__fish_seen_subcommand_from mcp; and __fish_seen_subcommand_from config' -l client -x -a 'claude-code cursor vscode codex windsurf claude-desktop generic detected' -d 'whose file: claude-code, cursor, vscode, codex, windsurf, claude-desktop, generic (default) or detected (every client found here)'
complete -c t0ken -n '__fish_seen_subcommand_from mcp; and __fish_seen_subcommand_from config' -l scope -x -a 'project user' -d 'project or user file (cursor has both; the others one)'
complete -c t0ken -n '__fish_seen_subcommand_from mcp; and __fish_seen_subcommand_from config' -l name -x -d 'the server entry\'s name (default memoryx)'
complete -c t0ken -n '__fish_seen_subcommand_from mcp; and __fish_seen_subcommand_from config' -l env -x -a '(set --names --export)' -d 'also write this variable\'s current value into the entry (repeatable; never a secret)'
complete -c t0ken -n '__fish_seen_subcommand_from mcp; and __fish_seen_subcommand_from config' -l write -d 'merge the entry into the client\'s config file'
complete -c t0ken -n '__fish_seen_subcommand_from mcp; and __fish_seen_subcommand_from config' -s h -l help -d 'show help'
complete -c t0ken -n '__fish_seen_subcommand_from mcp' -s h -l help -d 'show help'
complete -c t0ken -n 'not __fish_seen_subcommand_from register whoami status token claim verify stats logout exec env link mcp hash-proof agent credentials fingerprint completion sandbox help' -a hash-proof -d 'compute the hash proof of a provider key'
complete -c t0ken -n '__fish_seen_subcommand_from hash-proof' -l name -x -d 'agent name (2-32 letters, digits, hyphens)'
complete -c t0ken -n '__fish_seen_subcommand_from hash-proof' -l key-env -x -a '(set --names --export)' -d 'read the provider key from this environment variable'
complete -c t0ken -n '__fish_seen_subcommand_from hash-proof' -l key-stdin -d 'read the provider key from stdin (one line)'
complete -c t0ken -n '__fish_seen_subcommand_from hash-proof' -l short -d 'print the 16-character agent_hash only'
complete -c t0ken -n '__fish_seen_subcommand_from hash-proof' -l names-from -r -F -d 'one proof per name, read one a line from a file or - (stdin); --json prints JSON Lines'
complete -c t0ken -n '__fish_seen_subcommand_from hash-proof' -s h -l help -d 'show help'
complete -c t0ken -n 'not __fish_seen_subcommand_from register whoami status token claim verify stats logout exec env link mcp hash-proof agent credentials fingerprint completion sandbox help' -a agent -d 'create, list, show, claim and rekey Mnemom agents'
complete -c t0ken -n '__fish_seen_subcommand_from agent; and not __fish_seen_subcommand_from create list show claim rekey login logout' -a create -d 'create a Mnemom agent'
complete -c t0ken -n '__fish_seen_subcommand_from agent; and __fish_seen_subcommand_from create' -l name -x -d 'agent name (2-32 letters, digits, hyphens)'
complete -c t0ken -n '__fish_seen_subcommand_from agent; and __fish_seen_subcommand_from create' -l card -r -F -d 'alignment card JSON file to attach'
complete -c t0ken -n '__fish_seen_subcommand_from agent; and __fish_seen_subcommand_from create' -l policy -r -F -d 'policy YAML file (deprecated: put the policy in the card)'
complete -c t0ken -n '__fish_seen_subcommand_from agent; and __fish_seen_subcommand_from create' -l key-env -x -a '(set --names --export)' -d 'read the provider key from this environment variable'
complete -c t0ken -n '__fish_seen_subcommand_from agent; and __fish_seen_subcommand_from create' -l key-stdin -d 'read the provider key from stdin (one line)'
complete -c t0ken -n '__fish_seen_subcommand_from agent; and __fish_seen_subcommand_from create' -l if-exists -x -a 'fail ok' -d 'what to do when the agent already exists'
complete -c t0ken -n '__fish_seen_subcommand_from agent; and __fish_seen_subcommand_from create' -s h -l help -d 'show help'
complete -c t0ken -n '__fish_seen_subcommand_from agent; and not __fish_seen_subcommand_from create list show claim rekey login logout' -a list -d 'list Mnemom agents'
complete -c t0ken -n '__fish_seen_subcommand_from agent; and __fish_seen_subcommand_from list' -s h -l help -d 'show help'
complete -c t0ken -n '__fish_seen_subcommand_from agent; and not __fish_seen_subcommand_from create list show claim rekey login logout' -a show -d 'show one Mnemom agent'
complete -c t0ken -n '__fish_seen_subcommand_from agent; and __fish_seen_subcommand_from show' -s h -l help -d 'show help'
complete -c t0ken -n '__fish_seen_subcommand_from agent; and not __fish_seen_subcommand_from create list show claim rekey login logout' -a claim -d 'bind a gateway-created agent to this account'
complete -c t0ken -n '__fish_seen_subcommand_from agent; and __fish_seen_subcommand_from claim' -l name -x -d 'the agent name the gateway saw (part of the proof)'
complete -c t0ken -n '__fish_seen_subcommand_from agent; and __fish_seen_subcommand_from claim' -l key-env -x -a '(set --names --export)' -d 'read the provider key from this environment variable'
complete -c t0ken -n '__fish_seen_subcommand_from agent; and __fish_seen_subcommand_from claim' -l key-stdin -d 'read the provider key from stdin (one line)'
complete -c t0ken -n '__fish_seen_subcommand_from agent; and __fish_seen_subcommand_from claim' -l org -x -d 'organisation to claim it into (a refused claim lists yours)'
complete -c t0ken -n '__fish_seen_subcommand_from agent; and __fish_seen_subcommand_from claim' -s h -l help -d 'show help'
complete -c t0ken -n '__fish_seen_subcommand_from agent; and not __fish_seen_subcommand_from create list show claim rekey login logout' -a rekey -d 'keep an agent addressable after its provider key was rotated'
complete -c t0ken -n '__fish_seen_subcommand_from agent; and __fish_seen_subcommand_from rekey' -l name -x -d 'the agent name (part of the hash, as for hash-proof; default: the agent\'s own name)'
complete -c t0ken -n '__fish_seen_subcommand_from agent; and __fish_seen_subcommand_from rekey' -l key-env -x -a '(set --names --export)' -d 'read the NEW provider key from this environment variable'
complete -c t0ken -n '__fish_seen_subcommand_from agent; and __fish_seen_subcommand_from rekey' -l key-stdin -d 'read the NEW provider key from stdin (one line)'
complete -c t0ken -n '__fish_seen_subcommand_from agent; and __fish_seen_subcommand_from rekey' -s h -l help -d 'show help'
complete -c t0ken -n '__fish_seen_subcommand_from agent; and not __fish_seen_subcommand_from create list show claim rekey login logout' -a login -d 'store a Mnemom API key read from stdin'
complete -c t0ken -n '__fish_seen_subcommand_from agent; and __fish_seen_subcommand_from login' -l with-token -d 'read the key from stdin'
complete -c t0ken -n '__fish_seen_subcommand_from agent; and __fish_seen_subcommand_from login' -s h -l help -d 'show help'
complete -c t0ken -n '__fish_seen_subcommand_from agent; and not __fish_seen_subcommand_from create list show claim rekey login logout' -a logout -d 'forget the stored Mnemom API key'
complete -c t0ken -n '__fish_seen_subcommand_from agent; and __fish_seen_subcommand_from logout' -s h -l help -d 'show help'
complete -c t0ken -n '__fish_seen_subcommand_from agent' -s h -l help -d 'show help'
complete -c t0ken -n 'not __fish_seen_subcommand_from register whoami status token claim verify stats logout exec env link mcp hash-proof agent credentials fingerprint completion sandbox help' -a credentials -d 'where each stored secret lives; move them'
complete -c t0ken -n '__fish_seen_subcommand_from credentials; and not __fish_seen_subcommand_from status migrate' -a status -d 'where each stored secret lives, and whether it can be read'
complete -c t0ken -n '__fish_seen_subcommand_from credentials; and __fish_seen_subcommand_from status' -s h -l help -d 'show help'
complete -c t0ken -n '__fish_seen_subcommand_from credentials; and not __fish_seen_subcommand_from status migrate' -a migrate -d 'move every stored secret to the keychain or the file'
complete -c t0ken -n '__fish_seen_subcommand_from credentials; and __fish_seen_subcommand_from migrate' -l to -x -a 'keyring file' -d 'where to move them'
complete -c t0ken -n '__fish_seen_subcommand_from credentials; and __fish_seen_subcommand_from migrate' -s h -l help -d 'show help'
complete -c t0ken -n '__fish_seen_subcommand_from credentials' -s h -l help -d 'show help'
complete -c t0ken -n 'not __fish_seen_subcommand_from register whoami status token claim verify stats logout exec env link mcp hash-proof agent credentials fingerprint completion sandbox help' -a fingerprint -d 'print this machine\'s fingerprint'
complete -c t0ken -n '__fish_seen_subcommand_from fingerprint' -l explain -d 'name the sources used and warn about containers'
complete -c t0ken -n '__fish_seen_subcommand_from fingerprint' -l new -d 'print a new random fingerprint, for a container or VM copy to keep as T0KEN_FINGERPRINT'
complete -c t0ken -n '__fish_seen_subcommand_from fingerprint' -s h -l help -d 'show help'
complete -c t0ken -n 'not __fish_seen_subcommand_from register whoami status token claim verify stats logout exec env link mcp hash-proof agent credentials fingerprint completion sandbox help' -a completion -d 'print a shell completion script'
complete -c t0ken -n '__fish_seen_subcommand_from completion' -s h -l help -d 'show help'
complete -c t0ken -n '__fish_seen_subcommand_from completion' -a 'bash zsh fish'
complete -c t0ken -n 'not __fish_seen_subcommand_from register whoami status token claim verify stats logout exec env link mcp hash-proof agent credentials fingerprint completion sandbox help' -a sandbox -d 'run both APIs locally for demos and tests'
complete -c t0ken -n '__fish_seen_subcommand_from sandbox' -l port -x -d 'port to listen on (default: a free port)'
complete -c t0ken -n '__fish_seen_subcommand_from sandbox' -l host -x -d 'address to bind (default: 127.0.0.1)'
complete -c t0ken -n '__fish_seen_subcommand_from sandbox' -l state -x -d 'keep accounts and agents in this file, so a restart is not a new world (default: in memory)'
complete -c t0ken -n '__fish_seen_subcommand_from sandbox' -l background -d 'start it in the background and return once it listens'
complete -c t0ken -n '__fish_seen_subcommand_from sandbox' -s h -l help -d 'show help'
complete -c t0ken -n 'not __fish_seen_subcommand_from register whoami status token claim verify stats logout exec env link mcp hash-proof agent credentials fingerprint completion sandbox help' -a help -d 'show help for a command, or a table: exit-codes, environment'
complete -c t0ken -n '__fish_seen_subcommand_from help' -s h -l help -d 'show help'
complete -c t0ken -n '__fish_seen_subcommand_from help' -a 'exit-codes environment register whoami token claim verify stats logout exec env link mcp hash-proof agent credentials fingerprint completion sandbox'
function __t0ken_program
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
end
