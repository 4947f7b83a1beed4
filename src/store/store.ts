import { chmodSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { isCliError, stateError, type CliError } from '../core/errors.js';
import { configFile, lockFile } from './paths.js';
import { ConfigFormatError, emptyConfig, parseConfig, serializeConfig, type ConfigData } from './schema.js';
import { LockTimeoutError, withFileLock } from './lock.js';

export interface StoreOptions {
  dir: string;
  /** True for the default per-user location: t0ken owns it and re-tightens it to 0700 on every write. */
  ownsDir: boolean;
  onWarning?: (message: string) => void;
}

const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

/**
 * The config file. Reads need no lock and no conf (fast path for read-only commands); writes take
 * the cross-process lock, re-read under it, and write through conf (atomic temp file + rename).
 * A file that cannot be read or understood is never rewritten: the caller gets exit 7.
 */
export class ConfigStore {
  readonly dir: string;
  readonly path: string;
  private readonly ownsDir: boolean;
  private readonly onWarning: (message: string) => void;

  constructor(options: StoreOptions) {
    this.dir = options.dir;
    this.path = configFile(options.dir);
    this.ownsDir = options.ownsDir;
    this.onWarning = options.onWarning ?? (() => {});
  }

  read(): ConfigData {
    let text: string;
    try {
      const stats = statSync(this.path);
      this.checkFile(stats);
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyConfig();
      throw this.unreadable(error);
    }
    try {
      return parseConfig(text);
    } catch (error) {
      if (error instanceof ConfigFormatError) {
        throw stateError(
          `the config file ${this.path} is corrupt: ${error.message}`,
          `It was left untouched. Fix or move it aside (mv ${this.path} ${this.path}.bak), then run the command again.`,
          error,
        );
      }
      throw error;
    }
  }

  /** Applies `mutate` to the freshest state under the lock and writes the result atomically. */
  async update(mutate: (data: ConfigData) => void): Promise<ConfigData> {
    this.ensureDir();
    try {
      return await withFileLock(lockFile(this.dir), async () => {
        const data = this.read();
        mutate(data);
        await this.write(data);
        return data;
      });
    } catch (error) {
      if (error instanceof LockTimeoutError) {
        throw stateError(
          `the config file is locked by another t0ken process (${error.holder})`,
          `Wait for it to finish; if no t0ken is running, delete ${error.lockPath}.`,
          error,
        );
      }
      throw error;
    }
  }

  private async write(data: ConfigData): Promise<void> {
    const { default: Conf } = await import('conf');
    const conf = new Conf<Record<string, unknown>>({
      cwd: this.dir,
      configName: 'config',
      projectSuffix: '',
      configFileMode: FILE_MODE,
      accessPropertiesByDotNotation: false,
      clearInvalidConfig: false,
      serialize: (value) => serializeConfig(value as unknown as ConfigData),
    });
    try {
      conf.store = data as unknown as Record<string, unknown>;
      chmodSync(this.path, FILE_MODE);
    } catch (error) {
      throw stateError(`could not write ${this.path}: ${(error as Error).message}`, 'Check the permissions of the config directory.', error);
    }
  }

  private ensureDir(): void {
    try {
      if (!existsSync(this.dir)) {
        mkdirSync(this.dir, { recursive: true, mode: DIR_MODE });
        chmodSync(this.dir, DIR_MODE);
      } else if (this.ownsDir) {
        chmodSync(this.dir, DIR_MODE);
      }
    } catch (error) {
      throw stateError(`could not create the config directory ${this.dir}: ${(error as Error).message}`, 'Check its permissions, or set T0KEN_CONFIG_DIR to a writable directory.', error);
    }
  }

  /** Refuses a file owned by someone else; re-tightens a file others can read, with a warning. */
  private checkFile(stats: import('node:fs').Stats): void {
    if (!stats.isFile()) {
      throw stateError(`the config path ${this.path} is not a regular file`, 'Move it aside, then run the command again.');
    }
    const uid = process.getuid?.();
    if (uid !== undefined && stats.uid !== uid) {
      throw stateError(
        `the config file ${this.path} is owned by another user (uid ${stats.uid})`,
        `It was left untouched. Fix its owner (chown $(id -u) ${this.path}) or set T0KEN_CONFIG_DIR.`,
      );
    }
    if ((stats.mode & 0o077) !== 0) {
      chmodSync(this.path, FILE_MODE);
      this.onWarning(`${this.path} was readable by others (mode ${(stats.mode & 0o777).toString(8)}); its mode is now 600`);
    }
  }

  private unreadable(error: unknown): CliError {
    const code = (error as NodeJS.ErrnoException).code;
    if (isCliError(error)) return error;
    return stateError(
      `the config file ${this.path} cannot be read (${code ?? (error as Error).message})`,
      'It was left untouched. Check its permissions, or set T0KEN_CONFIG_DIR.',
      error,
    );
  }
}
