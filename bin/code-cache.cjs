'use strict';
// Loads dist/cli.cjs, the pack of the command that runs and the vendored modules it requires, each
// compiled from V8's code cache of an earlier run on this Node. Node's own compile cache (>= 22.1)
// keeps only a file's top level: every function a command calls was compiled again on each run, a
// tenth of `token`'s start-up; Node 20 has no compile cache at all. A cache made after the command
// ran holds those functions too. Written at exit when a file had none (or V8 refused it: another
// Node, other V8 flags, another file), so the first run of a command on a Node line pays for it.
//
// Where: <tmpdir>/t0ken-code-cache-<uid>/<node version>-<arch>-<build id>/, not under HOME (the
// contract writes nothing there when T0KEN_CONFIG_DIR is set). The cache is code this process runs:
// it is used only from a directory this user owns that no one else can write, and only for the
// build that made it (the id is a hash of every file loaded this way, stamped into dist/cli.cjs by
// scripts/build.mjs; V8 itself checks its version, its flags and the source's length).
const fs = require('node:fs');
const path = require('node:path');
const { Script } = require('node:vm');

const Module = module.constructor;
const BUILD_ID = /^"use strict";\/\*t0ken-build:(\w+)\*\//;
// Every file loaded this run, by path: its compiled script, its module, its cache directory.
const loaded = new Map();
// Whether one of them had no cache V8 took: then every cache is written at exit.
let stale = false;

/** dist/cli.cjs's exports, or undefined when the code cache cannot be used (the caller requires it). */
function loadCli() {
  let file;
  let source;
  try {
    file = require.resolve('../dist/cli.cjs');
    source = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const build = BUILD_ID.exec(source)?.[1];
  const dir = build === undefined ? undefined : cacheDir(process.env, build);
  if (dir === undefined) return undefined;
  process.on('exit', persist);
  // exec replaces the process (execve), and execve runs no exit handlers: it calls this first.
  globalThis[Symbol.for('t0ken.persistCodeCache')] = persist;
  return load(file, source, dir);
}

function load(file, source, dir) {
  const known = loaded.get(file);
  if (known) return known.module.exports;
  let cachedData;
  try {
    cachedData = fs.readFileSync(path.join(dir, path.basename(file)));
  } catch {
    // none yet
  }
  const script = new Script(Module.wrap(source), { filename: file, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) stale = true;
  const module = { exports: {}, filename: file, id: file, loaded: false };
  loaded.set(file, { script, module, dir });
  const own = Module.createRequire(file);
  // The packs and vendored modules (`./cli-token.cjs`, `./vendor/ora.cjs`) come through here too,
  // resolved as require would (and seen as it would be: test/helpers/log-requires.cjs).
  const require = (id) => {
    if (!(id.startsWith('./') && id.endsWith('.cjs'))) return own(id);
    const target = own.resolve(id);
    return loaded.get(target)?.module.exports ?? load(target, fs.readFileSync(target, 'utf8'), dir);
  };
  Object.assign(require, { resolve: own.resolve, cache: own.cache, main: own.main, extensions: own.extensions });
  script.runInThisContext().call(module.exports, module.exports, require, module, file, path.dirname(file));
  module.loaded = true;
  return module.exports;
}

/**
 * Writes the cache of every file loaded this run when one of them had none (or V8 refused it):
 * also those whose cache was taken, as the functions this command ran are not in it yet. Atomic
 * (temp file and rename), so a parallel run reads the old cache or the new, never half of one. A
 * failure only means no cache: nothing is printed.
 */
function persist() {
  if (!stale) return;
  stale = false;
  for (const { script, dir, module } of loaded.values()) {
    const file = path.join(dir, path.basename(module.filename));
    const temp = `${file}.${process.pid}.tmp`;
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      fs.writeFileSync(temp, script.createCachedData(), { mode: 0o600 });
      fs.renameSync(temp, file);
    } catch {
      try {
        fs.rmSync(temp, { force: true });
      } catch {
        // nothing to remove
      }
    }
  }
}

/**
 * <tmpdir>/t0ken-code-cache-<uid>/<node>-<arch>-<build>, or undefined: no uid (Windows), a relative
 * temp directory, or a directory that is not this user's own, a symbolic link, or that others may
 * write (made by someone else before us: its files could be anyone's code). The temp directory is
 * os.tmpdir()'s on POSIX ($TMPDIR, $TMP, $TEMP, else /tmp) without loading node:os.
 */
function cacheDir(env, build) {
  if (typeof process.getuid !== 'function') return undefined;
  const uid = process.getuid();
  const tmp = (env.TMPDIR || env.TMP || env.TEMP || '/tmp').replace(/(.)\/+$/, '$1');
  if (!path.isAbsolute(tmp)) return undefined;
  const root = `${tmp}/t0ken-code-cache-${uid}`;
  try {
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
}

module.exports = { loadCli };
