import type { OptionSpec } from '../core/command-spec.js';

/** --key-env and --key-stdin: where the provider key is read from (never argv). `what` names the key. */
export const providerKeyOptions = (what = 'provider key'): OptionSpec[] => [
  { flags: '--key-env <VAR>', description: `read the ${what} from this environment variable`, conflicts: 'keyStdin', envVar: true },
  { flags: '--key-stdin', description: `read the ${what} from stdin (one line)` },
];
