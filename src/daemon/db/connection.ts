/**
 * Opening the database named by db_url, with the per-connection settings JupyterHub relies on
 * (foreign keys on SQLite, which SQLite leaves off unless asked on every connection) and the ones we add
 * (WAL and a busy timeout, so the CLI reading while the daemon writes does not fail with SQLITE_BUSY).
 * The first connection is made here, so a wrong path or an unreachable server fails at start-up, in one line.
 */
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { errnoCode, HubError } from '../../lib/errors.js';
import type { Logger } from '../../lib/log.js';
import { describeTarget, type DbTarget } from './db-url.js';
import { postgresSettings, sqliteSettings } from './db-kwargs.js';
import { hubPgTypes } from './pg-types.js';
import { attachQueryLog } from './query-log.js';

export interface OpenOptions {
  /** JupyterHub.db_kwargs; see db-kwargs.ts for the keys honoured. */
  dbKwargs?: Record<string, unknown>;
  /** JupyterHub.debug_db: log every statement at debug level (secrets redacted). */
  debugDb?: boolean;
  log: Logger;
}

const DEFAULT_PG_CONNECT_TIMEOUT_MS = 10_000;

type Done = (err: Error | null, conn?: unknown) => void;

/** The one method of a node-sqlite3 Database / pg Client we call, narrowed from knex's untyped connection. */
function runOnConnection(conn: unknown, method: 'exec' | 'query', sql: string, done: (err: Error | null) => void): void {
  const fn = typeof conn === 'object' && conn !== null && method in conn ? (conn as Record<string, unknown>)[method] : undefined;
  if (typeof fn !== 'function') {
    done(new Error(`database connection has no ${method}()`));
    return;
  }
  fn.call(conn, sql, (err: unknown) => done(err instanceof Error ? err : null));
}

async function requireParentDir(filename: string): Promise<void> {
  const dir = path.dirname(filename);
  try {
    if ((await stat(dir)).isDirectory()) return;
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT' && errnoCode(err) !== 'ENOTDIR') throw err;
  }
  throw new HubError('IO_ERROR', `the directory for the SQLite database ${filename} does not exist`, {
    hint: `create it (mkdir -p ${dir}) or point JupyterHub.db_url at an existing directory`,
  });
}

/**
 * The database holds OAuth client secrets and codes, token hashes and auth_state: a new SQLite file is created
 * 0600 (SQLite gives its -wal and -shm files the same mode), and an existing one that others can read is
 * pointed out. JupyterHub leaves the file to the umask (usually 0644).
 */
async function protectSqliteFile(filename: string, log: Logger): Promise<void> {
  try {
    await (await open(filename, 'wx', 0o600)).close();
    return;
  } catch (err) {
    if (errnoCode(err) !== 'EEXIST') return; // SQLite's own open reports it, with our hint
  }
  const st = await stat(filename).catch(() => undefined);
  if (st?.isDirectory() === true) {
    throw new HubError('DB_URL_INVALID', `JupyterHub.db_url names the directory ${filename}, not a SQLite file`, {
      hint: `name a file in it, e.g. sqlite:///${path.join(filename, 'jupyterhub.sqlite')}`,
    });
  }
  if (st !== undefined && st.isFile() && (st.mode & 0o077) !== 0 && st.size > 0) {
    log.warn(`The database ${filename} can be read by other users (mode ${(st.mode & 0o777).toString(8)}); it holds OAuth client secrets and auth_state: chmod 600 ${filename}`);
  }
}

function sqliteConfig(target: Extract<DbTarget, { kind: 'sqlite' }>, kwargs: Record<string, unknown>, log: Logger): Knex.Config {
  const { busyTimeoutMs, flags } = sqliteSettings(kwargs, log);
  // busy_timeout first, so that switching to WAL (enableWal) waits for another process's lock instead of failing.
  // WAL is not switched on here: opening a database must not change the file until we know its schema is ours
  // (a refused start, or upgrade-db's backup, must leave a JupyterHub database exactly as it was).
  const pragmas = [`PRAGMA busy_timeout = ${busyTimeoutMs}`, 'PRAGMA foreign_keys = ON'];
  return {
    client: 'sqlite3',
    useNullAsDefault: true,
    connection: flags === undefined ? { filename: target.filename } : { filename: target.filename, flags },
    // One connection: SQLite serialises writers anyway, and an in-memory database exists only in its connection.
    pool: {
      min: 1,
      max: 1,
      afterCreate: (conn: unknown, done: Done) => runOnConnection(conn, 'exec', pragmas.join('; '), (err) => done(err, conn)),
    },
  };
}

function postgresConfig(target: Extract<DbTarget, { kind: 'postgres' }>, kwargs: Record<string, unknown>, log: Logger): Knex.Config {
  const settings = postgresSettings(kwargs, log);
  const pool: Knex.PoolConfig = {
    min: 0,
    // Our timestamp parsing expects ISO output whatever the server's DateStyle default is.
    afterCreate: (conn: unknown, done: Done) => runOnConnection(conn, 'query', "SET datestyle TO 'ISO, MDY'", (err) => done(err, conn)),
  };
  if (settings.poolMax !== undefined) pool.max = settings.poolMax;
  if (settings.acquireTimeoutMillis !== undefined) pool.acquireTimeoutMillis = settings.acquireTimeoutMillis;
  return {
    client: 'pg',
    // node-pg waits forever for an unroutable host by default; a hub stuck at start-up without a word is
    // worse than a clear error. connect_args override the URL, as SQLAlchemy merges them.
    connection: { connectionTimeoutMillis: DEFAULT_PG_CONNECT_TIMEOUT_MS, ...target.connection, ...settings.connection, types: hubPgTypes() },
    pool,
  };
}

/**
 * knex's own warnings and errors (a failed migration, a deprecation) go to our log, not to the console, one line
 * each. A failed connection attempt is not worth a warning: the query that needed it fails with it, and that
 * failure is reported (at start: one error line with the fix).
 */
function knexLogger(log: Logger): Knex.Logger {
  const text = (m: unknown): string => (typeof m === 'string' ? m : m instanceof Error ? m.message : JSON.stringify(m)).split('\n', 1)[0] ?? '';
  return {
    warn: (m: unknown) => (/^Acquire connection error/.test(text(m)) ? log.debug(`knex: ${text(m)}`) : log.warn(`knex: ${text(m)}`)),
    error: (m: unknown) => log.error(`knex: ${text(m)}`),
    deprecate: (method: string, alternative: string) => log.warn(`knex: ${method} is deprecated, use ${alternative}`),
    debug: (m: unknown) => log.debug(`knex: ${text(m)}`),
  };
}

function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function openError(target: DbTarget, err: unknown): HubError {
  if (target.kind === 'postgres') {
    return new HubError('DB_ERROR', `cannot connect to PostgreSQL at ${describeTarget(target)}: ${oneLine(err)}`, {
      hint: 'check that the server is running and that JupyterHub.db_url names the right host, port, user and database',
      cause: err,
    });
  }
  if (errnoCode(err) === 'SQLITE_NOTADB' || errnoCode(err) === 'SQLITE_CORRUPT') {
    return new HubError('DB_ERROR', `${describeTarget(target)} is not a SQLite database (or it is corrupt): ${oneLine(err)}`, {
      hint: 'check JupyterHub.db_url: it must name the hub\'s SQLite file (a new one is created if it does not exist), or restore the file from a backup',
      cause: err,
    });
  }
  return new HubError('DB_ERROR', `cannot open SQLite database ${describeTarget(target)}: ${oneLine(err)}`, {
    hint: 'check that the user running the hub can read and write the file and its directory',
    cause: err,
  });
}

/**
 * WAL lets the CLI and other readers work while the daemon writes. The mode is stored in the file, so one
 * switch lasts; call it once the schema is known to be current.
 */
export async function enableWal(db: Knex, target: DbTarget): Promise<void> {
  if (target.kind !== 'sqlite' || target.memory) return;
  await db.raw('PRAGMA journal_mode = WAL');
}

export async function openDatabase(target: DbTarget, opts: OpenOptions): Promise<Knex> {
  const kwargs = opts.dbKwargs ?? {};
  if (target.kind === 'sqlite' && !target.memory) {
    await requireParentDir(target.filename);
    await protectSqliteFile(target.filename, opts.log);
  }
  const config = target.kind === 'sqlite' ? sqliteConfig(target, kwargs, opts.log) : postgresConfig(target, kwargs, opts.log);
  const db = knexFactory({ ...config, log: knexLogger(opts.log) });
  if (opts.debugDb) attachQueryLog(db, opts.log);
  try {
    // SQLite reads the file's header only when a query needs the schema: 'select 1' passes on any file.
    await db.raw(target.kind === 'sqlite' ? 'PRAGMA schema_version' : 'select 1');
  } catch (err) {
    await db.destroy().catch(() => undefined);
    throw openError(target, err);
  }
  opts.log.debug(`Connected to ${target.kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'} database ${describeTarget(target)}`);
  return db;
}
