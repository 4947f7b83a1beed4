import { join } from 'node:path';
import { homeDir } from '../platform/home.js';

/**
 * The per-user config directory: T0KEN_CONFIG_DIR when set (nothing is then written under HOME),
 * else the platform's config location (`~/.config/t0ken` on Linux, honouring XDG_CONFIG_HOME).
 */
export function configDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string {
  if (env.T0KEN_CONFIG_DIR) return env.T0KEN_CONFIG_DIR;
  if (platform === 'win32') return join(env.APPDATA || join(homeDir(env, platform), 'AppData', 'Roaming'), 't0ken');
  if (platform === 'darwin') return join(homeDir(env, platform), 'Library', 'Preferences', 't0ken');
  return join(env.XDG_CONFIG_HOME || join(homeDir(env, platform), '.config'), 't0ken');
}

export const configFile = (dir: string): string => join(dir, 'config.json');
export const lockFile = (dir: string): string => join(dir, 'config.json.lock');
