import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error a build script, plain JavaScript
import { esmChunkToFunction, IMPORT_FUNCTION } from '../../scripts/esm-chunk-to-function.mjs';

type Converted = { prelude: string; body: string; epilogue: string };
const convert = esmChunkToFunction as (text: string, chunkIdOf: (specifier: string) => string | undefined) => Promise<Converted>;
const chunkIdOf = (specifier: string) => /^\.\/([\w-]+)\.js$/.exec(specifier)?.[1];

/** Runs a converted chunk as pack-chunks.mjs wraps it, with made-up chunks and modules to import. */
function run({ prelude, body, epilogue }: Converted, chunks: Record<string, object>, modules: Record<string, object> = {}) {
  const load = (id: string) => chunks[id] ?? (() => { throw new Error(`no chunk ${id}`); })();
  const require = (id: string) => modules[id] ?? (() => { throw new Error(`no module ${id}`); })();
  const importFn = (id: string, outside?: number) => Promise.resolve().then(() => (outside ? { ...require(id), default: require(id) } : load(id)));
  const module = { exports: {} as Record<string, unknown> };
  new Function('module', 'exports', 'require', '__t0kenChunk', IMPORT_FUNCTION, `"use strict";${prelude}\n${body}\n${epilogue}`)(module, module.exports, require, load, importFn);
  return module.exports;
}

describe('esmChunkToFunction (scripts/pack-chunks.mjs)', () => {
  it('reads each import form esbuild writes once, and exports one object of values', async () => {
    const text =
      'import{a as x,b}from"./chunk-A.js";import*as ns from"./chunk-B.js";import fs,{join as j}from"node:path";import"./chunk-C.js";' +
      'function f(){return x()+b+ns.c+j("p","q")+(fs.sep)}var v=2;export{f as a,v as total};\n';
    const converted = await convert(text, chunkIdOf);
    let ran = 0;
    const exported = run(converted, {
      'chunk-A': { a: () => 'A', b: 'B' },
      'chunk-B': { c: 'C' },
      'chunk-C': new Proxy({}, { get: () => ran++ }),
    }, { 'node:path': { sep: '/', join: (...parts: string[]) => parts.join('/') } });
    expect(Object.keys(exported)).toEqual(['a', 'total']);
    expect((exported.a as () => string)()).toBe('ABCp/q/');
    expect(exported.total).toBe(2);
    expect(converted.prelude).toContain('__t0kenChunk("chunk-C");');
  });

  it('reads esbuild\'s unminified output too (a build with minify off, to read the bundle)', async () => {
    const text = 'import {\n  a as x,\n  b\n} from "./chunk-A.js";\n\n// src/y.ts\nfunction f() {\n  return x() + b;\n}\nexport {\n  f\n};\n';
    const converted = await convert(text, chunkIdOf);
    expect(converted.body.split('\n').length).toBe(text.split('\n').length);
    expect((run(converted, { 'chunk-A': { a: () => 1, b: 2 } }).f as () => number)()).toBe(3);
  });

  it('keeps every line and column of the chunk, so that its source map holds a line down', async () => {
    const text = 'import{a as x}from"./chunk-A.js";const s=`two\nlines`;function g(){return import("./chunk-B.js")}export{g as a,s as b};\n';
    const { body } = await convert(text, chunkIdOf);
    expect(body.length).toBe(text.length);
    expect(body.split('\n').map((line) => line.length)).toEqual(text.split('\n').map((line) => line.length));
    // what stays, stays where it was
    for (const kept of ['const s=`two', 'lines`;function g(){return ']) expect(body.indexOf(kept)).toBe(text.indexOf(kept));
    expect(body).not.toMatch(/import|export/);
  });

  it('turns import() into a call that resolves to the chunk, or to a module from outside with its default', async () => {
    const text = 'async function f(){const[{a},{default:o,x}]=await Promise.all([import("./chunk-B.js"),import("./vendor/ora.cjs")]);return a+o.y+x}export{f as run};\n';
    const exported = run(await convert(text, (s) => (s.startsWith('./chunk-') ? chunkIdOf(s) : undefined)), { 'chunk-B': { a: 1 } }, { './vendor/ora.cjs': { y: 2, x: 3 } });
    await expect((exported.run as () => Promise<number>)()).resolves.toBe(6);
  });

  it('refuses what it cannot convert faithfully', async () => {
    await expect(convert(`var ${IMPORT_FUNCTION}=1;export{${IMPORT_FUNCTION} as a};\n`, chunkIdOf)).rejects.toThrow(/already uses the name/);
    await expect(convert('import x from"./chunk-A.js";export{x as a};\n', chunkIdOf)).rejects.toThrow(/default import from a chunk/);
    await expect(convert('var a=1;export{a};var b=2;\n', chunkIdOf)).rejects.toThrow(/one `export\{…\}` at its end/);
    await expect(convert('const u=import.meta.url;export{u as a};\n', chunkIdOf)).rejects.toThrow(/import\.meta/);
  });

  it('holds because src/ exports no binding it reassigns: no `export let` or `export var`', () => {
    const root = fileURLToPath(new URL('../../src', import.meta.url));
    const offenders = (readdirSync(root, { recursive: true }) as string[])
      .filter((file) => file.endsWith('.ts'))
      .filter((file) => {
        const text = readFileSync(join(root, file), 'utf8');
        if (/^\s*export\s+(let|var)\s/m.test(text)) return true;
        // `let x; export { x }`
        const listed = [...text.matchAll(/^\s*export\s*\{([^}]*)\}\s*;?\s*$/gm)].flatMap((m) => m[1]!.split(',').map((item) => item.trim().split(/\s+as\s+/)[0]!));
        return listed.some((name) => name && new RegExp(`\\b(let|var)\\s+${name}\\b`).test(text));
      });
    expect(offenders).toEqual([]);
  });
});
