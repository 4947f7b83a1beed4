import { createRequire } from 'node:module';

/**
 * Loads a node builtin or a CommonJS package when first needed. Not `await import()`: the published
 * bundle is CommonJS (see scripts/build.mjs), where import() would start Node's ESM loader.
 */
export const lazyRequire: NodeJS.Require = createRequire(import.meta.url);
