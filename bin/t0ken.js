#!/usr/bin/env node
'use strict';
// Start-up shim. CommonJS (bin/package.json says so) like dist/cli.cjs, so that no command pays for
// Node 20's ESM loader (see scripts/build.mjs). Answers a bare --version without loading the CLI,
// prints help and completion scripts from dist/static-text.json (see src/core/static-argv.ts; set
// T0KEN_NO_STATIC_TEXT=1 to have the CLI print them), enables Node's compile cache where it exists
// (Node >= 22.1), then hands over.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  // A closed stdout (`t0ken -V | true`) ends quietly, as SIGPIPE would: exit 141 (see src/cli.ts).
  process.stdout.on('error', (error) => process.exit(error.code === 'EPIPE' ? 141 : 1));
  process.stdout.write(`${require('../package.json').version}\n`);
} else if (
  // Help and completion scripts: fixed texts made at build time, printed without loading the CLI.
  (args.length === 0 || args[0] === 'help' || args[0] === 'completion' || args[args.length - 1] === '--help' || args[args.length - 1] === '-h') &&
  process.env.T0KEN_NO_STATIC_TEXT !== '1' &&
  require('../dist/static.cjs').printStaticText(args, require('node:path').join(__dirname, '../dist/static-text.json'))
) {
  // printed
} else {
  require('node:module').enableCompileCache?.();
  // Under --debug, stack traces point into src/ (dist/cli.cjs.map); off otherwise, as it costs start-up.
  if (args.includes('--debug') || process.env.T0KEN_DEBUG === '1' || process.env.T0KEN_DEBUG === 'true') process.setSourceMapsEnabled?.(true);
  require('../dist/cli.cjs').main(process.argv);
}
