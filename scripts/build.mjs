// Bundles src/cli.ts into dist/ with code splitting: every `import()` of a command becomes its own
// chunk, so a command loads only what it uses. Type-checking is `npm run typecheck` (tsc).
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: { cli: 'src/cli.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: false,
  define: { __T0KEN_VERSION__: JSON.stringify(version) },
  logLevel: 'warning',
});
