// Adds or replaces `[mcp_servers.NAME]` in Codex's config.toml and keeps every other byte: other
// tables, comments, layout, line endings, BOM.
//
// Library: @decimalturn/toml-patch (3.x, engines node >= 16, 168 KB, no dependencies) for its
// syntax tree with line/column positions, which says exactly where the entry's table starts and
// ends. Its own patch() was measured and not used: it moved a comment into the replaced table and
// wrote a new server as a dotted inline line at the top of the file. smol-toml (1.x, node >= 18,
// 28 KB) parses faster but gives no positions; the tests use it as the independent parser that
// reads back what we wrote. The library is passed in by the caller, which loads it only for
// `--write --client codex`.
import type * as TomlPatch from '@decimalturn/toml-patch';
import { UnmergeableConfigError, type MergedText } from './mcp-clients.js';

type Toml = typeof TomlPatch;
interface Loc {
  start: { line: number; column: number };
  end: { line: number; column: number };
}
interface Block {
  type: string;
  loc: Loc;
  key?: { loc: Loc; item?: { value: string[] }; value?: string[] };
  items?: Block[];
}

const SERVERS = 'mcp_servers';

export function mergeTomlEntry(toml: Toml, existing: string | undefined, name: string, entry: Record<string, unknown>): MergedText {
  const bom = existing?.startsWith('\uFEFF') ? '\uFEFF' : '';
  const source = (existing ?? '').slice(bom.length);
  const eol = source.includes('\r\n') ? '\r\n' : '\n';
  const table = tomlTable(name, entry, eol);
  if (source.trim() === '') return { text: `${bom}${table}${eol}`, replaced: false, others: 0 };

  let blocks: Block[];
  let before: Record<string, unknown>;
  try {
    blocks = new toml.TomlDocument(source).cst as unknown as Block[];
    before = toml.parse(source) as Record<string, unknown>;
  } catch (error) {
    throw new UnmergeableConfigError(`it is not valid TOML (${parserReason(error)})`);
  }
  const servers = before[SERVERS];
  if (servers !== undefined && !isTable(servers)) throw new UnmergeableConfigError(`its ${SERVERS} is not a table`);
  const exists = servers !== undefined && Object.hasOwn(servers, name);
  const others = servers === undefined ? 0 : Object.keys(servers).length - (exists ? 1 : 0);

  const offset = lineOffsets(source);
  let text: string;
  if (!exists) {
    const separator = source.endsWith('\n') ? eol : eol + eol;
    text = `${source}${separator}${table}${eol}`;
  } else {
    const path = (block: Block) => (block.type === 'Table' || block.type === 'TableArray' ? block.key?.item?.value : undefined);
    const own = blocks.filter((block) => {
      const p = path(block);
      return p !== undefined && p[0] === SERVERS && p[1] === name;
    });
    const main = own.find((block) => block.type === 'Table' && path(block)!.length === 2);
    if (main === undefined || own.some((block) => block.type !== 'Table')) {
      throw new UnmergeableConfigError(`its ${SERVERS}.${name} is not written as a [${SERVERS}.${tomlKey(name)}] table, which t0ken rewrites only in that form`);
    }
    const edits = own.map((block) => {
      const start = offset(block.loc.start);
      const end = contentEnd(block, offset);
      if (block === main) return { start, end, content: table };
      // A sub-table ([mcp_servers.NAME.env]) of the entry goes, with its line end.
      return { start, end: source.startsWith(eol, end) ? end + eol.length : end, content: '' };
    });
    text = source;
    for (const edit of edits.sort((a, b) => b.start - a.start)) text = text.slice(0, edit.start) + edit.content + text.slice(edit.end);
  }
  verify(toml, before, text, name, entry);
  return { text: bom + text, replaced: exists, others };
}

/** The table text for the entry, in the shape Codex documents. */
export function tomlTable(name: string, entry: Record<string, unknown>, eol: string): string {
  const lines = [`[${SERVERS}.${tomlKey(name)}]`];
  for (const [key, value] of Object.entries(entry)) lines.push(`${tomlKey(key)} = ${tomlValue(value)}`);
  return lines.join(eol);
}

const tomlKey = (key: string): string => (/^[A-Za-z0-9_-]+$/.test(key) ? key : tomlString(key));
// JSON's escapes are TOML's basic-string escapes; DEL is the one character TOML wants escaped and JSON does not.
const tomlString = (value: string): string => JSON.stringify(value).replace(/\x7f/g, '\\u007f');

function tomlValue(value: unknown): string {
  if (typeof value === 'string') return tomlString(value);
  if (Array.isArray(value)) return `[${value.map(tomlValue).join(', ')}]`;
  if (isTable(value)) return `{ ${Object.entries(value).map(([k, v]) => `${tomlKey(k)} = ${tomlValue(v)}`).join(', ')} }`;
  throw new TypeError(`no TOML for ${typeof value}`);
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** Line/column (1-based line, 0-based column, as the tree gives them) to string offsets. */
function lineOffsets(text: string): (at: { line: number; column: number }) => number {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (at) => starts[at.line - 1]! + at.column;
}

/**
 * Where a table's own content ends: its last key/value (and a comment on that same line). Comments
 * on the lines after it belong, in the file, to what follows, and stay.
 */
function contentEnd(block: Block, offset: (at: { line: number; column: number }) => number): number {
  const items = block.items ?? [];
  let lastRow = items.length - 1;
  while (lastRow >= 0 && items[lastRow]!.type !== 'KeyValue') lastRow--;
  if (lastRow === -1) return offset(block.key!.loc.end);
  const row = items[lastRow]!;
  const sameLine = items[lastRow + 1];
  const last = sameLine?.type === 'Comment' && sameLine.loc.start.line === row.loc.end.line ? sameLine : row;
  return offset(last.loc.end);
}

/** The written text must parse to what was there plus exactly this entry (a guard on the offsets above). */
function verify(toml: Toml, before: Record<string, unknown>, text: string, name: string, entry: Record<string, unknown>): void {
  let after: Record<string, unknown>;
  try {
    after = toml.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new UnmergeableConfigError(`the entry cannot be added to it (${parserReason(error)})`);
  }
  const servers = after[SERVERS] as Record<string, unknown> | undefined;
  const same = stable(servers?.[name]) === stable(entry) && stable(without(after, name)) === stable(without(before, name));
  if (!same) throw new UnmergeableConfigError('t0ken could not place the entry in its layout');
}

function without(document: Record<string, unknown>, name: string): Record<string, unknown> {
  const servers = document[SERVERS];
  if (!isTable(servers)) return document;
  const { [name]: _dropped, ...rest } = servers;
  const copy: Record<string, unknown> = { ...document, [SERVERS]: rest };
  if (Object.keys(rest).length === 0) delete copy[SERVERS];
  return copy;
}

const stable = (value: unknown): string => JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? 'undefined';

/** The parser's reason and position on one line: its message also quotes the file over several lines. */
function parserReason(error: unknown): string {
  const lines = String((error as Error)?.message ?? error).split('\n').map((line) => line.trim()).filter(Boolean);
  const at = /\((\d+), (\d+)\)/.exec(lines[0] ?? '');
  const reason = (lines.at(-1) ?? 'unreadable').slice(0, 120);
  return at ? `${reason} at line ${at[1]}, column ${at[2]}` : reason;
}
