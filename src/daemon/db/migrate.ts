/**
 * Bringing a database to our head: on first start (initializeSchema), on an explicit upgrade (upgradeDb,
 * JupyterHub's `upgrade-db`), or from scratch (resetDb, JupyterHub's `reset_db`). Each runs inside one
 * transaction; SQLite and PostgreSQL both roll DDL back, so a failed step leaves the database as it was.
 */
import type { Knex } from 'knex';
import { HubError } from '../../lib/errors.js';
import type { Logger } from '../../lib/log.js';
import { backupSqliteFile } from './backup.js';
import { describeTarget, redactDbUrl, type DbTarget } from './db-url.js';
import { dialectOf } from './dialect.js';
import { dropTableSql } from './migrations/ddl.js';
import { MIGRATIONS_LOCK_TABLE, MIGRATIONS_TABLE, MIGRATOR_CONFIG } from './migrations/index.js';
import { ALEMBIC_VERSION_TABLE, JUPYTERHUB_3_0_TABLES } from './migrations/jupyterhub-3-0-schema.js';
import { schemaStatus, type SchemaStatus } from './schema-status.js';

export { schemaStatus, type SchemaStatus } from './schema-status.js';

const UPGRADE_HINT = 'back up the database, then run `hub upgrade-db` (or start the hub with --upgrade-db)';

/** knex's latest() resolves to [batchNo, namesRun]; narrowed rather than trusted. */
function appliedNames(result: unknown): string[] {
  if (!Array.isArray(result)) return [];
  const names: unknown = result[1];
  return Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string') : [];
}

async function runPending(knex: Knex | Knex.Transaction): Promise<string[]> {
  return appliedNames(await knex.migrate.latest(MIGRATOR_CONFIG));
}

function unknownSchema(status: { detail: string }): HubError {
  return new HubError('DB_SCHEMA_UNKNOWN', 'the database schema is not one this hub can use', { hint: status.detail });
}

/**
 * Start-up check: an empty database gets every migration (JupyterHub likewise stamps an empty database
 * with its head); a current one is left alone; anything else is refused with the way out.
 * Returns the migrations run.
 */
export async function initializeSchema(knex: Knex): Promise<string[]> {
  const status = await schemaStatus(knex);
  switch (status.state) {
    case 'empty': return knex.transaction((trx) => runPending(trx));
    case 'current': return [];
    case 'outdated': {
      const what = status.adopt
        ? `was made by JupyterHub (alembic revision ${status.adopt.alembicRevision})`
        : `is missing migrations: ${status.pending.join(', ')}`;
      throw new HubError('DB_SCHEMA_OUTDATED', `the database ${what}`, { hint: UPGRADE_HINT });
    }
    case 'unknown': throw unknownSchema(status);
  }
}

/** Record JupyterHub-applied steps as ours, then run the rest, in the caller's transaction. */
async function adoptAndMigrate(trx: Knex.Transaction, status: Extract<SchemaStatus, { state: 'outdated' }>): Promise<string[]> {
  if (status.adopt) {
    // list() makes knex create its bookkeeping tables, inside this transaction.
    await trx.migrate.list(MIGRATOR_CONFIG);
    const now = new Date();
    for (const name of status.adopt.migrations) {
      await trx(MIGRATIONS_TABLE).insert({ name, batch: 1, migration_time: now });
    }
  }
  return runPending(trx);
}

/**
 * JupyterHub's `upgrade-db`: a SQLite file is first copied next to itself (nothing else is backed up;
 * PostgreSQL admins make their own dumps, as with JupyterHub). Nothing happens to a current database.
 */
export async function upgradeDb(
  knex: Knex,
  target: DbTarget,
  opts: { log: Logger },
): Promise<{ backup: string | null; applied: string[] }> {
  const status = await schemaStatus(knex);
  switch (status.state) {
    case 'current':
      opts.log.debug(`Database ${redactDbUrl(target.url)} is current`);
      return { backup: null, applied: [] };
    case 'unknown':
      throw unknownSchema(status);
    case 'empty': {
      const applied = await knex.transaction((trx) => runPending(trx));
      return { backup: null, applied };
    }
    case 'outdated': {
      opts.log.info(`Upgrading ${redactDbUrl(target.url)}`);
      const backup = target.kind === 'sqlite' && !target.memory ? await backupSqliteFile(knex, target.filename, opts.log) : null;
      try {
        const applied = await knex.transaction((trx) => adoptAndMigrate(trx, status));
        if (status.adopt) opts.log.info(`Adopted JupyterHub database at alembic revision ${status.adopt.alembicRevision}`);
        return { backup, applied };
      } catch (err) {
        if (err instanceof HubError) throw err;
        const why = err instanceof Error ? err.message : String(err);
        throw new HubError('DB_ERROR', `upgrading ${describeTarget(target)} failed, nothing was changed: ${why}`, {
          hint: backup === null ? 'the database was left as it was' : `the database was left as it was; a copy is in ${backup}`,
          cause: err,
        });
      }
    }
  }
}

/** Every table we or JupyterHub 3.0 own, children before parents so foreign keys never block a drop. */
const RESET_DROP_ORDER: readonly string[] = [
  MIGRATIONS_LOCK_TABLE,
  MIGRATIONS_TABLE,
  ALEMBIC_VERSION_TABLE.name,
  // hub's own tables first: they reference JupyterHub's.
  'hub_blocked_users',
  ...[...JUPYTERHUB_3_0_TABLES].reverse().map((t) => t.name),
];

/**
 * JupyterHub's `reset_db`: drop every hub table and create the schema again at head, in one transaction. A
 * database that is not a hub's is refused: a db_url pointing at another program's database would otherwise lose
 * that program's `users`, `groups` or `services` table.
 */
export async function resetDb(knex: Knex): Promise<string[]> {
  const status = await schemaStatus(knex);
  if (status.state === 'unknown' && status.foreign === true) {
    throw new HubError('DB_SCHEMA_UNKNOWN', `refusing to reset a database that is not a hub's: ${status.detail}`, {
      hint: 'check JupyterHub.db_url; reset only drops the tables of a database made by this hub or by JupyterHub',
    });
  }
  const dialect = dialectOf(knex);
  return knex.transaction(async (trx) => {
    for (const table of RESET_DROP_ORDER) await trx.raw(dropTableSql(table, dialect));
    return runPending(trx);
  });
}
