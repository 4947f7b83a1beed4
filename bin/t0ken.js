#!/usr/bin/env node
'use strict';
// Start-up shim. CommonJS (bin/package.json says so) like dist/cli.cjs, so that no command pays for
// Node 20's ESM loader (see scripts/build.mjs). Answers a bare --version without loading the CLI,
// prints help and completion scripts from dist/static-text.json (see staticTextKey in src/core/argv.ts; set
// T0KEN_NO_STATIC_TEXT=1 to have the CLI print them), then loads the CLI from V8's code cache of an
// earlier run (bin/code-cache.cjs) and hands over.
const args = process.argv.slice(2);
// Built-ins without the module loader where Node has process.getBuiltinModule (see bin/code-cache.cjs).
const builtin = process.getBuiltinModule ?? require;
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  // Written to the descriptor as the CLI writes (src/platform/stdio.ts): process.stdout would build a
  // stream, a tenth of `node -e 0`. A closed stdout (`t0ken -V | true`) ends quietly, as SIGPIPE
  // would: exit 141 (see src/cli.ts). Any other write error (/dev/full) is a one-line error and exit
  // 7, as everywhere (dist/static.cjs). A full non-blocking pipe (EAGAIN) is tried again.
  const line = Buffer.from(`${require('../package.json').version}\n`);
  for (let written = 0; written < line.length; ) {
    try {
      written += builtin('node:fs').writeSync(1, line, written);
    } catch (error) {
      if (error.code === 'EPIPE') process.exit(141);
      if (error.code !== 'EAGAIN') require('../dist/static.cjs').outputFailed(error.code);
    }
  }
} else if (
  // Help and completion scripts: fixed texts made at build time, printed without loading the CLI.
  // dist/static.cjs loads only for argv that may name one (src/core/argv.ts's mayNameStaticText,
  // spelled again here so other commands skip it: test/e2e/lazy-loading.test.ts holds them equal).
  process.env.T0KEN_NO_STATIC_TEXT !== '1' &&
  (args.length === 0 || args.at(-1) === '--help' || args.at(-1) === '-h' || args.includes('help') || args.includes('completion')) &&
  require('../dist/static.cjs').printStaticText(args, builtin('node:path').join(__dirname, '../dist/static-text.json'))
) {
  // printed
} else {
  // Under --debug, stack traces point into src/ (dist/cli.cjs.map); off otherwise, as it costs start-up.
  const debug = args.includes('--debug') || process.env.T0KEN_DEBUG === '1' || process.env.T0KEN_DEBUG === 'true';
  if (debug) process.setSourceMapsEnabled?.(true);
  // Where V8's code cache is not kept (no safe place for it, or --debug) the CLI is compiled as usual;
  // on Windows (no uid to own the place) Node's compile cache is the next best thing.
  if (process.platform === 'win32') builtin('node:module').enableCompileCache?.();
  const cli = (debug ? undefined : require('./code-cache.cjs').loadCli()) ?? require('../dist/cli.cjs');
  cli.main(process.argv);
}
