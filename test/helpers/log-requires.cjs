// Preloaded with `node --require`: appends the URL of every file the CommonJS loader resolves to
// $T0KEN_IMPORT_LOG (log-imports.mjs does the same for ESM imports).
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
