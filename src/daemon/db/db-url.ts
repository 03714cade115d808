/**
 * `JupyterHub.db_url` in the SQLAlchemy forms JupyterHub admins already have in their config, turned into
 * what knex's drivers take. Passwords never leave this module in a message: use `redactDbUrl` for logs.
 */
import path from 'node:path';
import { HubError } from '../../lib/errors.js';

export interface PostgresConnection {
  /** A hostname, an IP address, or a directory holding the server's unix socket (starts with '/'). */
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  database?: string;
  application_name?: string;
  /** Seconds, libpq's connect_timeout; handed to pg as connectionTimeoutMillis. */
  connectionTimeoutMillis?: number;
  ssl?: boolean | { rejectUnauthorized: boolean };
}

export type DbTarget =
  | { kind: 'sqlite'; filename: string; memory: boolean; url: string }
  | { kind: 'postgres'; connection: PostgresConnection; url: string };

const ACCEPTED_FORMS =
  'use sqlite:///relative/path.sqlite, sqlite:////absolute/path.sqlite, sqlite:// (in memory), ' +
  'or postgresql://user:password@host:port/dbname (also postgres://, postgresql+psycopg2://, ?host=/socket/dir)';

const SQLITE_SCHEMES = new Set(['sqlite', 'sqlite+pysqlite']);
const POSTGRES_SCHEMES = new Set(['postgresql', 'postgres', 'postgresql+psycopg2', 'postgresql+psycopg', 'postgresql+pg8000']);

/** Query parameters libpq takes that we translate; anything else is refused rather than silently dropped. */
const PG_QUERY_KEYS = ['host', 'port', 'user', 'password', 'dbname', 'sslmode', 'application_name', 'connect_timeout'];

function invalid(url: string, why: string): HubError {
  return new HubError('DB_URL_INVALID', `invalid db_url ${redactDbUrl(url)}: ${why}`, { hint: ACCEPTED_FORMS });
}

/** The URL with any password replaced by `[redacted]`, as JupyterHub logs it. Safe on garbage input. */
export function redactDbUrl(url: string): string {
  // Work on the text rather than URL objects: garbage must be redacted too, and the rest kept as written.
  // Greedy up to the last '@': an unencoded '@' or '/' in a password must not leave its tail visible;
  // redacting a little too much of a malformed URL is the safe side.
  const withoutUserinfoPassword = url.replace(/^([^:/?#]+:\/\/[^:/?#@]*):.*@/, '$1:[redacted]@');
  return withoutUserinfoPassword.replace(/([?&]password=)[^&#]*/gi, '$1[redacted]');
}

function schemeOf(url: string): string | undefined {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(url);
  return m?.[1]?.toLowerCase();
}

function parseSqlite(url: string, cwd: string): DbTarget {
  const m = /^[^:]+:\/\/([^/?#]*)(\/[^?#]*)?([?#].*)?$/.exec(url);
  if (!m) throw invalid(url, 'a sqlite URL starts with sqlite:// followed by a path');
  const [, authority = '', dbPath, rest] = m;
  if (authority !== '') throw invalid(url, `sqlite URLs have no host (found "${authority}"); use three slashes: sqlite:///file`);
  if (rest !== undefined) throw invalid(url, 'query parameters are not supported in sqlite URLs; put driver options in JupyterHub.db_kwargs');
  // SQLAlchemy: everything after the third slash is the filename, kept as written (no percent-decoding).
  const name = dbPath === undefined ? '' : dbPath.slice(1);
  if (name === '' || name === ':memory:') return { kind: 'sqlite', filename: ':memory:', memory: true, url };
  return { kind: 'sqlite', filename: path.resolve(cwd, name), memory: false, url };
}

function decode(url: string, part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw invalid(url, `the ${what} is not valid percent-encoding`);
  }
}

function parsePort(url: string, text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) throw invalid(url, `port "${text}" is not a number from 1 to 65535`);
  return port;
}

function sslFor(url: string, mode: string): PostgresConnection['ssl'] {
  switch (mode) {
    case 'disable': case 'allow': case 'prefer': return false;
    // libpq's require does not check the certificate; verify-ca/verify-full do.
    case 'require': return { rejectUnauthorized: false };
    case 'verify-ca': case 'verify-full': return { rejectUnauthorized: true };
    default: throw invalid(url, `sslmode "${mode}" is not one of disable, allow, prefer, require, verify-ca, verify-full`);
  }
}

function applyQuery(url: string, conn: PostgresConnection, query: URLSearchParams): void {
  for (const [key, value] of query) {
    switch (key) {
      case 'host': conn.host = value; break;
      case 'port': conn.port = parsePort(url, value); break;
      case 'user': conn.user = value; break;
      case 'password': conn.password = value; break;
      case 'dbname': conn.database = value; break;
      case 'application_name': conn.application_name = value; break;
      case 'sslmode': conn.ssl = sslFor(url, value); break;
      case 'connect_timeout': {
        if (!/^\d+$/.test(value)) throw invalid(url, `connect_timeout "${value}" is not a whole number of seconds`);
        conn.connectionTimeoutMillis = Number(value) * 1000;
        break;
      }
      default: throw invalid(url, `query parameter "${key}" is not supported (supported: ${PG_QUERY_KEYS.join(', ')})`);
    }
  }
}

function parsePostgres(url: string): DbTarget {
  // Split by hand: WHATWG URL rejects the socket form with an empty host and mangles unusual userinfo.
  const m = /^[^:]+:\/\/(?:([^@/?#]*)@)?(\[[^\]]*\]|[^:/?#]*)(?::([^/?#]*))?(?:\/([^?#]*))?(?:\?([^#]*))?$/.exec(url);
  if (!m) throw invalid(url, 'expected postgresql://user:password@host:port/dbname');
  const [, userinfo, hostPart = '', portPart, dbPart, queryPart] = m;
  const conn: PostgresConnection = {};
  if (userinfo !== undefined && userinfo !== '') {
    const colon = userinfo.indexOf(':');
    const user = colon < 0 ? userinfo : userinfo.slice(0, colon);
    if (user !== '') conn.user = decode(url, user, 'user name');
    if (colon >= 0) conn.password = decode(url, userinfo.slice(colon + 1), 'password');
  }
  const host = hostPart.startsWith('[') ? hostPart.slice(1, -1) : decode(url, hostPart, 'host');
  if (host !== '') conn.host = host;
  if (portPart !== undefined && portPart !== '') conn.port = parsePort(url, portPart);
  if (dbPart !== undefined && dbPart !== '') conn.database = decode(url, dbPart, 'database name');
  if (queryPart !== undefined && queryPart !== '') applyQuery(url, conn, new URLSearchParams(queryPart));
  return { kind: 'postgres', connection: conn, url };
}

/** Parse a JupyterHub db_url. Relative SQLite paths resolve against `cwd`, as JupyterHub's do. */
export function parseDbUrl(url: string, cwd: string): DbTarget {
  const scheme = schemeOf(url.trim());
  if (scheme === undefined) throw invalid(url, 'no scheme (sqlite:// or postgresql://)');
  if (SQLITE_SCHEMES.has(scheme)) return parseSqlite(url.trim(), cwd);
  if (POSTGRES_SCHEMES.has(scheme)) return parsePostgres(url.trim());
  if (scheme.startsWith('mysql') || scheme.startsWith('mariadb')) {
    throw invalid(url, 'MySQL/MariaDB is not supported by this hub');
  }
  throw invalid(url, `unsupported scheme "${scheme}"`);
}

/** "host:port" (or the socket path) for one-line connection errors. Never includes credentials. */
export function describeTarget(target: DbTarget): string {
  if (target.kind === 'sqlite') return target.memory ? 'sqlite in memory' : target.filename;
  const { host, port, database } = target.connection;
  const where = host?.startsWith('/')
    ? `${host}/.s.PGSQL.${port ?? 5432}`
    : `${host ?? 'localhost'}:${port ?? 5432}`;
  return database === undefined ? where : `${where}/${database}`;
}
