/**
 * hub's own table (JupyterHub has no equivalent; its revision stays 0eee8c825d24): users an admin blocked with
 * `hub users block`. Kept apart from JupyterHub's tables so a JupyterHub reading this database never trips
 * on an unknown column; the row goes with the user (ON DELETE CASCADE).
 */
import type { Knex } from 'knex';
import { GROUP_PROPERTIES_REVISION } from './0002-groups-properties.js';
import type { HubMigration } from './migration.js';

export const hubBlockedUsers: HubMigration = {
  name: '0003_hub_blocked_users',
  alembicRevision: GROUP_PROPERTIES_REVISION,
  async up(knex: Knex): Promise<void> {
    await knex.schema.createTable('hub_blocked_users', (t) => {
      t.integer('user_id').primary().references('id').inTable('users').onDelete('CASCADE');
      t.string('blocked_at', 32).notNullable();
    });
  },
  async down(knex: Knex): Promise<void> {
    await knex.schema.dropTable('hub_blocked_users');
  },
};
