// Packs esbuild's split output into a few CommonJS files, so that a command reads only the code it
// runs (scripts/build.mjs says why CommonJS):
//
//   dist/cli.cjs           the entry, and every chunk it imports statically (argv, output, errors…)
//   dist/cli-<entry>.cjs   one per import() target (a command, the keychain, commander's parser):
//                          the chunks it imports statically that dist/cli.cjs lacks
//
// esbuild splits ESM only: each chunk becomes the body of a function registered by chunk id
// (scripts/esm-chunk-to-function.mjs, which keeps each chunk's source map valid). A chunk runs once per
// process, whichever file brought it (two packs may both hold a chunk two commands share), so a
// class or a module's state is never duplicated. One file per chunk instead measured worse than
// one bundle: on Node 22, `token` read 15 small files and took 1.32× `node -e 0` against 1.19.
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
import { esmChunkToFunction, IMPORT_FUNCTION } from './esm-chunk-to-function.mjs';
import { flattenSourceMap } from './flatten-source-map.mjs';

const REGISTRY = 'globalThis[Symbol.for("t0ken.chunks")]';

/**
 * @param {{ splitDir: string, meta: import('esbuild').Metafile, outDir: string, entry: string }} options
 *   meta: the split build's metafile; entry: its entry output (".build/split/cli.js")
 * @returns {Record<string, { inputs: Record<string, unknown> }>} each written file's inputs (for .build/meta.json)
 */
export async function packChunks({ splitDir, meta, outDir, entry }) {
  const chunkFiles = Object.keys(meta.outputs).filter((file) => file.endsWith('.js'));
  const idOf = (file) => basename(file, '.js');
  const ids = new Set(chunkFiles.map(idOf));
  const chunkIdOf = (specifier) => {
    const id = /^\.\/([\w-]+)\.js$/.exec(specifier)?.[1];
    if (id !== undefined && !ids.has(id)) throw new Error(`a chunk imports ${specifier}, which is not a chunk`);
    return id;
  };
  const code = new Map();
  const maps = new Map();
  for (const file of chunkFiles) {
    const id = idOf(file);
    const text = readFileSync(file, 'utf8').replace(/\n?\/\/# sourceMappingURL=.*\n?$/, '\n');
    code.set(id, await esmChunkToFunction(text, chunkIdOf));
    const map = JSON.parse(readFileSync(`${file}.map`, 'utf8'));
    // Sources relative to dist/, where the packed map lives.
    map.sources = map.sources.map((source) => relative(resolve(outDir), resolve(dirname(file), source)));
    maps.set(id, map);
  }

  const importsOf = (file, kind) => meta.outputs[file].imports.filter((i) => i.kind === kind && !i.external).map((i) => i.path);
  const closure = (root) => {
    const seen = new Set();
    const visit = (file) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const next of importsOf(file, 'import-statement')) visit(next);
    };
    visit(root);
    return seen;
  };
  refuseCycles(chunkFiles, (file) => importsOf(file, 'import-statement'));
  const core = closure(entry);
  const lazyRoots = [...new Set(chunkFiles.flatMap((file) => importsOf(file, 'dynamic-import')))].filter((file) => !core.has(file));
  const packName = (file) => `cli-${meta.outputs[file].entryPoint.replace(/^src\//, '').replace(/\.[cm]?[jt]s$/, '').replace(/[^\w]+/g, '-')}.cjs`;
  const packOf = Object.fromEntries(lazyRoots.map((file) => [idOf(file), packName(file)]));

  const written = {};
  const writePack = (name, header, files, tail) => {
    let text = header;
    const sections = [];
    const lines = () => text.split('\n').length - 1;
    for (const file of files) {
      const id = idOf(file);
      const { prelude, body, epilogue } = code.get(id);
      text += `__t0kenDefs[${JSON.stringify(id)}]??=(function(module,exports){"use strict";${prelude}\n`;
      sections.push({ line: lines(), map: maps.get(id) });
      text += `${body}\n${epilogue}});\n`;
    }
    if (tail) {
      const { prelude, body, epilogue } = code.get(idOf(tail));
      text += `${prelude}\n`;
      sections.push({ line: lines(), map: maps.get(idOf(tail)) });
      text += `${body}\n${epilogue}\n`;
    }
    text += `//# sourceMappingURL=${name}.map\n`;
    writeFileSync(resolve(outDir, name), text);
    writeFileSync(resolve(outDir, `${name}.map`), JSON.stringify(flattenSourceMap(name, sections)));
    const inputs = {};
    for (const file of [...files, ...(tail ? [tail] : [])]) Object.assign(inputs, meta.outputs[file].inputs);
    written[`${relative(process.cwd(), resolve(outDir, name))}`] = { inputs };
  };

  // The entry's own code runs last, at the top level of dist/cli.cjs: its exports are the file's.
  writePack(
    'cli.cjs',
    // Which pack holds a lazy chunk: one string searched, not an object literal of ~40 keys that V8
    // would build key by key at every run (0.15 M instructions, docs/speed.md).
    `"use strict";const __t0kenDefs={},__t0kenDone={},__t0kenPacks=${JSON.stringify(Object.entries(packOf).map(([id, pack]) => `;${id}=${pack}`).join('') + ';')};` +
      'function __t0kenPackOf(id){const at=__t0kenPacks.indexOf(";"+id+"=");if(at<0)throw new Error("no pack holds "+id);const from=at+id.length+2;return __t0kenPacks.slice(from,__t0kenPacks.indexOf(";",from))}' +
      'function __t0kenChunk(id){let m=__t0kenDone[id];if(m)return m.exports;if(!__t0kenDefs[id])require("./"+__t0kenPackOf(id));' +
      `m=__t0kenDone[id]={exports:{}};__t0kenDefs[id](m,m.exports);return m.exports}` +
      // import(): a chunk, or a module from outside the bundle with its default (scripts/esm-chunk-to-function.mjs)
      `function ${IMPORT_FUNCTION}(id,outside){return Promise.resolve().then(()=>{if(!outside)return __t0kenChunk(id);const m=require(id);return{...m,default:m}})}` +
      `${REGISTRY}={defs:__t0kenDefs,load:__t0kenChunk,import:${IMPORT_FUNCTION}};\n`,
    [...core].filter((file) => file !== entry),
    entry,
  );
  for (const root of lazyRoots) {
    const files = [...closure(root)].filter((file) => !core.has(file));
    writePack(packName(root), `"use strict";const{defs:__t0kenDefs,load:__t0kenChunk,import:${IMPORT_FUNCTION}}=${REGISTRY};\n`, files);
  }
  return written;
}

/** A chunk's imports are read when it runs (esm-chunk-to-function.mjs): one in a cycle would read undefined. */
function refuseCycles(files, importsOf) {
  const state = new Map(); // file -> 'visiting' | 'done'
  const visit = (file, path) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'visiting') throw new Error(`the chunks import each other in a cycle: ${[...path, file].join(' -> ')}`);
    state.set(file, 'visiting');
    for (const next of importsOf(file)) visit(next, [...path, file]);
    state.set(file, 'done');
  };
  for (const file of files) visit(file, []);
}
