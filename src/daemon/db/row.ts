/**
 * Narrowing for database rows. Drivers differ in what they hand back (sqlite3: 0/1 for booleans and
 * numbers for counts; pg: booleans, and strings for bigint counts), so each column is read through one of
 * these guards instead of trusting a cast. A value of the wrong shape is a corrupt or foreign row: DB_ERROR.
 */
import { HubError } from '../../lib/errors.js';

export type Row = Record<string, unknown>;

function corrupt(column: string, value: unknown, expected: string): HubError {
  const shown = typeof value === 'string' ? `a string of ${value.length} chars` : typeof value;
  // The value itself is not shown: it might be a token hash or a cookie id.
  return new HubError('DB_ERROR', `database column ${column} holds ${shown}, expected ${expected}`);
}

export function asRow(value: unknown): Row {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HubError('DB_ERROR', `database returned ${typeof value} where a row was expected`);
  }
  return value as Row;
}

export function asRows(value: unknown): Row[] {
  if (!Array.isArray(value)) throw new HubError('DB_ERROR', 'database returned no row list');
  return value.map(asRow);
}

export function readInt(row: Row, column: string): number {
  const v = row[column];
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  // pg returns bigint (count(*), int8) as a string to avoid precision loss.
  if (typeof v === 'string' && /^-?\d+$/.test(v) && Number.isSafeInteger(Number(v))) return Number(v);
  if (typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER)) return Number(v);
  throw corrupt(column, v, 'an integer');
}

export function readNullableInt(row: Row, column: string): number | null {
  return row[column] === null || row[column] === undefined ? null : readInt(row, column);
}

export function readString(row: Row, column: string): string {
  const v = row[column];
  if (typeof v === 'string') return v;
  throw corrupt(column, v, 'text');
}

export function readNullableString(row: Row, column: string): string | null {
  const v = row[column];
  return v === null || v === undefined ? null : readString(row, column);
}

/** SQLAlchemy stores Boolean as 0/1 on SQLite and as boolean on PostgreSQL; NULL reads as false. */
export function readBool(row: Row, column: string): boolean {
  const v = row[column];
  if (v === null || v === undefined) return false;
  if (typeof v === 'boolean') return v;
  if (v === 0 || v === 1) return v === 1;
  throw corrupt(column, v, 'a boolean');
}

export function readNullableBuffer(row: Row, column: string): Buffer | null {
  const v = row[column];
  if (v === null || v === undefined) return null;
  if (Buffer.isBuffer(v)) return v;
  throw corrupt(column, v, 'binary data');
}

/** JupyterHub's JSONDict/JSONList columns: JSON text, NULL allowed. */
export function readJson(row: Row, column: string): unknown {
  const text = readNullableString(row, column);
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw corrupt(column, text, 'JSON');
  }
}

export function readJsonObject(row: Row, column: string): Record<string, unknown> | null {
  const v = readJson(row, column);
  if (v === null) return null;
  if (typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  throw corrupt(column, v, 'a JSON object');
}

/** JSONList: JupyterHub reads NULL as []. */
export function readStringList(row: Row, column: string): string[] {
  const v = readJson(row, column);
  if (v === null) return [];
  if (Array.isArray(v) && v.every((x): x is string => typeof x === 'string')) return v;
  throw corrupt(column, v, 'a JSON list of strings');
}
