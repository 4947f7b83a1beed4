// Packs esbuild's split output into a few CommonJS files, so that a command reads only the code it
// runs (scripts/build.mjs says why CommonJS):
//
//   dist/cli.cjs           the entry, and every chunk it imports statically (argv, output, errors…)
//   dist/cli-<entry>.cjs   one per import() target (a command, the keychain, commander's parser):
//                          the chunks it imports statically that dist/cli.cjs lacks
//
// esbuild splits ESM only: each chunk is converted to CommonJS (a second esbuild pass, which keeps
// the source maps), then wrapped in a function registered by chunk id. A chunk runs once per
// process, whichever file brought it (two packs may both hold a chunk two commands share), so a
// class or a module's state is never duplicated. One file per chunk instead measured worse than
// one bundle: on Node 22, `token` read 15 small files and took 1.32× `node -e 0` against 1.19.
import { build } from 'esbuild';
import { writeFileSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
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
  const converted = await build({
    entryPoints: chunkFiles,
    outbase: splitDir,
    outdir: `${splitDir}-cjs`,
    bundle: false,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    minify: true,
    sourcemap: 'external',
    sourcesContent: false,
    // import() becomes a require() (below: a chunk lookup), which V8's code cache can hold.
    supported: { 'dynamic-import': false },
    write: false,
    logLevel: 'warning',
  });
  const code = new Map();
  const maps = new Map();
  for (const file of converted.outputFiles) {
    const id = basename(file.path).replace(/\.js(\.map)?$/, '');
    if (file.path.endsWith('.map')) {
      const map = JSON.parse(file.text);
      // Sources relative to dist/, where the packed map lives.
      map.sources = map.sources.map((source) => relative(resolve(outDir), resolve(dirname(file.path), source)));
      maps.set(id, map);
    } else {
      const text = file.text.replace(/\n?\/\/# sourceMappingURL=.*\n?$/, '\n');
      code.set(id, text.replace(/require\((["'`])\.\/([\w-]+)\.js\1\)/g, (whole, _quote, target) => {
        if (!code.has(target) && !chunkFiles.some((f) => idOf(f) === target)) throw new Error(`${id} requires ./${target}.js, which is not a chunk`);
        return `__t0kenChunk("${target}")`;
      }));
    }
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
      text += `__t0kenDefs[${JSON.stringify(id)}]??=(function(module,exports){\n`;
      sections.push({ line: lines(), map: maps.get(id) });
      text += `${code.get(id)}});\n`;
    }
    if (tail) {
      sections.push({ line: lines(), map: maps.get(idOf(tail)) });
      text += code.get(idOf(tail));
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
    `"use strict";const __t0kenDefs={},__t0kenDone={},__t0kenPacks=${JSON.stringify(packOf)};` +
      'function __t0kenChunk(id){let m=__t0kenDone[id];if(m)return m.exports;if(!__t0kenDefs[id])require("./"+__t0kenPacks[id]);' +
      `m=__t0kenDone[id]={exports:{}};__t0kenDefs[id](m,m.exports);return m.exports}${REGISTRY}={defs:__t0kenDefs,load:__t0kenChunk};\n`,
    [...core].filter((file) => file !== entry),
    entry,
  );
  for (const root of lazyRoots) {
    const files = [...closure(root)].filter((file) => !core.has(file));
    writePack(packName(root), `"use strict";const{defs:__t0kenDefs,load:__t0kenChunk}=${REGISTRY};\n`, files);
  }
  return written;
}
