import type { Output } from './output.js';

/** Runs `task` behind an ora spinner on stderr, only when stderr is a terminal and output is for people. */
export async function withSpinner<T>(out: Output, env: NodeJS.ProcessEnv, text: string, task: () => Promise<T>): Promise<T> {
  // A terminal that reports no width (some pseudo-terminals) would make ora redraw endlessly.
  if (out.json || out.quiet || !out.stderrIsTTY || isCI(env) || !(process.stderr.columns > 0)) return task();
  const { default: ora } = await import('ora');
  const spinner = ora({ text, stream: process.stderr, discardStdin: false }).start();
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
