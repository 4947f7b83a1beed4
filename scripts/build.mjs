// Bundles src/cli.ts into dist/ with code splitting: every `import()` of a command becomes its own
// chunk, so a command loads only what it uses. Type-checking is `npm run typecheck` (tsc).
import { build } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
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

const result = await build({
  metafile: true,
  plugins: [lazyChildProcessForCommander],
  entryPoints: { cli: 'src/cli.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Dependencies are bundled too: one ESM graph loads faster than node_modules resolution plus
  // the CommonJS loader (commander is CJS). CJS code that calls require() gets a real one.
  banner: { js: "import { createRequire as __t0kenRequire } from 'node:module'; const require = __t0kenRequire(import.meta.url);" },
  minify: true,
  // Loaded only off the common paths (a proxy is set; not Linux), and their CommonJS named exports
  // do not survive bundling: resolved from node_modules at run time instead.
  external: ['undici', 'systeminformation'],
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: false,
  define: { __T0KEN_VERSION__: JSON.stringify(version) },
  logLevel: 'warning',
});

// Which sources each output file holds: the lazy-loading test maps loaded chunks back to packages.
writeFileSync(new URL('../dist/meta.json', import.meta.url), JSON.stringify(result.metafile.outputs));

// completions/ holds the same scripts `t0ken completion <shell>` prints, generated from the tree.
const { execFileSync } = await import('node:child_process');
const bin = new URL('../bin/t0ken.js', import.meta.url).pathname;
for (const [shell, file] of [['bash', 't0ken.bash'], ['zsh', '_t0ken'], ['fish', 't0ken.fish']]) {
  const script = execFileSync(process.execPath, [bin, 'completion', shell], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  writeFileSync(new URL(`../completions/${file}`, import.meta.url), script);
}
