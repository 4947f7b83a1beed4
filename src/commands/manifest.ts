import { argvView, commandKey, type Manifest } from '../core/command-spec.js';
import { COMMANDS, programSpec } from './index.js';

// Inlined by the build (scripts/build.mjs) as JSON, so that a run reads the specs without evaluating
// every command module; run from the sources (tests), they are collected from the modules.
declare const __T0KEN_MANIFEST__: string | undefined;
declare const __T0KEN_ARGV__: string | undefined;

let full: Manifest | undefined;
let forArgv: Manifest | undefined;

/** Every command's spec, prose included (help, completion, commander). */
export async function manifest(): Promise<Manifest> {
  full ??= typeof __T0KEN_MANIFEST__ === 'string' ? (JSON.parse(__T0KEN_MANIFEST__) as Manifest) : await collectManifest();
  return full;
}

/** The specs without their prose: what the argv parsers read at every run. */
export async function argvManifest(): Promise<Manifest> {
  forArgv ??= typeof __T0KEN_ARGV__ === 'string' ? (JSON.parse(__T0KEN_ARGV__) as Manifest) : argvView(await manifest());
  return forArgv;
}

/** Loads every command module for its spec (the build does this once). */
export async function collectManifest(): Promise<Manifest> {
  const entries = Object.entries(COMMANDS);
  const modules = await Promise.all(entries.map(([, load]) => load()));
  const commands = modules.map(({ spec }, i) => {
    if (commandKey(spec) !== entries[i]![0]) throw new Error(`commands/index.ts names ${entries[i]![0]} but its spec says ${commandKey(spec)}`);
    return spec;
  });
  return { program: programSpec, commands };
}
