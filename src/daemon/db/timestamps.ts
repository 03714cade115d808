/**
 * JupyterHub keeps datetimes as naive UTC. SQLAlchemy writes them on SQLite as text
 * 'YYYY-MM-DD HH:MM:SS.ffffff' and reads that shape back with a regex, so we must write exactly it; on
 * PostgreSQL the column is TIMESTAMP WITHOUT TIME ZONE, which accepts the same text, and our connection
 * returns it unparsed (see connection.ts) so node-pg never reinterprets it as local time.
 */
import { HubError } from '../../lib/errors.js';
import type { Row } from './row.js';

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** A Date as JupyterHub's naive-UTC text. JS has milliseconds; the last three microsecond digits are 0. */
export function toDbTimestamp(d: Date): string {
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)} ` +
    `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.` +
    pad(d.getUTCMilliseconds() * 1000, 6);
}

const NAIVE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;

/** Parse naive-UTC text (SQLAlchemy's or PostgreSQL's ISO output). Microseconds beyond ms are dropped. */
export function parseDbTimestamp(text: string): Date | null {
  const m = NAIVE.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac = ''] = m;
  const ms = Math.floor(Number(frac.padEnd(6, '0')) / 1000);
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms));
  return Number.isNaN(date.getTime()) ? null : date;
}

export function readNullableDate(row: Row, column: string): Date | null {
  const v = row[column];
  if (v === null || v === undefined) return null;
  // A Date arrives only if someone else configured the driver to parse; it is then already absolute.
  if (v instanceof Date) return v;
  if (typeof v === 'string') {
    const d = parseDbTimestamp(v);
    if (d !== null) return d;
  }
  throw new HubError('DB_ERROR', `database column ${column} does not hold a datetime in JupyterHub's format`);
}
