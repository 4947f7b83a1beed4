import { providerKeyOptions } from './provider-key-options.js';
import type { CommandSpec } from '../core/command-spec.js';
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Context } from '../context.js';
import { usageError } from '../core/errors.js';
import { hashProof, plainSha256Hex, type Sha256Hex } from '../core/proof.js';
import { AGENT_NAME_PATTERN, validateAgentName } from '../core/validate.js';
import { quoteGiven } from '../core/mask.js';
import { nativeSha256Hex } from '../platform/native-sha256.js';
import { readPipeSync, StdinTooLarge } from '../platform/stdin.js';
import { readProviderKey, type ProviderKeyOptions } from '../identity/provider-key.js';

export const spec: CommandSpec = {
  path: ['hash-proof'],
  group: 'Agents (Mnemom):',
  summary: 'compute the hash proof of a provider key',
  description: 'Compute SHA256(providerKey + "|" + name), or SHA256(providerKey) without --name, locally. The key is read from stdin, an env var, or a hidden prompt, never from argv.',
  options: [
    { flags: '--name <name>', description: 'agent name (2-32 letters, digits, hyphens)' },
    ...providerKeyOptions(),
    { flags: '--short', description: 'print the 16-character agent_hash only' },
    { flags: '--names-from <file>', description: 'one proof per name, read one a line from a file or - (stdin); --json prints JSON Lines', file: true },
  ],
  examples: ['printf %s "$ANTHROPIC_API_KEY" | t0ken hash-proof --name my-agent --key-stdin', 't0ken hash-proof --name my-agent --key-env ANTHROPIC_API_KEY --short', 't0ken hash-proof --names-from fleet.txt --key-env ANTHROPIC_API_KEY --json > proofs.jsonl'],
};

interface HashProofOptions extends ProviderKeyOptions {
  name?: string;
  short?: boolean;
  namesFrom?: string;
}

/** A names file larger than this is refused (about a million names). */
const MAX_NAMES_BYTES = 32 * 1024 * 1024;
/**
 * From this many names on, node:crypto's digest: loading it costs ~3 ms, but the plain TypeScript one
 * runs interpreted until V8 optimises it. Measured (whole runs against `node -e 0`): plain wins at 20
 * names, node:crypto at 40 and beyond (1.58 against 1.84 at 10,000).
 */
const NATIVE_DIGEST_FROM = 32;

/** Prints the hash proof of a provider key; the key itself never leaves this process. */
export async function run(ctx: Context, options: HashProofOptions): Promise<void> {
  if (options.namesFrom !== undefined) return many(ctx, options, options.namesFrom);
  const name = options.name === undefined ? undefined : validateAgentName(options.name);
  const proof = hashProof(await readProviderKey(ctx, options), name);
  ctx.out.result(proof, () => (options.short ? proof.agent_hash : proof.hash_proof));
}

/**
 * `--names-from <file|->`: one proof per name, one name a line, the key read once. With --json,
 * JSON Lines. A bad name stops the run: the proofs before it are printed, nothing after it.
 */
async function many(ctx: Context, options: HashProofOptions, source: string): Promise<void> {
  if (options.name !== undefined) throw usageError('--name and --names-from do not go together', 'Put every name in the --names-from file, one a line.');
  if (source === '-' && options.keyStdin) {
    throw usageError('--names-from - and --key-stdin both want stdin', 'Pass the key with --key-env <VAR>, or the names in a file: --names-from names.txt.');
  }
  const text = readNames(ctx, source).replace(/^\uFEFF/, ''); // a byte-order mark (Notepad's), as CRLF below
  const key = await readProviderKey(ctx, options);
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop(); // the final newline ends the last line
  const digest: Sha256Hex = lines.length >= NATIVE_DIGEST_FROM ? nativeSha256Hex() : plainSha256Hex;
  const json: unknown[] = [];
  const human: string[] = [];
  let bad: { line: number; name: string } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const name = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (name === '') continue; // blank lines carry no name
    if (!AGENT_NAME_PATTERN.test(name)) {
      bad = { line: i + 1, name };
      break;
    }
    const proof = hashProof(key, name, digest);
    if (ctx.json) json.push(proof);
    else human.push(options.short ? proof.agent_hash : proof.hash_proof);
  }
  ctx.out.resultLines(json, human);
  if (bad) {
    const where = source === '-' ? 'stdin' : source;
    throw usageError(
      `${where} line ${bad.line}: invalid agent name ${quoteGiven(bad.name)}: use 2 to 32 letters, digits or hyphens, starting and ending with a letter or digit`,
      `Fix line ${bad.line} and run again; the proofs for the lines before it were printed, none after it.`,
    );
  }
}

function readNames(ctx: Context, source: string): string {
  if (source === '-') {
    try {
      return ctx.stdin.read(MAX_NAMES_BYTES).toString('utf8');
    } catch (error) {
      if (error instanceof StdinTooLarge) throw usageError(`the names on stdin are larger than ${MAX_NAMES_BYTES / 1024 / 1024} MiB`, 'Split them into several runs.');
      throw error;
    }
  }
  if (source === '') throw usageError('--names-from is empty', 'Pass a file with one agent name a line, or - for stdin.');
  try {
    const path = resolve(ctx.cwd, source);
    const stats = statSync(path);
    if (stats.isFIFO()) return readPipeSync(path, MAX_NAMES_BYTES).toString('utf8'); // `--names-from <(grep … names.txt)`
    if (!stats.isFile()) throw usageError(`--names-from ${source} is not a file`, 'Pass a file with one agent name a line, or - for stdin.');
    if (stats.size > MAX_NAMES_BYTES) throw usageError(`--names-from ${source} is larger than ${MAX_NAMES_BYTES / 1024 / 1024} MiB`, 'Split it into several runs.');
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as { exitCode?: unknown }).exitCode !== undefined) throw error;
    if (error instanceof StdinTooLarge) throw usageError(`--names-from ${source} is larger than ${MAX_NAMES_BYTES / 1024 / 1024} MiB`, 'Split it into several runs.');
    throw usageError(`cannot read --names-from ${source} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, 'Check the path, or pass - to read the names from stdin.');
  }
}
