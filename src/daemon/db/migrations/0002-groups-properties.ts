/**
 * JupyterHub 4.0's alembic revision 0eee8c825d24: `groups.properties`, a JSONDict (TEXT) column. JupyterHub
 * adds it nullable and without a server default (orm.py supplies `{}` on insert), and so do we, so that a
 * database JupyterHub 4 migrated and one we migrated are the same; our repositories write '{}' and read
 * NULL as {}.
 */
import type { Knex } from 'knex';
import { JUPYTERHUB_3_0_REVISION } from './jupyterhub-3-0-schema.js';
import { setAlembicRevision, type HubMigration } from './migration.js';

export const GROUP_PROPERTIES_REVISION = '0eee8c825d24';

export const groupsProperties: HubMigration = {
  name: '0002_groups_properties',
  alembicRevision: GROUP_PROPERTIES_REVISION,
  async up(knex: Knex): Promise<void> {
    await knex.raw('ALTER TABLE groups ADD COLUMN properties TEXT');
    await setAlembicRevision(knex, GROUP_PROPERTIES_REVISION);
  },
  async down(knex: Knex): Promise<void> {
    // SQLite has had DROP COLUMN since 3.35; the bundled sqlite3 5.1.7 is 3.44.
    await knex.raw('ALTER TABLE groups DROP COLUMN properties');
    await setAlembicRevision(knex, JUPYTERHUB_3_0_REVISION);
  },
};
