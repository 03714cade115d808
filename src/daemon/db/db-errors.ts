import { HubError, errnoCode } from '../../lib/errors.js';

/**
 * SQLite's failures that an admin fixes outside the hub (a lock held by another program, a read-only file, a
 * missing directory, a full disk), told as one line and a hint. A driver error's message starts with the whole
 * SQL statement and its values (token hashes, cookie ids), which belong in no log and no spawn message: only
 * SQLite's own words are kept. Anything else is not ours to explain and is returned as null.
 */
interface Known {
  what: string;
  hint: string;
}

const KNOWN: Record<string, Known> = {
  SQLITE_BUSY: {
    what: 'the database is locked by another process',
    hint: 'Another program holds a write lock on the database file (an sqlite3 shell inside a transaction, a backup): end it. The hub waits JupyterHub.db_kwargs busy_timeout (ms, default 5000) for a lock before giving up.',
  },
  SQLITE_LOCKED: {
    what: 'the database is locked',
    hint: 'Another connection holds a lock on the database: end the program or transaction that holds it.',
  },
  SQLITE_READONLY: {
    what: 'the database is read-only',
    hint: "Make the database file and its directory writable by the hub's user (check ls -l, lsattr for the immutable flag, and a read-only mount).",
  },
  SQLITE_CANTOPEN: {
    what: 'the database file cannot be opened',
    hint: "Its directory may be gone or not readable by the hub's user: check the path in JupyterHub.db_url.",
  },
  SQLITE_FULL: {
    what: 'the disk holding the database is full',
    hint: 'Free space on that file system (df -h shows which).',
  },
  SQLITE_IOERR: {
    what: 'the database could not be read or written (I/O error)',
    hint: 'Check the disk and the file system that hold the database (dmesg shows I/O errors).',
  },
  SQLITE_CORRUPT: {
    what: 'the database file is corrupt',
    hint: 'Restore it from a backup (hub upgrade-db leaves one beside it), or check it with sqlite3 FILE "PRAGMA integrity_check".',
  },
  SQLITE_NOTADB: {
    what: 'the database file is not an SQLite database',
    hint: 'Check the path in JupyterHub.db_url.',
  },
};

/** A HubError (DB_ERROR) for a known SQLite failure, without the SQL; null for any other error. */
export function dbFailure(err: unknown): HubError | null {
  if (err instanceof HubError) return null;
  const code = errnoCode(err) ?? '';
  const known = KNOWN[code];
  if (!known) return null;
  const message = err instanceof Error ? err.message : String(err);
  // knex: "<sql> - SQLITE_BUSY: database is locked"; the driver alone: "SQLITE_BUSY: database is locked".
  const at = message.lastIndexOf(`${code}:`);
  const sqlite = at >= 0 ? message.slice(at) : code;
  return new HubError('DB_ERROR', `${known.what} (${sqlite})`, { hint: known.hint, cause: err });
}

/** An error's message for a log line or a spawn message: a known SQLite failure without its SQL. */
export function errorText(err: unknown): string {
  return dbFailure(err)?.message ?? (err instanceof Error ? err.message : String(err));
}
