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
const exit = process.exit;
process.exit = () => {}; // main() ends with process.exit: here it returns, and the next command runs

// Canned answers on loopback, so the request paths (register, stats, agent list) are compiled too.
const now = new Date().toISOString();
const account = { user_id: 'machine_cache', api_key: `omx_agent_${'c'.repeat(32)}`, project_id: 'default', is_machine_account: true, machine_fingerprint: `fp_${'c'.repeat(32)}`, created_at: now };
const stats = { total_memories: 1, total_projects: 1, api_calls_24h: 1, storage_used: '1KB', created_at: now };
const server = require('node:http').createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const body = req.url.startsWith('/api/v1/agents/auto-register') ? { success: true, data: account }
      : req.url.startsWith('/api/v1/agents/machine-stats') ? { success: true, data: stats }
      : req.url.startsWith('/v1/agents') ? { agents: [] }
      : { error: 'not found' };
    res.writeHead(body.error ? 404 : 200, { 'content-type': 'application/json', 'x-mnemom-request-id': 'req_cache' });
    res.end(JSON.stringify(body));
  });
});

(async () => {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  Object.assign(process.env, {
    T0KEN_CONFIG_DIR: path.join(work, 'config'),
    T0KEN_CREDENTIAL_STORE: 'file',
    T0KEN_API_URL: `${url}/api/v1`,
    MNEMOM_API_URL: `${url}/v1`,
    MNEMOM_API_KEY: `mnm_${'c'.repeat(24)}`,
    T0KEN_CODE_CACHE_KEY: 'sk-code-cache-not-a-key',
  });
  try {
    const runs = [['fingerprint'], ['token'], ['whoami', '--json'], ['hash-proof', '--name', 'cache', '--key-env', 'T0KEN_CODE_CACHE_KEY'],
      ['register'], ['register'], ['token'], ['whoami'], ['stats'], ['agent', 'list'], ['agent', 'show', 'no-such-agent']];
    for (const args of runs) await cli.exports.main(['node', 't0ken', ...args]);
  } finally {
    process.exit = exit;
    server.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
  fs.writeFileSync(file.replace(/\.cjs$/, '.v8cache'), script.createCachedData());
})();
