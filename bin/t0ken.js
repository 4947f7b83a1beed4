#!/usr/bin/env node
'use strict';
// Start-up shim. CommonJS (bin/package.json says so) like dist/cli.cjs, so that no command pays for
// Node 20's ESM loader (see scripts/build.mjs). Answers a bare --version without loading the CLI,
// enables Node's compile cache where it exists (Node >= 22.1), then hands over.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${require('../package.json').version}\n`);
} else {
  require('node:module').enableCompileCache?.();
  require('../dist/cli.cjs').main(process.argv);
}
