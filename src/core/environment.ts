import { hanging, HELP_WIDTH, itemUnderTerm, MIN_DESCRIPTION_WIDTH } from './wrap.js';
/** The environment variables t0ken reads, for `t0ken help environment` and each command's help. */
export const ENVIRONMENT: Readonly<Record<string, string>> = {
  T0KEN_API_URL: 't0ken API base URL (default https://t0ken.ai/api/v1); http:// only for loopback',
  T0KEN_API_KEY: 'the t0ken API key to use instead of the stored one',
  T0KEN_CONFIG_DIR: 'directory for config.json (default $XDG_CONFIG_HOME/t0ken or ~/.config/t0ken; macOS ~/Library/Preferences/t0ken; Windows %APPDATA%\\t0ken); nothing is written under HOME when set',
  T0KEN_FINGERPRINT: 'use this fp_… fingerprint instead of deriving one (clones of a container image)',
  T0KEN_CREDENTIAL_STORE: 'where new secrets go: auto (default: the OS keychain when it answers, else config.json with a notice), keyring, or file',
  T0KEN_DEBUG: 'set to 1 for an HTTP trace on stderr with every secret redacted (same as --debug)',
  MNEMOM_API_URL: 'Mnemom API base URL (default https://api.mnemom.ai/v1); http:// only for loopback',
  MNEMOM_TOKEN: 'Mnemom JWT, sent as Authorization: Bearer; wins over every other Mnemom credential',
  MNEMOM_API_KEY: 'Mnemom API key (mnm_…); wins over the stored key',
  NO_COLOR: 'turn colour off (as does TERM=dumb or --no-color)',
  FORCE_COLOR: 'force colour on (0 forces it off)',
  CI: 'when set, t0ken never prompts and never shows a spinner',
  COLUMNS: 'the width help and tables fit when stdout is not a terminal (a terminal\'s own width wins)',
  HTTPS_PROXY: 'proxy for https:// requests (also HTTP_PROXY, NO_PROXY and lower-case forms)',
  CODEX_HOME: 'Codex\'s directory (default ~/.codex): `mcp config --client codex` edits the config.toml in it',
};

export function environmentLines(names: readonly string[], width = HELP_WIDTH): string {
  const nameWidth = Math.max(...names.map((n) => n.length));
  // Too narrow for a column beside the names (COLUMNS=40): each description under its name.
  const beside = width - nameWidth - 4 >= MIN_DESCRIPTION_WIDTH;
  return names
    .flatMap((name) => (beside ? hanging(`  ${name.padEnd(nameWidth)}  `, ENVIRONMENT[name] ?? '', width) : itemUnderTerm(name, ENVIRONMENT[name] ?? '', width)))
    .join('\n');
}

/** What the t0ken commands read, and what the Mnemom (agent) commands read, for their help. */
export const T0KEN_ENV = ['T0KEN_API_URL', 'T0KEN_API_KEY', 'T0KEN_CONFIG_DIR', 'T0KEN_CREDENTIAL_STORE'] as const;
export const MNEMOM_ENV = ['MNEMOM_API_URL', 'MNEMOM_TOKEN', 'MNEMOM_API_KEY', 'T0KEN_CONFIG_DIR', 'T0KEN_CREDENTIAL_STORE'] as const;
