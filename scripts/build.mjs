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

// completions/ holds the same scripts `t0ken completion <shell>` prints, generated from the tree.
const { execFileSync } = await import('node:child_process');
const { writeFileSync } = await import('node:fs');
const bin = new URL('../bin/t0ken.js', import.meta.url).pathname;
for (const [shell, file] of [['bash', 't0ken.bash'], ['zsh', '_t0ken'], ['fish', 't0ken.fish']]) {
  const script = execFileSync(process.execPath, [bin, 'completion', shell], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  writeFileSync(new URL(`../completions/${file}`, import.meta.url), script);
}
