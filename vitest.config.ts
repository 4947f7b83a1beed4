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
    // Many files mostly wait (a keychain's 20 s limit, a child's signal, a pty): four at once on 2 cores
    // took the suite from 362 s (one worker, the default there) to 137 s, measured on an idle machine.
    maxWorkers: 4,
    // `npx vitest run --coverage`: what the in-process tests reach of src/ (spawned runs are not counted).
    coverage: { provider: 'v8', include: ['src/**/*.ts'], reporter: ['text-summary', 'json-summary'], reportsDirectory: 'coverage', reportOnFailure: true },
  },
});
