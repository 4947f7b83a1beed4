#!/usr/bin/env node
'use strict';
// Start-up shim. CommonJS (bin/package.json says so) like dist/cli.cjs, so that no command pays for
// Node 20's ESM loader (see scripts/build.mjs). Answers a bare --version without loading the CLI,
// prints help and completion scripts from dist/static-text.json (see staticTextKey in src/core/argv.ts; set
// T0KEN_NO_STATIC_TEXT=1 to have the CLI print them), enables Node's compile cache where it exists
// (Node >= 22.1) or compiles the CLI from the build's V8 code cache (Node 20), then hands over.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  // A closed stdout (`t0ken -V | true`) ends quietly, as SIGPIPE would: exit 141 (see src/cli.ts).
  // Any other write error (/dev/full) is a one-line error and exit 7, as everywhere (dist/static.cjs).
  process.stdout.on('error', (error) => (error.code === 'EPIPE' ? process.exit(141) : require('../dist/static.cjs').outputFailed(error.code)));
  process.stdout.write(`${require('../package.json').version}\n`);
} else if (
  // Help and completion scripts: fixed texts made at build time, printed without loading the CLI.
  process.env.T0KEN_NO_STATIC_TEXT !== '1' &&
  require('../dist/static.cjs').printStaticText(args, require('node:path').join(__dirname, '../dist/static-text.json'))
) {
  // printed
} else {
  // node:module also loads the ESM loader (~0.25 ms on Node 20); the CommonJS Module class it exports
  // is this file's own module.constructor. enableCompileCache (Node >= 22.1) is only in node:module.
  const Module = Number(process.versions.node.split('.')[0]) >= 22 ? require('node:module') : module.constructor;
  const compileCache = Module.enableCompileCache !== undefined;
  Module.enableCompileCache?.(compileCacheDir());
  // Under --debug, stack traces point into src/ (dist/cli.cjs.map); off otherwise, as it costs start-up.
  const debug = args.includes('--debug') || process.env.T0KEN_DEBUG === '1' || process.env.T0KEN_DEBUG === 'true';
  if (debug) process.setSourceMapsEnabled?.(true);
  ((compileCache || debug ? undefined : fromCodeCache(Module)) ?? require('../dist/cli.cjs')).main(process.argv);
}

/**
 * Node 20 has no compile cache, and compiling dist/cli.cjs is about a tenth of a command's start-up:
 * compile it with the V8 code cache the build left beside it (scripts/build.mjs). V8 checks that the
 * cache fits this Node and this file, and compiles as usual when it does not. Undefined: require it.
 */
function fromCodeCache(Module) {
  let file;
  let cachedData;
  try {
    file = require.resolve('../dist/cli.cjs');
    cachedData = require('node:fs').readFileSync(file.replace(/\.cjs$/, '.v8cache'));
  } catch {
    return undefined;
  }
  const fs = require('node:fs');
  const script = new (require('node:vm').Script)(Module.wrap(fs.readFileSync(file, 'utf8')), { filename: file, cachedData });
  const module = { exports: {}, filename: file, id: file, loaded: false };
  script.runInThisContext().call(module.exports, module.exports, Module.createRequire(file), module, file, require('node:path').dirname(file));
  return module.exports;
}

/**
 * Node's own default, <tmpdir>/node-compile-cache, without node:os (which enableCompileCache()
 * loads to ask for the temp directory: a module t0ken's commands otherwise do without). os.tmpdir()
 * on POSIX is $TMPDIR, $TMP or $TEMP, else /tmp, without a trailing slash. Undefined: Node decides
 * (NODE_COMPILE_CACHE set, where Node already enabled it; Windows).
 */
function compileCacheDir() {
  if (process.env.NODE_COMPILE_CACHE || process.platform === 'win32') return undefined;
  const { TMPDIR, TMP, TEMP } = process.env;
  return `${(TMPDIR || TMP || TEMP || '/tmp').replace(/(.)\/+$/, '$1')}/node-compile-cache`;
}
