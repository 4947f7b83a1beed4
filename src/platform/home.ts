import { lazyRequire } from './lazy-require.js';

/**
 * The user's home directory, as os.homedir() finds it (libuv reads HOME, USERPROFILE on Windows,
 * before asking the password database), but without loading node:os (~0.2 ms of every start-up)
 * when the variable answers.
 */
export function homeDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string {
  const fromEnv = platform === 'win32' ? env.USERPROFILE : env.HOME;
  return fromEnv || (lazyRequire('node:os') as typeof import('node:os')).homedir();
}

/**
 * For the example in a hint about a bad HOME: the password database's home directory of the user
 * running t0ken (not HOME, which is what went wrong), or /home/you when it has none.
 */
export function homeForExamples(): string {
  try {
    return (lazyRequire('node:os') as typeof import('node:os')).userInfo().homedir;
  } catch {
    return '/home/you';
  }
}
