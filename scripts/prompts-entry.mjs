// The prompts t0ken uses, and only those, bundled into dist/vendor/prompts.js (see build.mjs).
export { confirm, input, password } from '@inquirer/prompts';
