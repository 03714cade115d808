import chalk from 'chalk';

/**
 * Plain-text tables sized to the terminal: columns keep their natural width while it fits, and the widest
 * shrinkable columns are cut with an ellipsis when it does not. Off a terminal, nothing is cut.
 */
export interface Column<R> {
  header: string;
  get: (row: R) => string;
  /** Columns that may be cut to fit (long names, scopes, URLs). */
  shrink?: boolean;
  align?: 'left' | 'right';
  /** Colour for a cell, applied after padding so widths count only visible characters. */
  color?: (row: R) => ((s: string) => string) | undefined;
}

export function renderTable<R>(columns: Column<R>[], rows: R[], width: number | undefined): string {
  const cells = rows.map((r) => columns.map((c) => c.get(r)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => (row[i] ?? '').length)));
  if (width !== undefined) fit(widths, columns, width);
  const line = (values: string[], style: (i: number) => ((s: string) => string) | undefined): string =>
    values
      .map((v, i) => {
        const w = widths[i] ?? 0;
        const text = v.length > w ? (w > 1 ? v.slice(0, w - 1) + '…' : v.slice(0, w)) : v;
        const padded = columns[i]?.align === 'right' ? text.padStart(w) : i === values.length - 1 ? text : text.padEnd(w);
        return (style(i) ?? ((s: string) => s))(padded);
      })
      .join('  ')
      .trimEnd();
  const header = line(
    columns.map((c) => c.header),
    () => (s) => chalk.bold(s),
  );
  return [header, ...cells.map((row, r) => line(row, (i) => columns[i]?.color?.(rows[r] as R)))].join('\n');
}

function fit<R>(widths: number[], columns: Column<R>[], width: number): void {
  const total = (): number => widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  while (total() > width) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++) {
      if (!columns[i]?.shrink || (widths[i] ?? 0) <= 8) continue;
      if (widest < 0 || (widths[i] ?? 0) > (widths[widest] ?? 0)) widest = i;
    }
    if (widest < 0) return;
    widths[widest] = (widths[widest] ?? 0) - 1;
  }
}

export function terminalWidth(stream: NodeJS.WriteStream = process.stdout): number | undefined {
  return stream.isTTY ? stream.columns : undefined;
}

/** `3m ago`, `2h ago`, `5d ago`; '-' for never. Tables show this; --json keeps the ISO timestamp. */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '-';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

/** A timestamp with its age for `show` pages: `2026-11-26T04:16:59Z (2m ago)`, or `none` when there is none. */
export function stamp(iso: string | null | undefined, none = '-'): string {
  return iso ? `${iso} (${ago(iso)})` : none;
}
