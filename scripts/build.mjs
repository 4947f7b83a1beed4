// Builds dist/ from src/ (type-checking is `npm run typecheck`):
//
//   dist/cli.cjs               the entry and the code every command runs (argv, output, errors),
//                              stamped with the build id (bin/code-cache.cjs)
//   dist/cli-<entry>.cjs       one per import() target (a command, the keychain, commander's parser):
//                              the code it needs that dist/cli.cjs lacks (scripts/pack-chunks.mjs)
//   dist/*.cjs.map             their source maps, flattened (scripts/flatten-source-map.mjs), used
//                              only under --debug (bin/t0ken.js turns them on)
//   dist/vendor/commander.cjs  commander, required only when argv is not a plain one (help, errors…)
//   dist/vendor/*.cjs          the ESM-only packages (ora, chalk, @inquirer/prompts), bundled as
//                              CommonJS, required only by the commands that use them; the
//                              parsers `mcp config --write` edits client files with (jsonc-parser,
//                              @decimalturn/toml-patch), required only by it;
//                              of @inquirer/prompts only the prompts t0ken uses (scripts/prompts-entry.mjs)
//   .build/meta.json           which sources each output holds (for the lazy-loading test; not shipped)
//
// Everything bundled is a devDependency: a global install pulls only systeminformation.
//
// Why CommonJS for our code, although the sources are ESM: on Node 20 the first ESM module starts
// the ESM loader, which measured 0.15 to 0.2 of node's own start-up, on every command. esbuild
// splits ESM only, so its chunks are made plain functions (scripts/esm-chunk-to-function.mjs) and
// packed into the CommonJS files above: a command reads its own code and the core, not every
// command's (the one 267 KB bundle cost `token` 1.31x `node -e 0` on Node 20, the packs 1.17x).
// One file per chunk measured worse (1.32x: ~0.7 ms a require). systeminformation is loaded from
// node_modules: its CommonJS exports do not survive bundling into ESM, and it is needed only off
// the common path (not Linux).
// Proxies need no package: src/api/transport.ts opens the CONNECT tunnel itself, over node:net or
// node:tls, and reads the answer with our own HTTP/1.1 reader (src/core/http1.ts).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { packChunks } from './pack-chunks.mjs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const outputs = {};

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
const SPLIT_DIR = '.build/split';
rmSync(new URL(`../${SPLIT_DIR}`, import.meta.url), { recursive: true, force: true });
rmSync(new URL(`../${SPLIT_DIR}-cjs`, import.meta.url), { recursive: true, force: true });

// jsonc-parser's main is a UMD file whose require()s esbuild cannot follow: its ESM build is bundled.
const VENDORED_ESM = {
  ora: './scripts/ora-entry.cjs',
  chalk: 'chalk',
  prompts: './scripts/prompts-entry.mjs',
  jsonc: './node_modules/jsonc-parser/lib/esm/main.js',
  toml: '@decimalturn/toml-patch',
};
const IMPORTED_AS = { ora: 'ora', prompts: '@inquirer/prompts', jsonc: 'jsonc-parser' };
const vendorPaths = {
  name: 'vendor-paths',
  setup(b) {
    const toVendor = new Map([['commander', './vendor/commander.cjs'], ...Object.entries(VENDORED_ESM).map(([file, pkg]) => [IMPORTED_AS[file] ?? pkg, `./vendor/${file}.cjs`])]);
    b.onResolve({ filter: /^[^./]/ }, (args) => (toVendor.has(args.path) ? { path: toVendor.get(args.path), external: true } : undefined));
  },
};

// commander requires child_process at load time but uses it only for executable subcommands,
// which t0ken has none of: hand it a stand-in that loads the real module on first use.
const lazyChildProcessForCommander = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      /[\\/]commander[\\/]/.test(args.importer) ? { path: 'child_process', namespace: 'lazy-builtin' } : undefined);
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, () => ({
      contents: "let real; module.exports = new Proxy({}, { get: (_, key) => (real ??= require('node:child_process'))[key] });",
      loader: 'js',
    }));
  },
};

// src/platform/lazy-require.ts builds a require with createRequire(import.meta.url) for the ESM
// sources (tests run them as they are). The bundle is CommonJS and has its own require: use it, and
// node:module (which on Node 20 also loads the ESM loader, ~0.25 ms) stays unloaded.
const bundleRequire = {
  name: 'bundle-require',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]platform[\\/]lazy-require\.ts$/ }, () => ({ contents: 'export const lazyRequire = require;', loader: 'ts' }));
  },
};

const common = { bundle: true, platform: 'node', target: 'node20', minify: true, metafile: true, sourcemap: false, logLevel: 'warning' };

// The manifest (every command's spec, from src/commands/index.ts) and the help and completion texts,
// made by a build-time bundle that is not shipped (src/static-text/dump.ts). The manifest is inlined
// into dist/cli.cjs and dist/static.cjs, so that no run evaluates the command modules to read it.
const dumpFile = new URL('../dist/static-dump.cjs', import.meta.url).pathname;
await build({
  ...common,
  metafile: false,
  entryPoints: ['src/static-text/dump.ts'],
  outfile: dumpFile,
  format: 'cjs',
  plugins: [bundleRequire],
  external: ['systeminformation', '@napi-rs/keyring'],
  define: { __T0KEN_VERSION__: JSON.stringify(version) },
});
const { manifest, argvView, texts } = JSON.parse(execFileSync(process.execPath, [dumpFile], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }));
rmSync(dumpFile, { force: true });
const __T0KEN_MANIFEST__ = JSON.stringify(JSON.stringify(manifest));
// The argv view without its emptied prose (summary, descriptions: the parsers never read them).
const __T0KEN_ARGV__ = JSON.stringify(JSON.stringify(argvView, (key, value) => (value === '' ? undefined : value)));

const [cli, commander, vendor] = await Promise.all([
  // Split at each import() (see scripts/pack-chunks.mjs, which packs the chunks into dist/).
  build({
    ...common,
    entryPoints: { cli: 'src/cli.ts' },
    outdir: SPLIT_DIR,
    splitting: true,
    format: 'esm',
    chunkNames: 'chunk-[hash]',
    // Stack traces under --debug name our functions and files (the error asks users to report them).
    sourcemap: 'linked',
    sourcesContent: false,
    plugins: [vendorPaths, bundleRequire],
    // @napi-rs/keyring is a native module (an optional dependency), loaded only by keychain.ts.
    external: ['systeminformation', '@napi-rs/keyring'],
    // No import.meta: it does not exist in CommonJS (the one use, in lazy-require.ts, is swapped out
    // by bundleRequire), and esbuild warns at build time if one comes back.
    define: { __T0KEN_VERSION__: JSON.stringify(version), __T0KEN_MANIFEST__, __T0KEN_ARGV__ },
  }),
  build({
    ...common,
    entryPoints: { commander: 'commander' },
    outdir: 'dist/vendor',
    outExtension: { '.js': '.cjs' },
    format: 'cjs',
    plugins: [lazyChildProcessForCommander],
  }),
  build({
    ...common,
    entryPoints: VENDORED_ESM,
    outdir: 'dist/vendor',
    outExtension: { '.js': '.cjs' },
    // CommonJS like the rest: required, never import()-ed, so no command starts Node's ESM loader.
    format: 'cjs',
  }),
]);
for (const result of [commander, vendor]) Object.assign(outputs, result.metafile.outputs);
Object.assign(outputs, await packChunks({ splitDir: SPLIT_DIR, meta: cli.metafile, outDir: 'dist', entry: `${SPLIT_DIR}/cli.js` }));

// Which sources each output file holds: the lazy-loading test maps loaded files back to packages.
mkdirSync(new URL('../.build', import.meta.url), { recursive: true });
writeFileSync(new URL('../.build/meta.json', import.meta.url), JSON.stringify(outputs));

// Help and completion texts, printed by bin/t0ken.js without loading the CLI when core/argv.ts's
// staticTextKey names one.
await build({ ...common, metafile: false, entryPoints: ['src/static-text/print.ts'], outfile: 'dist/static.cjs', format: 'cjs', plugins: [bundleRequire], define: { __T0KEN_ARGV__ } });
writeFileSync(new URL('../dist/static-text.json', import.meta.url), JSON.stringify(texts));

// completions/ holds the same scripts `t0ken completion <shell>` prints, generated from the tree.
for (const [shell, file] of [['bash', 't0ken.bash'], ['zsh', '_t0ken'], ['fish', 't0ken.fish']]) {
  writeFileSync(new URL(`../completions/${file}`, import.meta.url), texts[`completion:${shell}`]);
}

// The build id bin/code-cache.cjs keeps V8's code cache under: a hash of every file it loads, so
// that no cache made for another build is offered to V8 (which compares only the source's length).
const loadedFiles = [
  ...readdirSync('dist').filter((file) => /^cli.*\.cjs$/.test(file)),
  ...readdirSync('dist/vendor').filter((file) => file.endsWith('.cjs')).map((file) => `vendor/${file}`),
].sort();
const buildHash = createHash('sha256');
for (const file of loadedFiles) {
  const text = readFileSync(`dist/${file}`, 'utf8');
  // Code compiled by vm.Script cannot import(): every import() must have become a require().
  if (/(^|[^.\w$])import\(/.test(text.replace(/\/\/# sourceMappingURL=.*$/m, ''))) throw new Error(`dist/${file} holds an import(): it cannot run from the code cache`);
  buildHash.update(`${file}\0`).update(text).update('\0');
}
const entrySource = readFileSync('dist/cli.cjs', 'utf8');
if (!entrySource.startsWith('"use strict";')) throw new Error('dist/cli.cjs does not start with "use strict";');
writeFileSync('dist/cli.cjs', entrySource.replace('"use strict";', `"use strict";/*t0ken-build:${buildHash.digest('hex').slice(0, 16)}*/`));
