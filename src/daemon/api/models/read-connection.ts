/**
 * SQLite only: the API's hot reads (user models and lists) go through a second, read-only connection to the same
 * database file, with prepared statements kept for the life of the hub.
 *
 * Why: the hub's knex pool has one SQLite connection, so every query waits for the previous one plus the event-loop
 * round trips of acquiring and releasing it, and SQLite parses each statement anew. On a busy hub the database thread
 * idles between queries. A reader connection with cached statements keeps it busy (about 5x the reads per second).
 * Invariants: WAL journal only (readers never block the writer and see only committed transactions, so a GET after a
 * PATCH sees the change); the reader closes when the knex pool is destroyed; any failure disables it and the caller
 * falls back to knex. PostgreSQL and in-memory databases always use knex.
 */
import type { Knex } from 'knex';
import sqlite3 from 'sqlite3';
import { asRow, type Row } from '../../db/row.js';

export interface FastReads {
  get(sql: string, params: readonly unknown[]): Promise<Row | undefined>;
  all(sql: string, params: readonly unknown[]): Promise<Row[]>;
}

type Pending = Promise<FastReads | null>;
const readers = new WeakMap<Knex, Pending>();

function field(o: unknown, ...path: string[]): unknown {
  let cur: unknown = o;
  for (const k of path) cur = typeof cur === 'object' && cur !== null && k in cur ? (cur as Record<string, unknown>)[k] : undefined;
  return cur;
}

/** The file behind a knex sqlite3 client, or null if it is not a plain file (memory, URI) or not sqlite3 at all. */
function sqliteFile(db: Knex): string | null {
  if (field(db.client, 'dialect') !== 'sqlite3') return null;
  const filename = field(db.client, 'config', 'connection', 'filename');
  if (typeof filename !== 'string' || filename === '' || filename === ':memory:' || filename.startsWith('file:')) return null;
  return filename;
}

class Reader implements FastReads {
  private readonly conn: sqlite3.Database;
  private readonly statements = new Map<string, sqlite3.Statement>();
  closed = false;

  constructor(conn: sqlite3.Database) {
    this.conn = conn;
  }

  private statement(sql: string): sqlite3.Statement {
    let st = this.statements.get(sql);
    if (st === undefined) {
      // Lists build SQL with varying IN-lists; keep the cache bounded.
      if (this.statements.size >= 200) this.finalizeAll();
      st = this.conn.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }

  get(sql: string, params: readonly unknown[]): Promise<Row | undefined> {
    return new Promise((resolve, reject) => {
      this.statement(sql).get([...params], (err: Error | null, row: unknown) => (err ? reject(err) : resolve(row === undefined ? undefined : asRow(row))));
    });
  }

  all(sql: string, params: readonly unknown[]): Promise<Row[]> {
    return new Promise((resolve, reject) => {
      this.statement(sql).all([...params], (err: Error | null, rows: unknown[]) => (err ? reject(err) : resolve(rows.map(asRow))));
    });
  }

  private finalizeAll(): void {
    // Finalizing is immediate for idle statements and queued behind a running one, which node-sqlite3 finishes
    // before it closes the database.
    for (const st of this.statements.values()) st.finalize();
    this.statements.clear();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.finalizeAll();
    this.conn.close(() => undefined);
  }
}

async function open(db: Knex): Pending {
  const file = sqliteFile(db);
  if (file === null) return null;
  const mode = await db.raw('PRAGMA journal_mode');
  if (field(Array.isArray(mode) ? mode[0] : mode, 'journal_mode') !== 'wal') return null;
  const conn = await new Promise<sqlite3.Database>((resolve, reject) => {
    const c = new sqlite3.Database(file, sqlite3.OPEN_READONLY, (err) => (err ? reject(err) : resolve(c)));
  });
  await new Promise<void>((resolve, reject) => conn.exec('PRAGMA busy_timeout = 5000; PRAGMA query_only = 1', (err) => (err ? reject(err) : resolve())));
  const reader = new Reader(conn);
  const pool = field(db.client, 'pool');
  const on = field(pool, 'on');
  if (typeof on !== 'function') {
    reader.close();
    return null;
  }
  on.call(pool, 'poolDestroyRequest', () => reader.close());
  return reader;
}

/** The reader for this database, or null (then use knex). Opened on first use. */
export async function fastReads(db: Knex): Promise<FastReads | null> {
  let pending = readers.get(db);
  if (pending === undefined) {
    pending = open(db).catch(() => null);
    readers.set(db, pending);
  }
  const reader = await pending;
  return reader instanceof Reader && reader.closed ? null : reader;
}

/** After a failed fast read: stop using the reader for this database. */
export function disableFastReads(db: Knex): void {
  void readers.get(db)?.then((r) => (r instanceof Reader ? r.close() : undefined));
  readers.set(db, Promise.resolve(null));
}

/** Runs a knex query through the reader when there is one (same SQL, same bindings), else through knex. */
export async function readRows(db: Knex, query: Knex.QueryBuilder | Knex.Raw): Promise<Row[]> {
  const reader = await fastReads(db);
  if (reader !== null) {
    const { sql, bindings } = query.toSQL().toNative();
    try {
      return await reader.all(sql, bindings);
    } catch {
      disableFastReads(db);
    }
  }
  const rows: unknown = await query;
  return Array.isArray(rows) ? rows.map(asRow) : [];
}
