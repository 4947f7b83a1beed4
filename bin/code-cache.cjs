'use strict';
// Loads dist/cli.cjs, the pack of the command that runs and the vendored modules it requires, each
// compiled from V8's code cache of an earlier run on this Node. Node's own compile cache (>= 22.1)
// keeps only a file's top level: every function a command calls was compiled again on each run, a
// tenth of `token`'s start-up; Node 20 has no compile cache at all. A cache made after the command
// ran holds those functions too. Written at exit when a file had none (or V8 refused it: another
// Node, other V8 flags, another file), so the first run of a command on a Node line pays for it.
//
// Where: <tmpdir>/t0ken-code-cache-<uid>/<node version>-<arch>-<build id>/, not under HOME (the
// contract writes nothing there when T0KEN_CONFIG_DIR is set). The cache is code this process runs,
// and V8 checks no more than its own version, its flags and the source's length (not a checksum):
// it is used only from a directory this user owns that no one else can write, inside a temp
// directory others cannot rename things in, from files of this user's that no one else can write,
// opened without following links; and only for the file it was made from: the build id (a hash of
// every file loaded this way, stamped into dist/cli.cjs by scripts/build.mjs) names the directory,
// and each file's size and modification time name its cache, as Python's .pyc files are checked, so
// a dist/ file patched after the build is not run from the old one's cache.
// Built-ins by process.getBuiltinModule (Node >= 20.16): require() of one goes through the module
// loader, 13-28 µs a call here and 80 µs for the first (measured on Node 26), and the chunks of
// dist/ ask for node:fs and node:path a dozen times a run.
const builtin = process.getBuiltinModule ?? require;
const fs = builtin('node:fs');
const path = builtin('node:path');
const { Script } = builtin('node:vm');

const Module = module.constructor;
// The functions a run calls are in parentheses: V8 then compiles them with the file instead of at
// their first call, which parses each a second time (the chunks' `require` below took 70 µs at its
// first call, 14 µs so; Node 26). pruneOldCaches, run once per new build, stays lazy. No regular
// expression on the way: V8 compiles one at its first use (docs/speed.md).
const BUILD_STAMP = '"use strict";/*t0ken-build:';
const WRAPPER = Module.wrapper.map((part) => Buffer.from(part));
// Every file loaded this run, by path: its compiled script, its module, its cache file's name.
const loaded = new Map();
// Whether one of them had no cache V8 took: then every cache is written at exit.
let stale = false;
// The build id stamped into dist/cli.cjs, and the directory its caches are kept in.
let cache;

/** dist/cli.cjs's exports, or undefined when the code cache cannot be used (the caller requires it). */
const loadCli = (function loadCli() {
  let file;
  let entry;
  try {
    file = `${path.dirname(__dirname)}/dist/cli.cjs`; // not require.resolve: 2 M instructions on Node 26
    entry = readSource(file);
  } catch {
    return undefined;
  }
  const build = buildIdOf(entry.source, WRAPPER[0].length);
  const dir = build === undefined ? undefined : cacheDir(process.env, build);
  if (dir === undefined) return undefined;
  cache = { build, dir };
  process.on('exit', persist);
  // exec replaces the process (execve), and execve runs no exit handlers: it calls this first.
  globalThis[Symbol.for('t0ken.persistCodeCache')] = persist;
  return load(file, entry);
});

/** The build id stamped at `at` (letters, digits or _), or undefined. */
const buildIdOf = (function buildIdOf(source, at) {
  if (!source.startsWith(BUILD_STAMP, at)) return undefined;
  const start = at + BUILD_STAMP.length;
  const end = source.indexOf('*/', start);
  if (end <= start) return undefined;
  for (let i = start; i < end; i++) {
    const c = source.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95)) return undefined;
  }
  return source.slice(start, end);
});

/**
 * The file's text, already in the CommonJS wrapper, and the name of its cache: its name, size and
 * modification time. The wrapper goes around the bytes (outside V8's heap), so V8 gets one flat
 * string: `Module.wrap(text)` made a second copy of every file when V8 flattened it, about 130 KB
 * of the 770 KB `stats` puts in the young generation (docs/speed.md).
 */
const readSource = (function readSource(file) {
  const fd = fs.openSync(file, 'r');
  try {
    const { size, mtimeMs } = fs.fstatSync(fd);
    const bytes = fs.readFileSync(fd);
    return { source: Buffer.concat([WRAPPER[0], bytes, WRAPPER[1]]).toString('utf8'), cacheName: `${path.basename(file)}.${size}.${Math.trunc(mtimeMs)}` };
  } finally {
    fs.closeSync(fd);
  }
});

/** The cache file's bytes, or undefined: none, a link, or not a file of this user's that only they can write. */
const readCache = (function readCache(file) {
  let fd;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0));
    const stat = fs.fstatSync(fd);
    if (!stat.isFile() || stat.uid !== process.getuid() || (stat.mode & 0o022) !== 0 || stat.nlink !== 1) return undefined;
    return fs.readFileSync(fd);
  } catch {
    return undefined; // none yet
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
});

const load = (function load(file, { source, cacheName }) {
  const known = loaded.get(file);
  if (known) return known.module.exports;
  const cachedData = readCache(path.join(cache.dir, cacheName));
  const script = new Script(source, { filename: file, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) stale = true;
  const module = { exports: {}, filename: file, id: file, loaded: false };
  loaded.set(file, { script, module, cacheName });
  // The packs and vendored modules (`./cli-token.cjs`, `./vendor/ora.cjs`) come through here too,
  // found next to this file (test/helpers/log-requires.cjs sees them opened). Built-ins are the same
  // from any module; a package (`systeminformation`) is resolved from this file, by a require made
  // when first needed: most commands need none, and making one costs a few path resolutions.
  const dir = path.dirname(file);
  let own;
  const ownRequire = () => (own ??= Module.createRequire(file));
  const require = ((id) => {
    if (id.startsWith('node:')) return builtin(id);
    if (!(id.startsWith('./') && id.endsWith('.cjs'))) return ownRequire()(id);
    const target = `${dir}/${id.slice(2)}`;
    return loaded.get(target)?.module.exports ?? load(target, readSource(target));
  });
  for (const name of ['resolve', 'cache', 'main', 'extensions']) Object.defineProperty(require, name, { get: () => ownRequire()[name] });
  try {
    script.runInThisContext().call(module.exports, module.exports, require, module, file, dir);
  } catch (error) {
    loaded.delete(file); // as Node's require does: the next require runs the file again, not half of it
    throw error;
  }
  module.loaded = true;
  return module.exports;
});

/**
 * Writes the cache of every file loaded this run when one of them had none (or V8 refused it):
 * also those whose cache was taken, as the functions this command ran are not in it yet. The
 * directory is checked again (the command may have run for hours). Atomic: a temp file with a random
 * name, created exclusively (never through a link someone left there), then renamed, so
 * a parallel run reads the old cache or the new, never half of one. A failure only means no cache:
 * nothing is printed.
 */
const persist = (function persist() {
  if (!stale) return;
  stale = false;
  const { build, dir } = cache;
  if (cacheDir(process.env, build) !== dir) return;
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
    pruneOldCaches(path.dirname(dir), dir);
  } catch {
    // there already (or the writes below fail)
  }
  for (const { script, cacheName } of loaded.values()) {
    const file = path.join(dir, cacheName);
    const temp = `${file}.${process.pid}-${Math.random().toString(36).slice(2)}.tmp`;
    try {
      fs.writeFileSync(temp, script.createCachedData(), { mode: 0o600, flag: 'wx' });
      fs.renameSync(temp, file);
    } catch {
      try {
        fs.rmSync(temp, { force: true });
      } catch {
        // nothing to remove
      }
    }
  }
  removeReplacedCaches(dir, new Set([...loaded.values()].map(({ cacheName }) => cacheName)));
});

/**
 * The caches of other versions of the files just written (same name, another size or time: a
 * reinstall of the same build, a patched file) go once no run has written them for a day, or each
 * reinstall would leave its caches behind. Not at once: two installs of one version (a global one
 * and npx's) share the directory, and would remove each other's caches at every switch. Temp files
 * (`….tmp`) are a parallel run's, and stay.
 */
function removeReplacedCaches(dir, current) {
  const sourceOf = (name) => name.replace(/\.\d+\.\d+$/, '');
  const sources = new Set([...current].map(sourceOf));
  try {
    for (const name of fs.readdirSync(dir)) {
      if (current.has(name) || sourceOf(name) === name || !sources.has(sourceOf(name))) continue;
      const file = path.join(dir, name);
      if (fs.lstatSync(file).mtimeMs < Date.now() - DAY_MS) fs.rmSync(file, { force: true });
    }
  } catch {
    // left for the next run that writes
  }
}

const DAY_MS = 24 * 60 * 60 * 1000;
const MONTH_MS = 30 * DAY_MS;

/**
 * A new Node version or t0ken build got its cache directory: the caches of others that no run has
 * written to for a month go (a few hundred KB each). One still in use is made again by its next run.
 */
function pruneOldCaches(root, keep) {
  for (const name of fs.readdirSync(root)) {
    const dir = path.join(root, name);
    if (dir === keep) continue;
    try {
      const stat = fs.lstatSync(dir);
      if (stat.isDirectory() && stat.mtimeMs < Date.now() - MONTH_MS) fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // gone already, or not ours to remove: left
    }
  }
}

/**
 * <tmpdir>/t0ken-code-cache-<uid>/<node>-<arch>-<build>, or undefined: no uid (Windows), a relative
 * temp directory, a temp directory someone else may rename things in (not this user's or root's,
 * or writable by others without the sticky bit: the cache directory could be swapped after this
 * check), or a cache directory that is not this user's own, a symbolic link, or that others may
 * write (made by someone else before us: its files could be anyone's code). The temp directory is
 * os.tmpdir()'s on POSIX ($TMPDIR, $TMP, $TEMP, else /tmp) without loading node:os.
 */
const cacheDir = (function cacheDir(env, build) {
  if (typeof process.getuid !== 'function') return undefined;
  const uid = process.getuid();
  let tmp = env.TMPDIR || env.TMP || env.TEMP || '/tmp';
  let end = tmp.length;
  while (end > 1 && tmp[end - 1] === '/') end--; // trailing slashes go, a lone / stays
  tmp = tmp.slice(0, end);
  if (!path.isAbsolute(tmp)) return undefined;
  const root = `${tmp}/t0ken-code-cache-${uid}`;
  try {
    const parent = fs.statSync(tmp);
    if ((parent.uid !== uid && parent.uid !== 0) || ((parent.mode & 0o022) !== 0 && (parent.mode & 0o1000) === 0)) return undefined;
    let stat = fs.lstatSync(root, { throwIfNoEntry: false });
    if (stat === undefined) {
      try {
        fs.mkdirSync(root, { mode: 0o700 });
      } catch (error) {
        if (error.code !== 'EEXIST') throw error; // made by a parallel run since
      }
      stat = fs.lstatSync(root);
    }
    if (!stat.isDirectory() || stat.uid !== uid || (stat.mode & 0o077) !== 0) return undefined;
  } catch {
    return undefined;
  }
  return `${root}/${process.version}-${process.arch}-${build}`;
});

module.exports = { loadCli };
