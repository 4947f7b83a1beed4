#!/usr/bin/env node
// Start-up shim: answer a bare --version without loading the CLI, enable Node's compile cache where
// it exists (Node >= 22.1), then hand over to the bundle.
import module from 'node:module';
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`${pkg.version}\n`);
} else {
  module.enableCompileCache?.();
  const { main } = await import('../dist/cli.js');
  await main(process.argv);
}
