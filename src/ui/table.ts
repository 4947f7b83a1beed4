import { sanitizeLine } from '../core/sanitize.js';

// Cells often hold server text: each is made one safe line before it is measured, so a newline or
// an escape sequence in a field can neither break the columns nor reach the terminal.
const cell = (text: string): string => sanitizeLine(text);

/** Renders rows as aligned columns: label column padded to the widest label. */
export function keyValueTable(rows: ReadonlyArray<readonly [string, string]>, styleLabel: (s: string) => string = (s) => s): string {
  const safe = rows.map(([label, value]) => [label, cell(value)] as const); // labels are ours
  const width = Math.max(0, ...safe.map(([label]) => label.length));
  return safe.map(([label, value]) => `${styleLabel(label.padEnd(width))}  ${value}`).join('\n');
}

/** Renders a header plus rows as aligned columns. */
export function columnsTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>, styleHeader: (s: string) => string = (s) => s): string {
  const safeRows = rows.map((r) => r.map(cell));
  const widths = header.map((h, i) => Math.max(h.length, ...safeRows.map((r) => (r[i] ?? '').length)));
  const render = (cells: readonly string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [styleHeader(render(header)), ...safeRows.map(render)].join('\n');
}
