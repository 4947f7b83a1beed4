import { lstatSync, readFileSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { makeDirectories } from './make-directories.js';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { CliError } from '../../core/errors.js';
import { writeFileAtomic } from './atomic-write.js';
import { LockTimeoutError, withFileLock } from './lock.js';
import { describeErrno } from './errno.js';

/**
 * Another program's config file (an MCP client's): read it whole, or undefined when it does not exist.
 * Only a regular file is read: a FIFO would block forever and a device (/dev/zero) never ends.
 */
export function readTextFile(path: string, limitBytes = 1024 * 1024): string | undefined {
  try {
    const stats = statSync(path);
    if (!stats.isFile()) throw fileError(new Error('it is not a regular file'), 'read', path);
    if (stats.size > limitBytes) throw fileError(new Error(`larger than ${limitBytes} bytes`), 'read', path);
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fileError(error, 'read', path);
  }
}

/**
 * Reads the file, computes its new text and replaces it (see replaceTextFile), holding a lock file
 * beside it (`.<name>.t0ken-lock`) meanwhile, so that t0ken processes writing the same file at once
 * (a set-up script adding several servers in parallel) each keep the others' changes.
 * Returns the path written (the symlink's target, when the file is a link). `within`: a directory
 * the file must stay inside, links and all (a project's file: a cloned project's links are someone
 * else's, and could send the write, and the directories made for it, anywhere the user may write).
 */
export async function updateTextFile(path: string, change: (existing: string | undefined) => string, options: { within?: string } = {}): Promise<string> {
  let target = path;
  try {
    target = followLinks(path);
    if (options.within !== undefined) confine(path, target, options.within);
    makeDirectories(dirname(target));
  } catch (error) {
    throw fileError(error, 'prepare', path);
  }
  const lockPath = join(dirname(target), `.${basename(target)}.t0ken-lock`);
  try {
    return await withFileLock(lockPath, () => replaceTextFile(target, change(readTextFile(target))));
  } catch (error) {
    if (error instanceof LockTimeoutError) {
      throw new CliError('local_state', `${target} is being written by another t0ken process (${error.holder})`, {
        hint: `Wait for it to finish; if no t0ken is running, delete ${lockPath}.`,
        cause: error,
      });
    }
    if ((error as NodeJS.ErrnoException).code === undefined) throw error; // a CliError already, or a bug
    throw fileError(error, 'write', target);
  }
}

/**
 * Replaces the file atomically (temp file in the same directory, fsync, rename), keeping its mode;
 * a symlink is followed, so a dotfile manager's link stays a link. Creates missing parent directories.
 */
export function replaceTextFile(path: string, text: string): string {
  let target = path;
  let mode = 0o644;
  try {
    target = followLinks(path);
    mode = statSync(target).mode & 0o777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw fileError(error, 'inspect', path);
  }
  try {
    makeDirectories(dirname(target));
    writeFileAtomic(target, text, mode);
  } catch (error) {
    throw fileError(error, 'write', target);
  }
  return target;
}

/**
 * Where a chain of symbolic links ends, even when its last target does not exist yet (a dotfile
 * manager's link to a file it has not created): writing there keeps every link a link.
 */
function followLinks(path: string): string {
  let target = path;
  for (let hops = 0; hops < 40; hops++) {
    try {
      if (!lstatSync(target).isSymbolicLink()) return target;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return target;
      throw error;
    }
    target = resolve(dirname(target), readlinkSync(target));
  }
  throw Object.assign(new Error(`too many levels of symbolic links`), { code: 'ELOOP' });
}

function confine(path: string, target: string, within: string): void {
  const root = realpathSync(within);
  const real = realLocation(target);
  const rest = real === undefined ? undefined : relative(root, real);
  if (rest !== undefined && rest !== '' && !rest.startsWith('..') && !isAbsolute(rest)) return;
  throw new CliError('local_state', `${path} leads out of ${within} ${real === undefined ? '(through a link to a place that does not exist)' : `(to ${real})`}: t0ken writes a project's file only inside the project`, {
    hint: `A link in a project can point anywhere: remove it (rm ${path}) and run this again, or write the entry there by hand (run this without --write).`,
  });
}

/** Where the path really is: its deepest existing directory with links resolved, and the rest; undefined through a link to nothing. */
function realLocation(path: string): string | undefined {
  const rest: string[] = [];
  for (let at = path; ; at = dirname(at)) {
    try {
      return join(realpathSync(at), ...rest);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(at) === at) throw error;
      if (lstatSync(at, { throwIfNoEntry: false })?.isSymbolicLink()) return undefined;
      rest.unshift(basename(at));
    }
  }
}

function fileError(error: unknown, action: string, path: string): CliError {
  if (error instanceof CliError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  return new CliError('local_state', `could not ${action} ${path}: ${describeErrno(error)}`, {
    hint: code === 'EACCES' || code === 'EPERM' ? `Check the permissions of ${path} and its directory.` : `It was left as it was. Check ${path} and its directory.`,
    cause: error,
  });
}
