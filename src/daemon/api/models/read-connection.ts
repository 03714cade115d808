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
  /** All rows. (No `get`: node-sqlite3's Statement#get without parameters does not rewind a reused statement.) */
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
  /** Queries sent and not answered yet: the pool sends the next query to the least busy reader. */
  busy = 0;

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

  all(sql: string, params: readonly unknown[]): Promise<Row[]> {
    this.busy++;
    return new Promise((resolve, reject) => {
      this.statement(sql).all([...params], (err: Error | null, rows: unknown[]) => {
        this.busy--;
        if (err) reject(err);
        else resolve(rows.map(asRow));
      });
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

/** Readers work on separate threads of libuv's pool: two keep the database busy while JS handles results. */
const READERS = 2;

class ReaderPool implements FastReads {
  readonly readers: Reader[];

  constructor(readers: Reader[]) {
    this.readers = readers;
  }

  get closed(): boolean {
    return this.readers.some((r) => r.closed);
  }

  private pick(): Reader {
    let best = this.readers[0] as Reader;
    for (const r of this.readers) if (r.busy < best.busy) best = r;
    return best;
  }

  all(sql: string, params: readonly unknown[]): Promise<Row[]> {
    return this.pick().all(sql, params);
  }

  close(): void {
    for (const r of this.readers) r.close();
  }
}

async function openReader(file: string): Promise<Reader> {
  const conn = await new Promise<sqlite3.Database>((resolve, reject) => {
    const c = new sqlite3.Database(file, sqlite3.OPEN_READONLY, (err) => (err ? reject(err) : resolve(c)));
  });
  await new Promise<void>((resolve, reject) => conn.exec('PRAGMA busy_timeout = 5000; PRAGMA query_only = 1', (err) => (err ? reject(err) : resolve())));
  return new Reader(conn);
}

async function open(db: Knex): Pending {
  const file = sqliteFile(db);
  if (file === null) return null;
  const mode = await db.raw('PRAGMA journal_mode');
  if (field(Array.isArray(mode) ? mode[0] : mode, 'journal_mode') !== 'wal') return null;
  const reader = new ReaderPool(await Promise.all(Array.from({ length: READERS }, () => openReader(file))));
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
  return reader instanceof ReaderPool && reader.closed ? null : reader;
}

/**
 * SQLite's `PRAGMA data_version` on the first reader: it changes whenever another connection (the hub's writer, a
 * CLI, JupyterHub) commits. Equal values mean nothing was written in between. null without a reader.
 */
export async function dataVersion(db: Knex): Promise<number | null> {
  const reader = await fastReads(db);
  if (!(reader instanceof ReaderPool)) return null;
  try {
    const [row] = await (reader.readers[0] as Reader).all('PRAGMA data_version', []);
    const v = row?.data_version;
    return typeof v === 'number' ? v : null;
  } catch {
    disableFastReads(db);
    return null;
  }
}

/** After a failed fast read: stop using the reader for this database. */
export function disableFastReads(db: Knex): void {
  void readers.get(db)?.then((r) => (r instanceof ReaderPool ? r.close() : undefined));
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
