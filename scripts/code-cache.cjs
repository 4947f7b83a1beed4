// Writes dist/cli.v8cache, V8's code cache for dist/cli.cjs, which bin/t0ken.js compiles it with on
// Node 20 (no compile cache there). Run by scripts/build.mjs in a fresh node with stdout and stderr
// ignored. The file is compiled as the shim does, then a few local commands run, so the functions
// every command uses are in the cache too, not only the top level.
'use strict';
const { Script } = require('node:vm');
const Module = require('node:module');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const file = path.join(__dirname, '../dist/cli.cjs');
const source = fs.readFileSync(file, 'utf8');
// Code compiled by vm.Script cannot import(): the build turns every import() into require().
if (/\bimport\(/.test(source.replace(/\/\/# sourceMappingURL=.*$/m, ''))) throw new Error('dist/cli.cjs holds an import(): it cannot run from the code cache');

const script = new Script(Module.wrap(source), { filename: file });
const cli = { exports: {} };
script.runInThisContext().call(cli.exports, cli.exports, Module.createRequire(file), cli, file, path.dirname(file));

const work = fs.mkdtempSync(path.join(os.tmpdir(), 't0ken-code-cache-'));
process.env.T0KEN_CONFIG_DIR = path.join(work, 'config');
process.env.T0KEN_CODE_CACHE_KEY = 'sk-code-cache-not-a-key';
const exit = process.exit;
process.exit = () => {}; // main() ends with process.exit: here it returns, and the next command runs

(async () => {
  try {
    for (const args of [['fingerprint'], ['token'], ['whoami', '--json'], ['hash-proof', '--name', 'cache', '--key-env', 'T0KEN_CODE_CACHE_KEY']]) {
      await cli.exports.main(['node', 't0ken', ...args]);
    }
  } finally {
    process.exit = exit;
    fs.rmSync(work, { recursive: true, force: true });
  }
  fs.writeFileSync(file.replace(/\.cjs$/, '.v8cache'), script.createCachedData());
})();
