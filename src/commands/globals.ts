import type { CommandSpec } from '../core/command-spec.js';
import { DOCS_URL } from '../version.js';

/** The program itself: its description and the global options, which every command takes. */
export const spec: CommandSpec = {
  path: [],
  summary: 'Give AI agents an identity: t0ken machine accounts and Mnemom agents.',
  options: [
    { flags: '--json', description: 'machine-readable output: one JSON document on stdout' },
    { flags: '--no-input', description: 'never prompt; fail with the flag to pass instead' },
    { flags: '-q, --quiet', description: 'print only results' },
    { flags: '--debug', description: 'HTTP trace on stderr, secrets redacted (also T0KEN_DEBUG=1)' },
    { flags: '--no-color', description: 'no colour (also NO_COLOR, TERM=dumb)' },
    { flags: '--timeout <seconds>', description: 'seconds for all of the command\'s network time, retries included (default 15)' },
  ],
  helpAfter: `\nRun \`t0ken help exit-codes\` or \`t0ken help environment\` for the tables.\nDocs: ${DOCS_URL}`,
};
