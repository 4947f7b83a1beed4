import type { Output } from './output.js';
import type { TerminalStreams } from '../platform/io.js';

/** What a spinner needs of the run: its output, its environment and its terminal. */
export interface SpinnerRun {
  readonly out: Output;
  readonly env: NodeJS.ProcessEnv;
  terminal(): TerminalStreams;
}

/** Runs `task` behind an ora spinner on stderr, only when stderr is a terminal and output is for people. */
export async function withSpinner<T>(run: SpinnerRun, text: string, task: () => Promise<T>): Promise<T> {
  const { out, env } = run;
  if (out.json || out.quiet || !out.stderrIsTTY || isCI(env)) return task();
  // A terminal that reports no width (some pseudo-terminals) would make ora redraw endlessly.
  const stream = run.terminal().output;
  if (!((stream.columns ?? 0) > 0)) return task();
  const { default: ora } = await import('ora');
  const spinner = ora({ text, stream: stream as NodeJS.WriteStream, discardStdin: false }).start();
  try {
    return await task();
  } finally {
    spinner.stop();
  }
}

export function isCI(env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}
