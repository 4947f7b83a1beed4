import { chmodSync, closeSync, fchmodSync, readSync } from 'node:fs';
import { makeDirectories } from '../platform/fs/make-directories.js';
import { isCliError, stateError, type CliError } from '../core/errors.js';
import { configFile, lockFile } from './paths.js';
import { ConfigFormatError, NewerConfigError, emptyConfig, parseConfig, serializeConfig, type ConfigData } from './schema.js';
import { LockTimeoutError, withFileLock, type LockOptions } from '../platform/fs/lock.js';
import { proveWritable, sweepTempFiles, writeFileAtomic } from '../platform/fs/atomic-write.js';
import { MAX_CONFIG_BYTES, checkConfigDir, configDirLabel, openConfigFile, requireAbsoluteConfigDir } from './safety.js';
import { failedParent, fileSystemError, isFileSystemErrno } from '../platform/fs/errno.js';
import { shQuoteIfNeeded } from '../core/quote.js';

export interface StoreOptions {
  dir: string;
  /** True for the default per-user location: t0ken owns it and re-tightens it to 0700 on every write. */
  ownsDir: boolean;
  onWarning?: (message: string) => void;
  /** The environment the directory came from, to name the variable at fault for a relative path. */
  env?: NodeJS.ProcessEnv;
  lock?: LockOptions;
}

const FILE_MODE = 0o600;
const DIR_MODE = 0o700;
/** Room a write needs beyond the current file: a new account or key is well under this. */
const WRITE_HEADROOM = 16 * 1024;

/**
 * A change to the stored state, made under the lock: synchronous on purpose, so nothing slow (the
 * keychain, the network) can run while other t0ken processes wait for the lock. Talk to the
 * keychain first, then apply what it did to the freshest state here.
 */
export type Mutation = (data: ConfigData) => undefined;

/**
 * The config file. Every access first checks the directory and file as ssh would (safety.ts).
 * Reads take no lock; writes take the cross-process lock only for read-modify-write and replace the
 * file atomically (atomic-write.ts). A file that cannot be read or understood is never rewritten:
 * the caller gets exit 7, as it does for every file-system error.
 */
export class ConfigStore {
  readonly dir: string;
  readonly path: string;
  readonly lockPath: string;
  private readonly ownsDir: boolean;
  private readonly onWarning: (message: string) => void;
  private readonly env: NodeJS.ProcessEnv;
  private readonly lockOptions: LockOptions | undefined;

  constructor(options: StoreOptions) {
    this.dir = options.dir;
    this.path = configFile(options.dir);
    this.lockPath = lockFile(options.dir);
    this.ownsDir = options.ownsDir;
    this.onWarning = options.onWarning ?? (() => {});
    this.env = options.env ?? {};
    this.lockOptions = options.lock;
  }

  /** The stored state (empty when nothing is stored yet). Takes no lock. */
  read(): ConfigData {
    requireAbsoluteConfigDir(this.dir, this.env);
    if (!checkConfigDir(this.dir, configDirLabel(!this.ownsDir))) return emptyConfig();
    return this.readFile();
  }

  /**
   * Call before a request whose answer must be stored (register, claim, verify): checks the
   * directory, takes the lock and proves a write of the file's size would succeed, then lets go.
   * A read-only directory, a full disk or a foreign lock then costs no key or code issued. The lock
   * is not kept across the request and the keychain (up to 15 s and 20 s): every other t0ken would
   * queue behind them and give up at the lock's 10 s. What can change in between (another writer's
   * record) is re-read by `update`; what cannot be proved ahead (a disk that fills meanwhile) ends
   * in the error that says what the service did (identity/stored-answer.ts).
   */
  async prepareWrite(): Promise<void> {
    this.ensureDir();
    await this.locked(() => {
      const current = this.readFile(); // a corrupt or foreign file stops us here too
      const bytes = Buffer.byteLength(serializeConfig(current)) + WRITE_HEADROOM;
      if (bytes > MAX_CONFIG_BYTES) throw this.tooLarge();
      proveWritable(this.path, bytes);
    });
  }

  /** Applies `mutate` to the freshest state under the lock and writes the result atomically. */
  async update(mutate: Mutation): Promise<ConfigData> {
    this.ensureDir();
    return this.locked(async () => {
      sweepTempFiles(this.path); // left by a writer killed mid-write
      const data = this.readFile();
      mutate(data);
      const text = serializeConfig(data);
      if (Buffer.byteLength(text) > MAX_CONFIG_BYTES) throw this.tooLarge(); // never a file t0ken itself would refuse to read
      writeFileAtomic(this.path, text, FILE_MODE);
      return data;
    });
  }

  private async locked<T>(task: () => T | Promise<T>): Promise<T> {
    try {
      return await withFileLock(this.lockPath, task, this.lockOptions);
    } catch (error) {
      if (error instanceof LockTimeoutError) {
        throw stateError(
          `the config file is locked by another t0ken process (${error.holder})`,
          `Wait for it to finish; if no t0ken is running, delete ${shQuoteIfNeeded(error.lockPath)}.`,
          error,
        );
      }
      if (!isFileSystemErrno(error)) throw error; // a CliError already, or a bug (exit 1, as it should be)
      // The path that failed: the lock or a temp file (the directory is at fault) or config.json.
      const failed = (error as NodeJS.ErrnoException).path ?? this.path;
      throw fileSystemError(error, failed === this.path ? 'write the config file' : 'write in the config directory:', failed, this.dir);
    }
  }

  /** Reads and parses config.json: never through a symlink, only the user's own, at most 1 MiB. */
  private readFile(): ConfigData {
    const opened = openConfigFile(this.path);
    if (!opened) return emptyConfig();
    let text: string;
    try {
      if ((opened.stats.mode & 0o077) !== 0) {
        fchmodSync(opened.fd, FILE_MODE); // the fd, not the path: a swapped-in link is never chmod-ed
        this.onWarning(`${this.path} was readable by others (mode ${(opened.stats.mode & 0o777).toString(8)}); its mode is now 600`);
      }
      text = readCapped(opened.fd, this.path, opened.stats.size);
    } catch (error) {
      throw this.unreadable(error);
    } finally {
      closeSync(opened.fd);
    }
    try {
      return parseConfig(text);
    } catch (error) {
      if (error instanceof NewerConfigError) {
        // Moving it aside would hide what the newer t0ken stored: this one is what is out of date.
        throw stateError(`the config file ${this.path} ${error.written}`, 'Upgrade t0ken (npm install -g t0ken@latest, or the newer checkout) and run the command again. The file was left untouched.', error);
      }
      if (error instanceof ConfigFormatError) {
        throw stateError(
          `the config file ${this.path} is corrupt: ${error.message}`,
          `It was left untouched. Fix or move it aside (mv ${shQuoteIfNeeded(this.path)} ${shQuoteIfNeeded(`${this.path}.bak`)}), then run the command again.`,
          error,
        );
      }
      throw error;
    }
  }

  /** The directory's checks (absolute, the user's own, writable by no one else), without creating it; for other files kept there (the install id). */
  checkDirectory(): void {
    requireAbsoluteConfigDir(this.dir, this.env);
    checkConfigDir(this.dir, configDirLabel(!this.ownsDir));
  }

  /** Creates the directory (0700) if missing, after the same checks. */
  ensureDirectory(): void {
    this.ensureDir();
  }

  private ensureDir(): void {
    requireAbsoluteConfigDir(this.dir, this.env);
    const stats = checkConfigDir(this.dir, configDirLabel(!this.ownsDir));
    try {
      if (!stats) {
        makeDirectories(this.dir, DIR_MODE);
        chmodSync(this.dir, DIR_MODE);
        checkConfigDir(this.dir, configDirLabel(!this.ownsDir));
      } else if (this.ownsDir && (stats.mode & 0o777) !== DIR_MODE) {
        chmodSync(this.dir, DIR_MODE);
      }
    } catch (error) {
      if (isCliError(error)) throw error;
      throw fileSystemError(error, 'create the config directory', this.dir, stats ? this.dir : failedParent(error, this.dir));
    }
  }

  /** config.json is as large as a t0ken config can be: one more record would take it past 1 MiB. */
  private tooLarge(): CliError {
    return stateError(
      `the config file ${this.path} is full: it is close to the 1 MiB a t0ken config can be, and nothing more can be stored in it (it was left as it is)`,
      `Each API URL keeps an account of its own (a sandbox on a new port adds one): forget those you no longer use, T0KEN_API_URL=<url> t0ken logout --yes (the URLs are the keys of "t0ken" in that file), or use a T0KEN_CONFIG_DIR of its own for rehearsals.`,
    );
  }

  private unreadable(error: unknown): CliError {
    if (isCliError(error)) return error;
    return fileSystemError(error, 'read the config file', this.path, this.dir);
  }
}

/** Reads the whole file, but never more than the cap (it may have grown since fstat). */
function readCapped(fd: number, path: string, sizeHint: number): string {
  let buffer = Buffer.allocUnsafe(Math.min(MAX_CONFIG_BYTES + 1, sizeHint + 4096));
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      if (length > MAX_CONFIG_BYTES) {
        throw stateError(`the config file ${path} is over the 1 MiB a t0ken config can be; it was left untouched`, `Move it aside (mv ${shQuoteIfNeeded(path)} ${shQuoteIfNeeded(`${path}.bak`)}), then run the command again.`);
      }
      const grown = Buffer.allocUnsafe(Math.min(MAX_CONFIG_BYTES + 1, buffer.length * 2));
      buffer.copy(grown, 0, 0, length);
      buffer = grown;
    }
    const n = readSync(fd, buffer, length, buffer.length - length, null);
    if (n === 0) break;
    length += n;
  }
  if (length > MAX_CONFIG_BYTES) {
    throw stateError(`the config file ${path} is over the 1 MiB a t0ken config can be; it was left untouched`, `Move it aside (mv ${shQuoteIfNeeded(path)} ${shQuoteIfNeeded(`${path}.bak`)}), then run the command again.`);
  }
  return buffer.toString('utf8', 0, length);
}
