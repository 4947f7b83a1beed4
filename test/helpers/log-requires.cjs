// Preloaded with `node --require`: appends the URL of every file the CommonJS loader resolves to
// $T0KEN_IMPORT_LOG (log-imports.mjs does the same for ESM imports), and of every .cjs file opened
// for reading: bin/code-cache.cjs loads dist/cli.cjs, the packs and the vendored modules itself.
const Module = require('node:module');
const { appendFileSync } = require('node:fs');
const { isAbsolute } = require('node:path');
const { pathToFileURL } = require('node:url');

const log = process.env.T0KEN_IMPORT_LOG;
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (...args) {
  const file = resolveFilename.apply(this, args);
  if (log && isAbsolute(file)) appendFileSync(log, `${pathToFileURL(file).href}\n`);
  return file;
};

const fs = require('node:fs');
const openSync = fs.openSync;
fs.openSync = function (path, flags, ...rest) {
  if (log && flags === 'r' && typeof path === 'string' && isAbsolute(path) && path.endsWith('.cjs')) appendFileSync(log, `${pathToFileURL(path).href}\n`);
  return openSync.call(this, path, flags, ...rest);
};
