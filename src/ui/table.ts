import { sanitizeLine } from '../core/sanitize.js';
import { hanging } from '../core/wrap.js';

// Cells often hold server text: each is made one safe line before it is measured, so a newline or
// an escape sequence in a field can neither break the columns nor reach the terminal.
const cell = (text: string): string => sanitizeLine(text);

/**
 * Renders rows as aligned columns: label column padded to the widest label; a value longer than
 * the line (`width`, the terminal's) wraps under itself.
 */
export function keyValueTable(rows: ReadonlyArray<readonly [string, string]>, styleLabel: (s: string) => string = (s) => s, width = Infinity): string {
  const safe = rows.map(([label, value]) => [label, cell(value)] as const); // labels are ours
  const labelWidth = Math.max(0, ...safe.map(([label]) => label.length));
  return safe
    .map(([label, value]) => {
      const [first, ...rest] = hanging(`${label.padEnd(labelWidth)}  `, value, width);
      return [`${styleLabel(label.padEnd(labelWidth))}${first!.slice(labelWidth)}`, ...rest].join('\n');
    })
    .join('\n');
}

/**
 * Renders a header plus rows as aligned columns. Wider than the line (`width`, the terminal's), it
 * becomes one block of `label  value` lines per row instead, so no column breaks mid-word.
 */
export function columnsTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>, styleHeader: (s: string) => string = (s) => s, width = Infinity): string {
  const safeRows = rows.map((r) => r.map(cell));
  const widths = header.map((h, i) => Math.max(h.length, ...safeRows.map((r) => (r[i] ?? '').length)));
  const render = (cells: readonly string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  const lines = [render(header), ...safeRows.map(render)];
  if (lines.every((line) => line.length <= width)) return [styleHeader(lines[0]!), ...lines.slice(1)].join('\n');
  const labels = header.map((h) => h.toLowerCase());
  return rows.map((row) => keyValueTable(labels.map((label, i) => [label, row[i] ?? ''] as const), styleHeader, width)).join('\n\n');
}
