import chalk from 'chalk';
import type { BatchResult } from '../lib/client/batch.js';
import { renderTable } from './table.js';

/** The per-target outcome of a batch command, as a table and as the rows --json prints. */
export interface OutcomeRow {
  target: string;
  ok: boolean;
  result: string;
}

export function outcomeRows<T>(results: BatchResult<T>[], label: (t: T) => string): OutcomeRow[] {
  return results.map((r) => ({ target: label(r.target), ok: r.ok, result: r.result }));
}

export function renderOutcomes(header: string, rows: OutcomeRow[], width: number | undefined): string {
  return renderTable(
    [
      { header, get: (r: OutcomeRow) => r.target, shrink: true },
      { header: 'RESULT', get: (r) => r.result, shrink: true, color: (r) => (r.ok ? undefined : chalk.red) },
    ],
    rows,
    width,
  );
}
