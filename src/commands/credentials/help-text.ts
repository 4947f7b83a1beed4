/** Where secrets live, for the help of `credentials` and `credentials status`. */
export const CREDENTIALS_HELP = [
  'Secrets (t0ken API keys, Mnemom keys) live in the OS keychain when one answers: macOS Keychain,',
  'Windows Credential Manager, the Secret Service over D-Bus on Linux (gnome-keyring, KWallet,',
  'KeePassXC). Elsewhere they live in config.json (mode 600), and each write says so on stderr.',
  'T0KEN_CREDENTIAL_STORE=auto (default), keyring (exit 7 without one) or file chooses.',
].join(' ');
