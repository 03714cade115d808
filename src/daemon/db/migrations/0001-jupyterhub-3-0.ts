/**
 * JupyterHub 3.0's schema, exactly: what `orm.new_session_factory` creates on an empty database, stamped
 * with alembic head 651f5419b74d as JupyterHub stamps an empty database.
 */
import type { Knex } from 'knex';
import { dialectOf } from '../dialect.js';
import { createIndexSql, createTableSql, dropTableSql } from './ddl.js';
import {
  ALEMBIC_VERSION_TABLE, JUPYTERHUB_3_0_INDEXES, JUPYTERHUB_3_0_REVISION, JUPYTERHUB_3_0_TABLES,
} from './jupyterhub-3-0-schema.js';
import type { HubMigration } from './migration.js';

export const jupyterhub30Schema: HubMigration = {
  name: '0001_jupyterhub_3_0_schema',
  alembicRevision: JUPYTERHUB_3_0_REVISION,
  async up(knex: Knex): Promise<void> {
    const dialect = dialectOf(knex);
    for (const table of JUPYTERHUB_3_0_TABLES) await knex.raw(createTableSql(table, dialect));
    for (const index of JUPYTERHUB_3_0_INDEXES) await knex.raw(createIndexSql(index));
    await knex.raw(createTableSql(ALEMBIC_VERSION_TABLE, dialect));
    await knex('alembic_version').insert({ version_num: JUPYTERHUB_3_0_REVISION });
  },
  async down(knex: Knex): Promise<void> {
    const dialect = dialectOf(knex);
    await knex.raw(dropTableSql(ALEMBIC_VERSION_TABLE.name, dialect));
    for (const table of [...JUPYTERHUB_3_0_TABLES].reverse()) await knex.raw(dropTableSql(table.name, dialect));
  },
};
