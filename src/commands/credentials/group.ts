import type { CommandSpec } from '../../core/command-spec.js';
import { CREDENTIALS_HELP } from './help-text.js';

export const spec: CommandSpec = {
  path: ['credentials'],
  group: 'Tools:',
  summary: 'where each stored secret lives; move them',
  description: `Show where each stored secret lives (the default), or move them all.\n\n${CREDENTIALS_HELP}`,
  examples: ['t0ken credentials', 't0ken credentials status --json', 't0ken credentials migrate --to keyring', 't0ken credentials migrate --to file'],
  environment: ['T0KEN_CREDENTIAL_STORE', 'T0KEN_CONFIG_DIR'],
};

/** `t0ken credentials` alone is `credentials status`. */
export { run } from './status.js';
