import { userInfo } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { homeDir } from '../../src/platform/home.js';
import { configDir } from '../../src/store/paths.js';

describe('where the config lives', () => {
  it('T0KEN_CONFIG_DIR wins; else XDG_CONFIG_HOME on Linux; else the home directory HOME names', () => {
    expect(configDir({ T0KEN_CONFIG_DIR: '/x/t0', HOME: '/home/a' }, 'linux')).toBe('/x/t0');
    expect(configDir({ XDG_CONFIG_HOME: '/cfg', HOME: '/home/a' }, 'linux')).toBe(join('/cfg', 't0ken'));
    expect(configDir({ HOME: '/home/a' }, 'linux')).toBe(join('/home/a', '.config', 't0ken'));
    expect(configDir({ HOME: '/Users/a' }, 'darwin')).toBe(join('/Users/a', 'Library', 'Preferences', 't0ken'));
    expect(configDir({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32')).toBe(join('C:\\Users\\a\\AppData\\Roaming', 't0ken'));
  });

  it('the home directory is what os.homedir() would say: HOME (USERPROFILE on Windows), else the password database', () => {
    expect(homeDir({ HOME: '/home/a' }, 'linux')).toBe('/home/a');
    expect(homeDir({ HOME: '/home/a', USERPROFILE: 'C:\\Users\\b' }, 'win32')).toBe('C:\\Users\\b');
    expect(homeDir({}, 'linux')).toBe(userInfo().homedir);
    // Set but empty is '' for os.homedir() too (`HOME= node -p 'os.homedir()'`), whatever this process's HOME is.
    expect(homeDir({ HOME: '' }, 'linux')).toBe('');
  });
});
