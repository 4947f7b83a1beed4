import { lazyRequire } from './lazy-require.js';

/**
 * The user's home directory, as os.homedir() finds it, but from `env` (the run's, which need not be
 * the process's) and without loading node:os (~0.2 ms of every start-up) when the variable answers:
 * libuv takes HOME (USERPROFILE on Windows) when it is set, even empty, and asks the password
 * database only when it is not.
 */
export function homeDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string {
  const fromEnv = platform === 'win32' ? env.USERPROFILE : env.HOME;
  if (fromEnv !== undefined) return fromEnv;
  try {
    return (lazyRequire('node:os') as typeof import('node:os')).userInfo().homedir;
  } catch {
    return ''; // a uid the password database does not know (a container's): as an empty HOME, refused wherever a path under it is needed
  }
}

/** Why no home directory is known: no HOME, and a uid the password database does not know (a container's). */
export const HOME_UNSET = 'HOME is not set, and the password database has no home for this user';

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
