import type { Knex } from 'knex';

/**
 * One schema step. Steps that mirror a JupyterHub alembic revision record it in `alembic_version`, so a
 * database we migrated stays one JupyterHub recognises (and one JupyterHub migrated can be adopted).
 */
export interface HubMigration {
  readonly name: string;
  /** The alembic revision the database is at after this step. */
  readonly alembicRevision: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

export async function setAlembicRevision(knex: Knex, revision: string): Promise<void> {
  await knex('alembic_version').update({ version_num: revision });
}
