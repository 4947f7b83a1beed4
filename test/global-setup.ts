import { execFileSync } from 'node:child_process';

/** The e2e tests spawn bin/t0ken.js, which runs dist/: build it once before any test. */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
