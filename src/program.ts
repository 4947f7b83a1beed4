import { Command, Option } from 'commander';
import type { CommandName } from './core/command-name.js';
import { claimSteps } from './core/claim-story.js';
import { environmentLines } from './core/environment.js';
import { DOCS_URL, VERSION } from './version.js';

/** What an action receives: the command's own options, its positional arguments, its Command. */
export type Runner = (name: CommandName, options: Record<string, unknown>, args: string[], command: Command) => Promise<void>;

export type { CommandName };

/** A repeatable option's values, in order. */
const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

function helpText(examples: readonly string[], env: readonly string[]): string {
  const parts = [`\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}`];
  if (env.length > 0) parts.push(`\nEnvironment:\n${environmentLines(env)}`);
  return parts.join('\n');
}

const T0KEN_ENV = ['T0KEN_API_URL', 'T0KEN_API_KEY', 'T0KEN_CONFIG_DIR', 'T0KEN_CREDENTIAL_STORE'] as const;
const MNEMOM_ENV = ['MNEMOM_API_URL', 'MNEMOM_TOKEN', 'MNEMOM_API_KEY', 'T0KEN_CONFIG_DIR', 'T0KEN_CREDENTIAL_STORE'] as const;

/**
 * The command tree: names, options, help. Actions hand over to `run`, which loads the command's
 * module only then. The completion generator walks this same tree.
 */
export function buildProgram(run: Runner): Command {
  const program = new Command('t0ken');
  const action = (name: CommandName) => async (...params: unknown[]) => {
    const command = params[params.length - 1] as Command;
    const args = params.slice(0, -2).flat().filter((p): p is string => typeof p === 'string');
    await run(name, command.opts(), args, command);
  };

  program
    .description('Give AI agents an identity: t0ken machine accounts and Mnemom agents.')
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .option('--json', 'machine-readable output: one JSON document on stdout')
    .option('--no-input', 'never prompt; fail with the flag to pass instead')
    .option('-q, --quiet', 'print only results')
    .option('--debug', 'HTTP trace on stderr, secrets redacted (also T0KEN_DEBUG=1)')
    .option('--no-color', 'no colour (also NO_COLOR, TERM=dumb)')
    .option('--timeout <seconds>', 'per-request timeout in seconds (default 15)')
    // Help is 80 columns wide on any terminal: the same bytes as the build-time text (static-argv.ts).
    .configureHelp({ helpWidth: 80 })
    .showSuggestionAfterError(true)
    .helpCommand(false)
    .addHelpText('after', `\nRun \`t0ken help exit-codes\` or \`t0ken help environment\` for the tables.\nDocs: ${DOCS_URL}`);

  program.commandsGroup('Machine account:');

  program
    .command('register')
    .summary('register this machine as a t0ken machine account')
    .description('Derive this machine\'s fingerprint and auto-register a machine account; the API key is stored in the OS keychain when one answers, else in the config file (mode 600), which says so.')
    .option('--hostname <name>', 'hostname to report (default: this machine\'s)')
    .option('--force', 'register again even if an account is stored')
    .option('--show-key', 'print the full API key (it is masked otherwise)')
    .addHelpText('after', helpText(['t0ken register', 't0ken register --json | jq -r .user_id'], [...T0KEN_ENV, 'T0KEN_FINGERPRINT']))
    .action(action('register'));

  program
    .command('whoami')
    .alias('status')
    .summary('show the stored account')
    .description('Show the stored machine account: masked key, fingerprint match, claim state, config path. Exits 3 when none is stored.')
    .addHelpText('after', helpText(['t0ken whoami', 't0ken status --json'], [...T0KEN_ENV, 'T0KEN_FINGERPRINT']))
    .action(action('whoami'));

  program
    .command('token')
    .summary('print the API key alone on stdout')
    .description('Print the t0ken API key alone on stdout, for scripts. T0KEN_API_KEY wins over the stored key.')
    .addHelpText('after', helpText(['curl -H "X-API-Key: $(t0ken token)" …'], [...T0KEN_ENV]))
    .action(action('token'));

  program
    .command('claim')
    .summary('start linking this machine account to a human')
    .description('Start linking the machine account to a person: prints the 6-digit code they enter on t0ken.ai.')
    .option('--email <email>', 'email address of the person claiming the account')
    .addHelpText('after', `\nHow claiming works:\n${claimSteps('  ')}\n${helpText(['t0ken claim --email you@example.com', 't0ken claim --email you@example.com --json'], [...T0KEN_ENV])}`)
    .action(action('claim'));

  program
    .command('verify')
    .summary('complete the claim with its 6-digit code')
    .description('Complete the claim. Uses --code, else the code of the pending claim, else asks.')
    .option('--code <code>', '6-digit verification code (default: the pending claim\'s)')
    .addHelpText('after', helpText(['t0ken verify', 't0ken verify --code 123456'], [...T0KEN_ENV]))
    .action(action('verify'));

  program
    .command('stats')
    .summary('show this machine account\'s statistics')
    .description('Show memories, projects, API calls in the last 24 h and storage for this machine account.')
    .addHelpText('after', helpText(['t0ken stats', 't0ken stats --json | jq .total_memories'], [...T0KEN_ENV]))
    .action(action('stats'));

  program
    .command('logout')
    .summary('forget the stored account for this API')
    .description('Forget the account stored for the current T0KEN_API_URL and delete its key from the keychain. Asks first on a terminal; --yes otherwise. Nothing stored: nothing to forget, exit 0.')
    .option('-y, --yes', 'do not ask for confirmation')
    .addHelpText('after', helpText(['t0ken logout', 't0ken logout --yes'], [...T0KEN_ENV]))
    .action(action('logout'));

  program.commandsGroup('Handing the identity to agents:');

  program
    .command('exec')
    .summary('run a program with this machine\'s identity in its environment')
    .description('Run a program (no shell; PATH lookup) with T0KEN_API_KEY, MEMORYX_API_KEY, MEMORYX_URL (non-default API only), MNEMOM_API_KEY and T0KEN_EXEC=1 added to its environment; never in any argv. Signals are passed on; its exit status is t0ken\'s (128+n for a death by signal n, 127 not found, 126 not executable). Exits 3 when there is nothing to hand over.')
    .option('--only <which>', 'hand over only this identity: t0ken or mnemom')
    .argument('<command...>', 'the program and its arguments (put -- before it)')
    .allowUnknownOption()
    .addHelpText('after', helpText(['t0ken exec -- claude', 't0ken exec --only t0ken -- node agent.js', 't0ken exec -- sh -c \'echo "$MEMORYX_API_KEY" | wc -c\''], [...T0KEN_ENV, 'MNEMOM_API_URL', 'MNEMOM_API_KEY']))
    .action(action('exec'));

  program
    .command('env')
    .summary('print the variables exec hands over, for eval or a .env file')
    .description('Print the variables `exec` adds (T0KEN_API_KEY, MEMORYX_API_KEY, MEMORYX_URL, MNEMOM_API_KEY), quoted for the shell so any value survives eval. Prints secrets, like `token`.')
    .option('--only <which>', 'print only this identity: t0ken or mnemom')
    .option('--format <format>', 'sh (default), fish, dotenv or json')
    .addHelpText('after', helpText(['eval "$(t0ken env)"', 't0ken env --format fish | source', 't0ken env --format dotenv > .env'], [...T0KEN_ENV, 'MNEMOM_API_URL', 'MNEMOM_API_KEY']))
    .action(action('env'));

  program
    .command('link')
    .summary('point a MemoryX client\'s own saved credentials at this machine\'s account')
    .description('Write a MemoryX client\'s own credentials file so that it uses this machine\'s t0ken account (memoryx-python: ~/.memoryx/config.json, mode 600, with the fingerprint the Python SDK derives itself). A file holding another account is kept beside it as a backup, named in the output. Alone (or --list), shows each known client and whether it points at this machine\'s account.')
    .argument('[client]', 'memoryx-python')
    .option('--dry-run', 'show what would change; write nothing')
    .option('--list', 'show each known client and whether it points here (the default without a client)')
    .addHelpText('after', helpText(['t0ken link', 't0ken link memoryx-python --dry-run', 't0ken link memoryx-python'], [...T0KEN_ENV]))
    .action(action('link'));

  const mcp = program
    .command('mcp')
    .summary('MCP client configuration that launches servers through t0ken exec')
    .description('Configure MCP clients (Claude Code, Cursor, VS Code, Codex, Windsurf, Claude Desktop) to launch an MCP server through `t0ken exec`, so no key is copied into their config files.')
    .helpCommand(false)
    .addHelpText('after', helpText(['t0ken mcp config --client claude-code --write -- npx -y <your-mcp-server>', 't0ken mcp config --client detected --write -- npx -y <your-mcp-server>'], []));

  mcp
    .command('config')
    .summary('print (or --write) an MCP server entry that runs through t0ken exec')
    .description('Print an MCP server entry whose command is `t0ken exec <server command>` (the command after --, required), in the chosen client\'s file shape. --write merges it into that client\'s file (claude-code: ./.mcp.json, cursor: ~/.cursor/mcp.json or ./.cursor/mcp.json, vscode: ./.vscode/mcp.json, codex: ~/.codex/config.toml, windsurf: ~/.codeium/windsurf/mcp_config.json, claude-desktop: claude_desktop_config.json), keeping every other byte; a file it cannot parse, or with a duplicate key, is left untouched (exit 7). A project file gets no setting of this machine (API URL, config directory) unless --env names it.')
    .option('--client <client>', 'whose file: claude-code, cursor, vscode, codex, windsurf, claude-desktop, generic (default) or detected (every client found here)')
    .option('--scope <scope>', 'project or user file (cursor has both; the others one)')
    .option('--name <name>', 'the server entry\'s name (default memoryx)')
    .option('--env <VAR>', 'also write this variable\'s current value into the entry (repeatable; never a secret)', collect)
    .option('--write', 'merge the entry into the client\'s config file')
    .argument('[server...]', 'the MCP server command, after --')
    .addHelpText('after', helpText(['t0ken mcp config --client claude-code --write -- npx -y <your-mcp-server>', 't0ken mcp config --client codex --write -- node ./server.js', 't0ken mcp config --client cursor --scope project --env T0KEN_API_URL --write -- node ./server.js'], ['T0KEN_API_URL', 'MNEMOM_API_URL', 'T0KEN_CONFIG_DIR', 'CODEX_HOME']))
    .action(action('mcp-config'));

  program.commandsGroup('Agents (Mnemom):');

  program
    .command('hash-proof')
    .summary('compute the hash proof of a provider key')
    .description('Compute SHA256(providerKey + "|" + name), or SHA256(providerKey) without --name, locally. The key is read from stdin, an env var, or a hidden prompt, never from argv.')
    .option('--name <name>', 'agent name (2-32 letters, digits, hyphens)')
    .addOption(new Option('--key-env <VAR>', 'read the provider key from this environment variable').conflicts('keyStdin'))
    .option('--key-stdin', 'read the provider key from stdin (one line)')
    .option('--short', 'print the 16-character agent_hash only')
    .option('--names-from <file>', 'one proof per name, read one a line from a file or - (stdin); --json prints JSON Lines')
    .addHelpText('after', helpText(['printf %s "$ANTHROPIC_API_KEY" | t0ken hash-proof --name my-agent --key-stdin', 't0ken hash-proof --name my-agent --key-env ANTHROPIC_API_KEY --short', 't0ken hash-proof --names-from fleet.txt --key-env ANTHROPIC_API_KEY --json > proofs.jsonl'], []))
    .action(action('hash-proof'));

  const agent = program
    .command('agent')
    .summary('create, list, show, claim and rekey Mnemom agents')
    .description('Create, list, show, claim and rekey Mnemom agents, and store a Mnemom API key.')
    .helpCommand(false)
    .addHelpText('after', helpText(['t0ken agent create --name my-agent --key-env ANTHROPIC_API_KEY --if-exists ok', 't0ken agent list', 't0ken agent claim smolt-1a2b3c4d --name my-agent --key-env ANTHROPIC_API_KEY'], [...MNEMOM_ENV]));

  agent
    .command('create')
    .summary('create a Mnemom agent')
    .description('Create a Mnemom agent bound to a provider key by its hash proof. The provider key never leaves this machine.')
    .requiredOption('--name <name>', 'agent name (2-32 letters, digits, hyphens)')
    .option('--card <file>', 'alignment card JSON file to attach')
    .option('--policy <file>', 'policy YAML file (deprecated: put the policy in the card)')
    .addOption(new Option('--key-env <VAR>', 'read the provider key from this environment variable').conflicts('keyStdin'))
    .option('--key-stdin', 'read the provider key from stdin (one line)')
    .addOption(new Option('--if-exists <mode>', 'what to do when the agent already exists').choices(['fail', 'ok']).default('fail'))
    .addHelpText('after', helpText(['t0ken agent create --name my-agent --key-env ANTHROPIC_API_KEY', 'printf %s "$KEY" | t0ken agent create --name my-agent --key-stdin --if-exists ok --json'], [...MNEMOM_ENV]))
    .action(action('agent-create'));

  agent
    .command('list')
    .summary('list Mnemom agents')
    .description('List the Mnemom agents of the current credential.')
    .addHelpText('after', helpText(['t0ken agent list', 't0ken agent list --json | jq -r ".agents[].id"'], [...MNEMOM_ENV]))
    .action(action('agent-list'));

  agent
    .command('show')
    .summary('show one Mnemom agent')
    .description('Show one Mnemom agent: by id (smolt-… or mnm-…), or by name, looked up among the agents of this credential.')
    .argument('<id|name>', 'an agent id or name')
    .addHelpText('after', helpText(['t0ken agent show smolt-1a2b3c4d', 't0ken agent show my-agent --json | jq -r .claimed_at'], [...MNEMOM_ENV]))
    .action(action('agent-show'));

  agent
    .command('claim')
    .summary('bind a gateway-created agent to this account')
    .description('Claim an agent the Mnemom gateway created on its first call, proving you hold its provider key with the key\'s hash proof (as `t0ken hash-proof`). The key never leaves this machine.')
    .argument('<id>', 'the agent id (smolt-… or mnm-…)')
    .option('--name <name>', 'the agent name the gateway saw (part of the proof)')
    .addOption(new Option('--key-env <VAR>', 'read the provider key from this environment variable').conflicts('keyStdin'))
    .option('--key-stdin', 'read the provider key from stdin (one line)')
    .option('--org <org_id>', 'organisation to claim it into (a refused claim lists yours)')
    .addHelpText('after', helpText(['t0ken agent claim smolt-1a2b3c4d --key-env ANTHROPIC_API_KEY', 'printf %s "$KEY" | t0ken agent claim smolt-1a2b3c4d --name my-agent --key-stdin --org org-1234 --json'], [...MNEMOM_ENV]))
    .action(action('agent-claim'));

  agent
    .command('rekey')
    .summary('keep an agent addressable after its provider key was rotated')
    .description('Point an agent at a NEW provider key: only the new key\'s 16-hex agent hash (as `t0ken hash-proof --short`) is sent, never the key.')
    .argument('<id>', 'the agent id (smolt-… or mnm-…)')
    .option('--name <name>', 'the agent name (part of the hash, as for hash-proof)')
    .addOption(new Option('--key-env <VAR>', 'read the NEW provider key from this environment variable').conflicts('keyStdin'))
    .option('--key-stdin', 'read the NEW provider key from stdin (one line)')
    .addHelpText('after', helpText(['t0ken agent rekey smolt-1a2b3c4d --name my-agent --key-env NEW_ANTHROPIC_API_KEY', 'printf %s "$NEW_KEY" | t0ken agent rekey smolt-1a2b3c4d --key-stdin --json'], [...MNEMOM_ENV]))
    .action(action('agent-rekey'));

  agent
    .command('login')
    .summary('store a Mnemom API key read from stdin')
    .description('Store a Mnemom API key (mnm_…) read from stdin, in the OS keychain when one answers, else in the config file (mode 600). MNEMOM_TOKEN and MNEMOM_API_KEY still win.')
    .option('--with-token', 'read the key from stdin')
    .addHelpText('after', helpText(['t0ken agent login --with-token < mnemom-key.txt'], [...MNEMOM_ENV]))
    .action(action('agent-login'));

  agent
    .command('logout')
    .summary('forget the stored Mnemom API key')
    .description('Forget the Mnemom API key stored for the current MNEMOM_API_URL, deleting it from the keychain too. Nothing stored: nothing to forget, exit 0.')
    .addHelpText('after', helpText(['t0ken agent logout'], [...MNEMOM_ENV]))
    .action(action('agent-logout'));

  program.commandsGroup('Tools:');

  const CREDENTIALS_HELP = [
    'Secrets (t0ken API keys, Mnemom keys) live in the OS keychain when one answers: macOS Keychain,',
    'Windows Credential Manager, the Secret Service over D-Bus on Linux (gnome-keyring, KWallet,',
    'KeePassXC). Elsewhere they live in config.json (mode 600), and each write says so on stderr.',
    'T0KEN_CREDENTIAL_STORE=auto (default), keyring (exit 7 without one) or file chooses.',
  ].join(' ');
  const credentials = program
    .command('credentials')
    .summary('where each stored secret lives; move them')
    .description(`Show where each stored secret lives (the default), or move them all.\n\n${CREDENTIALS_HELP}`)
    .helpCommand(false)
    .addHelpText('after', helpText(['t0ken credentials', 't0ken credentials status --json', 't0ken credentials migrate --to keyring', 't0ken credentials migrate --to file'], ['T0KEN_CREDENTIAL_STORE', 'T0KEN_CONFIG_DIR']))
    .action(action('credentials-status'));

  credentials
    .command('status')
    .summary('where each stored secret lives, and whether it can be read')
    .description(`Show each stored secret's home (keychain or config file) and state, and where new secrets go.\n\n${CREDENTIALS_HELP}`)
    .addHelpText('after', helpText(['t0ken credentials status', 't0ken credentials status --json | jq -r \'.secrets[] | "\\(.api_url) \\(.storage)"\''], ['T0KEN_CREDENTIAL_STORE', 'T0KEN_CONFIG_DIR']))
    .action(action('credentials-status'));

  credentials
    .command('migrate')
    .summary('move every stored secret to the keychain or the file')
    .description('Move every stored secret to the OS keychain or to config.json (mode 600). The new home is written first, then the config, then the old home is cleared: interrupted, a secret is never in neither place.')
    .addOption(new Option('--to <store>', 'where to move them').choices(['keyring', 'file']).makeOptionMandatory())
    .addHelpText('after', helpText(['t0ken credentials migrate --to keyring', 't0ken credentials migrate --to file --json'], ['T0KEN_CONFIG_DIR']))
    .action(action('credentials-migrate'));

  program
    .command('fingerprint')
    .summary('print this machine\'s fingerprint')
    .description('Print this machine\'s fingerprint (fp_ + 32 hex), a keyed hash of the OS machine id; raw identifiers are never printed or sent.')
    .option('--explain', 'name the sources used and warn about containers')
    .addHelpText('after', helpText(['t0ken fingerprint', 't0ken fingerprint --explain'], ['T0KEN_FINGERPRINT', 'T0KEN_CONFIG_DIR']))
    .action(action('fingerprint'));

  program
    .command('completion')
    .summary('print a shell completion script')
    .description('Print a completion script for bash, zsh or fish.')
    .argument('<shell>', 'bash, zsh or fish')
    .addHelpText('after', helpText([
      'mkdir -p ~/.local/share/bash-completion/completions && t0ken completion bash > ~/.local/share/bash-completion/completions/t0ken',
      'mkdir -p ~/.zfunc && t0ken completion zsh > ~/.zfunc/_t0ken   # and in ~/.zshrc, before compinit: fpath=(~/.zfunc $fpath)',
      'mkdir -p ~/.config/fish/completions && t0ken completion fish > ~/.config/fish/completions/t0ken.fish',
    ], []))
    .action(action('completion'));

  program
    .command('sandbox')
    .summary('run both APIs locally for demos and tests')
    .description('Run a local implementation of the t0ken and Mnemom APIs. Prints the export lines that point t0ken at it (and T0KEN_SANDBOX_PID, its process id).')
    .option('--port <n>', 'port to listen on (default: a free port)')
    .option('--host <addr>', 'address to bind (default: 127.0.0.1)')
    .option('--state <file>', 'keep accounts and agents in this file, so a restart is not a new world (default: in memory)')
    .option('--background', 'start it in the background and return once it listens')
    .addOption(new Option('--code-ttl <seconds>', 'claim code lifetime').hideHelp())
    .addOption(new Option('--stop-when-idle <seconds>', 'stop after this long without a request').hideHelp())
    .addHelpText('after', `${helpText(['t0ken sandbox', 't0ken sandbox --background > sandbox.env', 'source sandbox.env', 'kill $T0KEN_SANDBOX_PID', 't0ken sandbox --state ~/sandbox-state.json --port 8787'], [])}\n\nIn the foreground it runs until Ctrl-C or kill (exit 0). --background returns once it listens;\nsource its export lines (bash, zsh and fish alike) and stop it with kill $T0KEN_SANDBOX_PID (it\nstops by itself after an hour without a request).`)
    .action(action('sandbox'));

  program
    .command('help')
    .summary('show help for a command, or a table: exit-codes, environment')
    .argument('[topic...]', 'a command, or exit-codes, or environment')
    .addHelpText('after', helpText(['t0ken help exit-codes', 't0ken help environment', 't0ken help agent create'], []))
    .action(action('help'));

  return program;
}
