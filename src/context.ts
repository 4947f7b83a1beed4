import { DEFAULT_MNEMOM_API_URL, DEFAULT_T0KEN_API_URL, normalizeBaseUrl } from './core/url.js';
import { parseTimeoutSeconds } from './core/validate.js';
import { tableWidth } from './core/wrap.js';
import { colorLevel } from './ui/color.js';
import { Output } from './ui/output.js';
import type { PromptGate } from './ui/prompt.js';
import type { CliIO, StdinReader, TerminalStreams } from './platform/io.js';
import { loadStyle } from './ui/style.js';
import { configDir } from './store/paths.js';

/** What commander hands us for the global options. */
export interface GlobalOptions {
  json?: boolean;
  input?: boolean;   // --no-input sets false
  quiet?: boolean;
  debug?: boolean;
  color?: boolean;   // --no-color sets false
  timeout?: string;
}

/** Everything a command needs from the outside world, resolved once. */
export interface Context {
  readonly out: Output;
  readonly env: NodeJS.ProcessEnv;
  readonly json: boolean;
  readonly debug: boolean;
  readonly timeoutMs: number;
  readonly prompt: PromptGate;
  readonly configDir: string;
  /** The working directory relative paths on the command line are read from. */
  readonly cwd: string;
  /** The clock (milliseconds since the epoch). */
  now(): number;
  readonly stdin: StdinReader;
  /** Streams for what draws on the terminal (prompts, the spinner). */
  terminal(): TerminalStreams;
  t0kenBaseUrl(): string;
  mnemomBaseUrl(): string;
  /** The trace sink for --debug, or undefined. */
  trace: ((line: string) => void) | undefined;
}

export async function createContext(globals: GlobalOptions, io: CliIO): Promise<Context> {
  const json = globals.json === true;
  const debug = globals.debug === true || io.env.T0KEN_DEBUG === '1' || io.env.T0KEN_DEBUG === 'true';
  const flagEnabled = globals.color !== false && !json;
  const outLevel = colorLevel({ flagEnabled, env: io.env, isTTY: io.stdout.isTTY === true });
  const errLevel = colorLevel({ flagEnabled, env: io.env, isTTY: io.stderr.isTTY === true });
  const [style, errStyle] = await Promise.all([loadStyle(outLevel), loadStyle(errLevel)]);
  const out = new Output({ json, quiet: globals.quiet === true, stdout: io.stdout, stderr: io.stderr, style, errStyle, width: tableWidth(io.stdout.columns, io.env) });
  const timeoutMs = globals.timeout === undefined ? 15_000 : parseTimeoutSeconds(globals.timeout);
  return {
    out,
    env: io.env,
    json,
    debug,
    timeoutMs,
    prompt: {
      input: globals.input !== false && !json, // --json: no prompt, as no spinner and no colour (the contract's Output)
      env: io.env,
      get stdinIsTTY() {
        return io.stdin.isTTY();
      },
      stderrIsTTY: io.stderr.isTTY === true,
      terminal: () => io.terminal(),
    },
    configDir: configDir(io.env),
    get cwd() {
      return io.cwd;
    },
    now: () => io.now(),
    stdin: io.stdin,
    terminal: () => io.terminal(),
    t0kenBaseUrl: () => normalizeBaseUrl(io.env.T0KEN_API_URL || DEFAULT_T0KEN_API_URL, 'T0KEN_API_URL'),
    mnemomBaseUrl: () => normalizeBaseUrl(io.env.MNEMOM_API_URL || DEFAULT_MNEMOM_API_URL, 'MNEMOM_API_URL'),
    trace: debug ? (line) => out.debug(line) : undefined,
  };
}
