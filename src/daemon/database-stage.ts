import type { Knex } from 'knex';
import { HubError } from '../lib/errors.js';
import type { Logger } from '../lib/log.js';
import { enableWal, openDatabase } from './db/connection.js';
import { parseDbUrl, redactDbUrl, type DbTarget } from './db/db-url.js';
import { initializeSchema, resetDb, schemaStatus, upgradeDb } from './db/migrate.js';

/**
 * Opens the hub's database and makes sure its schema is the one this hub speaks: an empty database is created
 * at the newest schema (JupyterHub stamps it the same way); an older one is upgraded only when asked
 * (`upgrade_db` or `hub upgrade-db`), otherwise we refuse with the exact command to run.
 */
export interface OpenHubDatabaseOptions {
  dbUrl: string;
  dbKwargs: Record<string, unknown>;
  debugDb: boolean;
  cwd: string;
  resetDb: boolean;
  upgradeDb: boolean;
  answerYes: boolean;
  configFile: string | null;
  log: Logger;
}

export function upgradeCommand(configFile: string | null): string {
  return configFile ? `hub upgrade-db -c ${configFile}` : 'hub upgrade-db';
}

export async function openTarget(dbUrl: string, cwd: string, dbKwargs: Record<string, unknown>, debugDb: boolean, log: Logger): Promise<{ db: Knex; target: DbTarget }> {
  const target = parseDbUrl(dbUrl, cwd);
  const db = await openDatabase(target, { dbKwargs, debugDb, log });
  return { db, target };
}

export async function openHubDatabase(o: OpenHubDatabaseOptions): Promise<Knex> {
  const { db, target } = await openTarget(o.dbUrl, o.cwd, o.dbKwargs, o.debugDb, o.log);
  try {
    if (o.resetDb) {
      if (!o.answerYes) {
        throw new HubError('CONFIRMATION_REQUIRED', 'JupyterHub.reset_db is set: starting would delete every user, token and server record', {
          hint: 'Confirm with hub start --answer-yes (or answer the prompt on a terminal), or remove reset_db from the config.',
        });
      }
      o.log.warn(`reset_db: dropping and recreating every table in ${redactDbUrl(o.dbUrl)}`);
      await resetDb(db);
    }
    const status = await schemaStatus(db);
    switch (status.state) {
      case 'empty':
        o.log.info(`Creating the database schema in ${redactDbUrl(o.dbUrl)}`);
        await initializeSchema(db);
        break;
      case 'current':
        break;
      case 'outdated':
        // A JupyterHub 4.x database already has our head schema: adopting it only records the migrations.
        if (status.pending.length === 0 && status.adopt) {
          o.log.info(`Adopting the JupyterHub database (alembic revision ${status.adopt.alembicRevision}); the schema is unchanged`);
          await upgradeDb(db, target, { log: o.log });
          break;
        }
        if (!o.upgradeDb) {
          const what = status.adopt ? `was made by JupyterHub (alembic revision ${status.adopt.alembicRevision})` : 'has an older schema';
          throw new HubError('DB_SCHEMA_OUTDATED', `the database ${redactDbUrl(o.dbUrl)} ${what} and needs an upgrade (${status.pending.length} pending: ${status.pending.join(', ')})`, {
            hint: `Back it up if you like, then run: ${upgradeCommand(o.configFile)}   (or set JupyterHub.upgrade_db: true)`,
          });
        }
        {
          const r = await upgradeDb(db, target, { log: o.log });
          o.log.info(`Upgraded the database: ${r.applied.join(', ')}${r.backup ? `; backup at ${r.backup}` : ''}`);
        }
        break;
      case 'unknown':
        throw new HubError('DB_SCHEMA_UNKNOWN', `the database ${redactDbUrl(o.dbUrl)} has a schema hub does not know: ${status.detail}`);
      default: {
        const never: never = status;
        throw new Error(`unhandled schema status ${JSON.stringify(never)}`);
      }
    }
    await enableWal(db, target);
    return db;
  } catch (err) {
    await db.destroy();
    throw err;
  }
}
