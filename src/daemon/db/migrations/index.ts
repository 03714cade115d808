/**
 * The hub's migrations, in order, served to knex's migrator from code: nothing is read from disk at run
 * time, so a bundled or installed hub migrates the same as a checkout. Bookkeeping is knex's
 * `knex_migrations` table (plus its `knex_migrations_lock`).
 */
import type { Knex } from 'knex';
import { jupyterhub30Schema } from './0001-jupyterhub-3-0.js';
import { groupsProperties } from './0002-groups-properties.js';
import { hubBlockedUsers } from './0003-hub-blocked-users.js';
import type { HubMigration } from './migration.js';

export type { HubMigration } from './migration.js';

export const MIGRATIONS: readonly HubMigration[] = [jupyterhub30Schema, groupsProperties, hubBlockedUsers];

export const MIGRATIONS_TABLE = 'knex_migrations';
export const MIGRATIONS_LOCK_TABLE = 'knex_migrations_lock';

/** The alembic revision a database at our head carries. */
export const HEAD_ALEMBIC_REVISION: string = MIGRATIONS[MIGRATIONS.length - 1]?.alembicRevision ?? '';

const migrationSource: Knex.MigrationSource<HubMigration> = {
  getMigrations: () => Promise.resolve([...MIGRATIONS]),
  getMigrationName: (m) => m.name,
  getMigration: (m) => Promise.resolve({ up: (knex: Knex) => m.up(knex), down: (knex: Knex) => m.down(knex) }),
};

export const MIGRATOR_CONFIG: Knex.MigratorConfig = {
  tableName: MIGRATIONS_TABLE,
  // knex's type wants MigrationSource<unknown>; ours is typed more narrowly and only ever given our own specs.
  migrationSource: migrationSource as Knex.MigrationSource<unknown>,
};
