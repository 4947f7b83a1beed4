// Adds or replaces one server entry in a client's JSON (or VS Code's JSON-with-comments) file and
// keeps every other byte: comments, layout, line endings, BOM, escapes (`\u00e9`, `\/`) and numbers
// JavaScript cannot hold exactly. jsonc-parser (Microsoft's, the parser VS Code itself uses) gives
// the tree with offsets; the edit is ours: its own `modify` re-indents whole lines around an
// insertion, the neighbouring entry included. The library is passed in by the caller, which loads
// it only for `--write`.
import type * as JsoncParser from 'jsonc-parser';
import { positionOf } from './json-position.js';
import { jsonTooDeep, TOO_DEEP } from './json-depth.js';
import { UnmergeableConfigError, type MergedText } from './mcp-clients.js';

type Jsonc = typeof JsoncParser;
type Node = JsoncParser.Node;
interface Edit {
  offset: number;
  length: number;
  content: string;
}

export interface JsonTarget {
  serversKey: string;
  name: string;
  entry: Record<string, unknown>;
  /** JSON with comments and trailing commas (VS Code); otherwise plain JSON, as the client reads it. */
  comments: boolean;
}

export function mergeJsonEntry(jsonc: Jsonc, existing: string | undefined, target: JsonTarget): MergedText {
  const bom = existing?.startsWith('\uFEFF') ? '\uFEFF' : '';
  const source = (existing ?? '').slice(bom.length);
  const { serversKey, name, entry } = target;
  if (source.trim() === '') return { text: `${bom}${JSON.stringify({ [serversKey]: { [name]: entry } }, null, 2)}\n`, replaced: false, others: 0 };
  if (jsonTooDeep(source)) throw new UnmergeableConfigError(TOO_DEEP);

  const root = parse(jsonc, source, target.comments);
  if (root.type !== 'object') throw new UnmergeableConfigError('its top level is not a JSON object');
  refuseDuplicates(root, 'top-level ');
  const style = { eol: source.includes('\r\n') ? '\r\n' : '\n', unit: /\n([ \t]+)\S/.exec(source)?.[1] ?? '  ' };
  const serversProperty = propertyNamed(root, serversKey);
  let edits: Edit[];
  let replaced = false;
  let others = 0;
  if (serversProperty === undefined) {
    edits = insertProperty(jsonc, source, root, serversKey, { [name]: entry }, style);
  } else {
    const servers = serversProperty.children![1]!;
    if (servers.type !== 'object') throw new UnmergeableConfigError(`its "${serversKey}" is not a JSON object`);
    refuseDuplicates(servers, `"${serversKey}" `);
    const current = propertyNamed(servers, name);
    others = (servers.children ?? []).length - (current ? 1 : 0);
    replaced = current !== undefined;
    edits = current ? [replaceValue(source, servers, current, entry, style)] : insertProperty(jsonc, source, servers, name, entry, style);
  }
  const text = applyEdits(source, edits);
  // The tree of the result must hold exactly the entry where it belongs (a guard on the offsets above).
  const check = jsonc.findNodeAtLocation(parse(jsonc, text, target.comments), [serversKey, name]);
  if (!check || JSON.stringify(jsonc.getNodeValue(check)) !== JSON.stringify(entry)) throw new UnmergeableConfigError('t0ken could not place the entry in its layout');
  return { text: bom + text, replaced, others };
}

function parse(jsonc: Jsonc, text: string, comments: boolean): Node {
  const errors: JsoncParser.ParseError[] = [];
  const root = jsonc.parseTree(text, errors, { allowTrailingComma: comments, disallowComments: !comments, allowEmptyContent: false });
  const first = errors[0];
  if (first !== undefined || root === undefined) {
    const offset = first === undefined ? 0 : problemOffset(text, first);
    const { line, column } = positionOf(text, offset);
    const what = offset >= text.length ? 'the text ends too early' : `unexpected ${JSON.stringify(text[offset])}`;
    const kind = comments ? 'JSON with comments' : 'plain JSON';
    throw new UnmergeableConfigError(`it is not valid ${kind} (${what} at line ${line}, column ${column})`);
  }
  return root;
}

/** jsonc-parser reports a control character inside a string at the string's opening quote: point at the character. */
function problemOffset(text: string, error: JsoncParser.ParseError): number {
  if (text[error.offset] !== '"') return error.offset;
  for (let i = error.offset + 1; i < error.offset + error.length; i++) if (text.charCodeAt(i) < 0x20) return i;
  return error.offset;
}

const keyOf = (property: Node): string => property.children![0]!.value as string;
const propertyNamed = (object: Node, key: string): Node | undefined => object.children?.find((p) => keyOf(p) === key);

/** A key twice in an object we edit: which one the client uses is its parser's choice, so we touch neither. */
function refuseDuplicates(object: Node, where: string): void {
  const seen = new Set<string>();
  for (const property of object.children ?? []) {
    const key = keyOf(property);
    if (seen.has(key)) throw new UnmergeableConfigError(`its ${where}object has the key ${JSON.stringify(key).slice(0, 80)} twice`);
    seen.add(key);
  }
}

interface Style {
  eol: string;
  unit: string;
}

function indentOfLine(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start, offset))![0];
}

/** A value written at the indentation of the line it starts on (one line when its object is on one line). */
function written(value: unknown, indent: string, style: Style, multiLine: boolean): string {
  return multiLine ? JSON.stringify(value, null, style.unit).split('\n').join(style.eol + indent) : JSON.stringify(value);
}

const spansLines = (text: string, node: Node): boolean => text.slice(node.offset, node.offset + node.length).includes('\n');

function replaceValue(text: string, object: Node, property: Node, value: unknown, style: Style): Edit {
  const node = property.children![1]!;
  return { offset: node.offset, length: node.length, content: written(value, indentOfLine(text, property.offset), style, spansLines(text, object)) };
}

/** Only whitespace and comments from `from` to `to`. */
function onlyTrivia(jsonc: Jsonc, text: string, from: number, to: number): boolean {
  const scanner = jsonc.createScanner(text.slice(from, to), false);
  for (let token = scanner.scan(); token !== jsonc.SyntaxKind.EOF; token = scanner.scan()) {
    if (scanner.getTokenError() !== jsonc.ScanError.None) return false; // a block comment that goes on past the line
    if (token !== jsonc.SyntaxKind.Trivia && token !== jsonc.SyntaxKind.LineBreakTrivia && token !== jsonc.SyntaxKind.LineCommentTrivia && token !== jsonc.SyntaxKind.BlockCommentTrivia) return false;
  }
  return true;
}

function insertProperty(jsonc: Jsonc, text: string, object: Node, key: string, value: unknown, style: Style): Edit[] {
  const multiLine = spansLines(text, object);
  const children = object.children ?? [];
  const last = children.at(-1);
  if (last === undefined) {
    const indent = indentOfLine(text, object.offset);
    const inner = { offset: object.offset + 1, length: object.length - 2 };
    const property = `${JSON.stringify(key)}: ${written(value, indent + style.unit, style, true)}`;
    if (text.slice(inner.offset, inner.offset + inner.length).trim() === '') {
      return [{ ...inner, content: `${style.eol}${indent}${style.unit}${property}${style.eol}${indent}` }];
    }
    // `{ /* a comment */ }`: the comment stays, the property goes after it.
    return [{ offset: object.offset + object.length - 1, length: 0, content: `${style.eol}${indent}${style.unit}${property}${style.eol}${indent}` }];
  }
  const end = last.offset + last.length;
  const scanner = jsonc.createScanner(text, true);
  scanner.setPosition(end);
  let token = scanner.scan();
  while (token === jsonc.SyntaxKind.LineCommentTrivia || token === jsonc.SyntaxKind.BlockCommentTrivia) token = scanner.scan();
  const trailingComma = token === jsonc.SyntaxKind.CommaToken;
  const anchor = trailingComma ? scanner.getTokenOffset() + 1 : end;
  const edits: Edit[] = trailingComma ? [] : [{ offset: end, length: 0, content: ',' }];
  if (!multiLine) return [...edits, { offset: anchor, length: 0, content: ` ${JSON.stringify(key)}: ${JSON.stringify(value)}${trailingComma ? ',' : ''}` }];
  const indent = indentOfLine(text, last.offset);
  // After a comment that ends the line of the last entry, so that the comment stays with its entry.
  let lineEnd = text.indexOf('\n', anchor);
  if (lineEnd === -1) lineEnd = text.length;
  if (text[lineEnd - 1] === '\r') lineEnd--;
  const at = onlyTrivia(jsonc, text, anchor, lineEnd) ? lineEnd : anchor;
  edits.push({ offset: at, length: 0, content: `${style.eol}${indent}${JSON.stringify(key)}: ${written(value, indent, style, true)}${trailingComma ? ',' : ''}` });
  return edits;
}

/** From the end backwards; of two edits at one offset the later one goes in first, so it ends up after the other. */
function applyEdits(text: string, edits: Edit[]): string {
  let result = text;
  const order = edits.map((edit, index) => ({ edit, index })).sort((a, b) => b.edit.offset - a.edit.offset || b.index - a.index);
  for (const { edit } of order) {
    result = result.slice(0, edit.offset) + edit.content + result.slice(edit.offset + edit.length);
  }
  return result;
}
