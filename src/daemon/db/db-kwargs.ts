/**
 * `JupyterHub.db_kwargs`: in JupyterHub these go to SQLAlchemy's create_engine, so existing configs hold
 * engine options (pool_size, pool_recycle, ...) and driver options under `connect_args`. We honour:
 *
 * SQLite
 *   busy_timeout          milliseconds a writer waits for a lock (default 5000)
 *   timeout               seconds, Python sqlite3's name for the same (also accepted inside connect_args)
 *   flags                 node-sqlite3 open flags, e.g. ["OPEN_URI", "OPEN_SHAREDCACHE"]
 *
 * PostgreSQL
 *   pool_size, max_overflow   pool size is their sum, as in SQLAlchemy (defaults 5 and 10)
 *   pool_timeout              seconds to wait for a pooled connection
 *   connect_args              libpq/psycopg2 options: host, port, user, password, dbname, sslmode,
 *                             application_name, connect_timeout (default 10 s) are translated; others
 *                             pass to node-pg
 *   any other key             passed to node-pg's Client as is (ssl, statement_timeout, keepAlive, ...)
 *
 * SQLAlchemy-only engine options (pool_recycle, pool_pre_ping, echo, ...) are ignored with a warning.
 */
import { HubError } from '../../lib/errors.js';
import type { Logger } from '../../lib/log.js';

export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

export interface SqliteSettings { busyTimeoutMs: number; flags: string[] | undefined }
export interface PostgresSettings { connection: Record<string, unknown>; poolMax: number | undefined; acquireTimeoutMillis: number | undefined }

const ENGINE_ONLY = new Set(['pool_recycle', 'pool_pre_ping', 'echo', 'echo_pool', 'poolclass', 'isolation_level',
  'pool_reset_on_return', 'pool_use_lifo', 'future', 'execution_options', 'hide_parameters', 'logging_name']);
/** JupyterHub itself passes this for SQLite; it means nothing to node-sqlite3. */
const SQLITE_IGNORED = new Set(['check_same_thread', 'isolation_level', 'detect_types', 'uri', 'cached_statements']);

function bad(key: string, expected: string): HubError {
  return new HubError('CONFIG_INVALID', `JupyterHub.db_kwargs.${key} must be ${expected}`, {
    hint: `fix or remove ${key} in JupyterHub.db_kwargs`,
  });
}

function nonNegative(key: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw bad(key, 'a non-negative number');
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function sqliteSettings(kwargs: Record<string, unknown>, log: Logger): SqliteSettings {
  let busyTimeoutMs = DEFAULT_BUSY_TIMEOUT_MS;
  let flags: string[] | undefined;
  const connectArgs = kwargs.connect_args === undefined ? {} : kwargs.connect_args;
  if (!isRecord(connectArgs)) throw bad('connect_args', 'a dict');
  for (const [key, value] of [...Object.entries(connectArgs), ...Object.entries(kwargs)]) {
    if (key === 'connect_args' || SQLITE_IGNORED.has(key)) continue;
    if (key === 'busy_timeout') busyTimeoutMs = Math.round(nonNegative(key, value));
    else if (key === 'timeout') busyTimeoutMs = Math.round(nonNegative(key, value) * 1000);
    else if (key === 'flags') {
      if (!Array.isArray(value) || !value.every((f): f is string => typeof f === 'string' && f.startsWith('OPEN_'))) {
        throw bad(key, 'a list of node-sqlite3 flag names such as "OPEN_URI"');
      }
      flags = value;
    } else log.warn(`Ignoring JupyterHub.db_kwargs.${key}: not used with SQLite`);
  }
  return { busyTimeoutMs, flags };
}

/** libpq names (what psycopg2 takes in connect_args) translated to node-pg's. */
function translateLibpq(key: string, value: unknown, into: Record<string, unknown>): void {
  switch (key) {
    case 'dbname': into.database = value; break;
    case 'connect_timeout': into.connectionTimeoutMillis = nonNegative(key, Number(value)) * 1000; break;
    case 'sslmode': {
      const mode = String(value);
      if (mode === 'require') into.ssl = { rejectUnauthorized: false };
      else if (mode === 'verify-ca' || mode === 'verify-full') into.ssl = { rejectUnauthorized: true };
      else if (['disable', 'allow', 'prefer'].includes(mode)) into.ssl = false;
      else throw bad('connect_args.sslmode', 'one of disable, allow, prefer, require, verify-ca, verify-full');
      break;
    }
    default: into[key] = value;
  }
}

export function postgresSettings(kwargs: Record<string, unknown>, log: Logger): PostgresSettings {
  const connection: Record<string, unknown> = {};
  let poolSize: number | undefined;
  let maxOverflow: number | undefined;
  let acquireTimeoutMillis: number | undefined;
  for (const [key, value] of Object.entries(kwargs)) {
    if (key === 'pool_size') poolSize = Math.round(nonNegative(key, value));
    else if (key === 'max_overflow') maxOverflow = Math.round(nonNegative(key, value));
    else if (key === 'pool_timeout') acquireTimeoutMillis = nonNegative(key, value) * 1000;
    else if (key === 'connect_args') {
      if (!isRecord(value)) throw bad(key, 'a dict');
      for (const [k, v] of Object.entries(value)) translateLibpq(k, v, connection);
    } else if (ENGINE_ONLY.has(key)) log.warn(`Ignoring JupyterHub.db_kwargs.${key}: a SQLAlchemy engine option`);
    else connection[key] = value;
  }
  const poolMax = poolSize === undefined && maxOverflow === undefined
    ? undefined
    : Math.max(1, (poolSize ?? 5) + (maxOverflow ?? 10));
  return { connection, poolMax, acquireTimeoutMillis };
}
