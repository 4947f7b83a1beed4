import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Measured on 2 cores (test/unit plus six in-process files, 488 tests, CPU seconds user+sys):
    // forks 33, threads 27, threads without isolation 15. The CLI's runs share no module state
    // (runCli takes its io per run), so test files may share one module graph per worker.
    pool: 'threads',
    isolate: false,
    // `npx vitest run --coverage`: what the in-process tests reach of src/ (spawned runs are not counted).
    coverage: { provider: 'v8', include: ['src/**/*.ts'], reporter: ['text-summary', 'json-summary'], reportsDirectory: 'coverage', reportOnFailure: true },
  },
});
