// Turns one of esbuild's split ESM chunks into the body of a plain function(module, exports), for
// scripts/pack-chunks.mjs. esbuild's own CommonJS output gave every chunk a copy of its interop
// helpers and made each export a getter, defined one Object.defineProperty at a time and called at
// every use (`(0, x.a)(…)`): about 4 M of `token`'s instructions went to it (docs/speed.md). Here
// an import is read once, when the chunk runs, and the exports are one object literal.
//
// That is the same as ESM's live bindings only if no chunk reads another's export before it is set
// (pack-chunks.mjs refuses a cycle of static imports) and no export is reassigned later (src/ has no
// `export let`: test/build/esm-chunk-to-function.test.ts holds it so).
//
// The chunk keeps its lines and columns: the import statements and the export statement are blanked
// with spaces, what replaces them goes on a line of its own before or after, and each
// `import("./chunk-X.js")` becomes a call no longer than itself. The chunk's own source map then
// holds once it is placed a line down.
import { init, parse } from 'es-module-lexer';

/**
 * The name a chunk calls for import(): `_$i(chunkId)`, or `_$i(specifier, 1)` for a module from
 * outside the bundle. pack-chunks.mjs defines it; no chunk may use the name for anything else.
 */
export const IMPORT_FUNCTION = '_$i';

/**
 * @param {string} text the chunk as esbuild wrote it (its sourceMappingURL comment removed)
 * @param {(specifier: string) => string | undefined} chunkIdOf the chunk id a specifier names, or
 *   undefined for a module from outside the bundle (`node:fs`), which is required
 * @returns {{ prelude: string, body: string, epilogue: string }} prelude: one line, to go before the
 *   body; epilogue: one line, to go after it
 */
export async function esmChunkToFunction(text, chunkIdOf) {
  await init;
  if (new RegExp(`(^|[^\\w$])${IMPORT_FUNCTION.replace('$', '\\$')}($|[^\\w$])`).test(text)) {
    throw new Error(`a chunk already uses the name ${IMPORT_FUNCTION}: pick another for IMPORT_FUNCTION`);
  }
  const [imports, exports] = parse(text);
  const edits = [];
  const prelude = [];
  for (const entry of imports) {
    if (entry.d === -2) throw new Error(`import.meta is not available in CommonJS: ${text.slice(entry.ss, entry.se)}`);
    if (entry.n === undefined) throw new Error(`an import with a computed specifier: ${text.slice(entry.ss, entry.se)}`);
    const id = chunkIdOf(entry.n);
    if (entry.d === -1) {
      const statement = text.slice(entry.ss, entry.se);
      if (id !== undefined && /^import\s*[\w$]/.test(statement)) throw new Error(`a default import from a chunk: ${statement}`);
      const loaded = id === undefined ? `require(${JSON.stringify(entry.n)})` : `__t0kenChunk(${JSON.stringify(id)})`;
      prelude.push(...importDeclarations(statement, loaded));
      edits.push({ start: entry.ss, end: entry.se + (text[entry.se] === ';' ? 1 : 0), with: '' });
    } else if (entry.d >= 0) {
      // ss: `import`; se: after its closing parenthesis. A module from outside the bundle is
      // required and given a default (the module itself), as Node's import() of CommonJS does.
      const call = id === undefined ? `${IMPORT_FUNCTION}(${JSON.stringify(entry.n)},1)` : `${IMPORT_FUNCTION}(${JSON.stringify(id)})`;
      if (call.length > entry.se - entry.ss) throw new Error(`${call} is longer than the import() it replaces`);
      edits.push({ start: entry.ss, end: entry.se, with: call });
    } else {
      throw new Error(`an import this build does not know: ${text.slice(entry.ss, entry.se)}`);
    }
  }
  let epilogue = '';
  if (exports.length > 0) {
    const statement = /export\s*\{[^}]*\}\s*;?\s*$/.exec(text);
    if (!statement) throw new Error('the chunk exports, but not in one `export{…}` at its end');
    const pairs = exports.map((entry) => {
      if (entry.ln === undefined) throw new Error(`an export without a local binding: ${entry.n}`);
      return `${JSON.stringify(entry.n)}:${entry.ln}`;
    });
    epilogue = `module.exports={${pairs.join(',')}};`;
    edits.push({ start: statement.index, end: statement.index + statement[0].trimEnd().length, with: '' });
  }
  let body = '';
  let at = 0;
  for (const edit of edits.sort((a, b) => a.start - b.start)) {
    body += text.slice(at, edit.start) + edit.with + blank(text.slice(edit.start + edit.with.length, edit.end));
    at = edit.end;
  }
  body += text.slice(at);
  return { prelude: prelude.join(''), body, epilogue };
}

/** Spaces for every character but line breaks, so that what follows keeps its line and column. */
const blank = (text) => text.replace(/[^\n\r\u2028\u2029]/g, ' ');

/**
 * `import{a as x,b}from"./y.js"` → `const{a:x,b}=<load>;`, and the other forms esbuild writes:
 * `import*as x from"…"`, `import x from"…"` (a default: the CommonJS module itself), both with a
 * comma, and `import"…"` (run only).
 */
function importDeclarations(statement, loaded) {
  const clause = /^import\s*([\s\S]*?)\s*from\s*["'][^"']*["']$/.exec(statement)?.[1];
  if (clause === undefined) {
    if (!/^import\s*["'][^"']*["']$/.test(statement)) throw new Error(`an import this build does not know: ${statement}`);
    return [`${loaded};`];
  }
  const parts = /^(?:([\w$]+)\s*(?:,\s*|$))?(?:\*\s*as\s+([\w$]+)|\{([^}]*)\})?$/.exec(clause);
  if (!parts) throw new Error(`an import this build does not know: ${statement}`);
  const [, defaultName, namespace, named] = parts;
  const declarations = [];
  const bindings = [];
  if (defaultName) bindings.push(defaultName);
  if (namespace) bindings.push(namespace);
  if (bindings.length === 0 && named === undefined) throw new Error(`an import this build does not know: ${statement}`);
  // One load, however many forms: the first binding holds the module, the others alias it.
  const module = bindings[0];
  if (module) declarations.push(`const ${module}=${loaded};`, ...bindings.slice(1).map((name) => `const ${name}=${module};`));
  if (named !== undefined) {
    const properties = named
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean)
      .map((item) => {
        const [imported, local] = item.split(/\s+as\s+/);
        if (!/^[\w$]+$/.test(imported) && !/^["'][^"']*["']$/.test(imported)) throw new Error(`an import this build does not know: ${statement}`);
        return local === undefined ? imported : `${imported}:${local}`;
      });
    declarations.push(`const{${properties.join(',')}}=${module ?? loaded};`);
  }
  return declarations;
}
