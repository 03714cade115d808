/**
 * The two databases we run on, and the catalog queries that differ between them. Everything else goes
 * through knex's query builder or through DDL written once for both (see migrations/ddl.ts).
 */
import type { Knex } from 'knex';
import { asRows, readString } from './row.js';

export type Dialect = 'sqlite' | 'postgres';

export function dialectOf(knex: Knex): Dialect {
  // knex types `client` loosely; read the one field we need and narrow it.
  const client: unknown = knex.client;
  const dialect = typeof client === 'object' && client !== null && 'dialect' in client ? client.dialect : undefined;
  return dialect === 'postgresql' ? 'postgres' : 'sqlite';
}

/** Names of the ordinary tables in the database (on PostgreSQL: in the current schema). */
export async function listTables(knex: Knex): Promise<string[]> {
  const rows: unknown = dialectOf(knex) === 'postgres'
    ? await knex.select('table_name as name').from('information_schema.tables')
      .whereRaw('table_schema = current_schema()').andWhere('table_type', 'BASE TABLE')
    : await knex.select('name').from('sqlite_master').where('type', 'table').andWhereRaw("name not like 'sqlite\\_%' escape '\\'");
  return asRows(rows).map((r) => readString(r, 'name')).sort();
}

export async function hasColumn(knex: Knex, table: string, column: string): Promise<boolean> {
  return knex.schema.hasColumn(table, column);
}
