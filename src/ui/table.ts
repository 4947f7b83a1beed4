/** Renders rows as aligned columns: label column padded to the widest label. */
export function keyValueTable(rows: ReadonlyArray<readonly [string, string]>, styleLabel: (s: string) => string = (s) => s): string {
  const width = Math.max(0, ...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${styleLabel(label.padEnd(width))}  ${value}`).join('\n');
}

/** Renders a header plus rows as aligned columns. */
export function columnsTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>, styleHeader: (s: string) => string = (s) => s): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const render = (cells: readonly string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [styleHeader(render(header)), ...rows.map(render)].join('\n');
}
