/**
 * The copy `jupyterhub upgrade-db` makes before touching a SQLite file (dbutil.backup_db_file):
 * `<db>.YYYY-MM-DD-HHMMSS` in local time, and on a clash the same name with `.1` .. `.9` appended.
 * (JupyterHub's clash names come out as `<db>..YYYY-...-HHMMSS.1`, a doubled dot from reusing the dotted
 * timestamp; we append to the intended name instead.)
 */
import { constants } from 'node:fs';
import { access, copyFile } from 'node:fs/promises';
import type { Knex } from 'knex';
import { errnoCode, HubError } from '../../lib/errors.js';
import type { Logger } from '../../lib/log.js';
import { strftime } from '../../lib/log.js';
import { asRows, readInt } from './row.js';

async function exists(file: string): Promise<boolean> {
  try {
    await access(file, constants.F_OK);
    return true;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return false;
    throw err;
  }
}

export async function backupFileName(dbFile: string, now: Date = new Date()): Promise<string> {
  const base = `${dbFile}${strftime('.%Y-%m-%d-%H%M%S', now)}`;
  if (!(await exists(base))) return base;
  for (let i = 1; i < 10; i++) {
    const candidate = `${base}.${i}`;
    if (!(await exists(candidate))) return candidate;
  }
  throw new HubError('IO_ERROR', `backup db file already exists: ${base}.9`, {
    hint: `move old backups of ${dbFile} out of the way and run the upgrade again`,
  });
}

/**
 * Copy the SQLite file after folding the write-ahead log into it, so the copy alone is the whole database.
 * The copy refuses to overwrite (COPYFILE_EXCL) in case another upgrade picked the same name meanwhile.
 */
export async function backupSqliteFile(knex: Knex, dbFile: string, log: Logger): Promise<string> {
  const result: unknown = await knex.raw('PRAGMA wal_checkpoint(TRUNCATE)');
  const row = asRows(result)[0];
  // busy=1: another connection kept part of the log from being folded in, so a copy would miss writes.
  if (row !== undefined && readInt(row, 'busy') !== 0) {
    throw new HubError('DB_ERROR', `could not checkpoint ${dbFile} before backing it up: the database is busy`, {
      hint: 'stop other programs using the database (a running hub or JupyterHub) and run the upgrade again',
    });
  }
  const target = await backupFileName(dbFile);
  log.info(`Backing up ${dbFile} => ${target}`);
  try {
    await copyFile(dbFile, target, constants.COPYFILE_EXCL);
  } catch (err) {
    throw new HubError('IO_ERROR', `could not back up ${dbFile} to ${target}: ${err instanceof Error ? err.message : String(err)}`, {
      hint: `make ${target} writable (or free disk space), or back the database up yourself first`,
      cause: err,
    });
  }
  return target;
}
