import type { Knex } from 'knex';
import { isPostgres } from './member-order.js';

/**
 * JupyterHub 3.0's `name_filter` (UserListAPIHandler, which its admin page searches with):
 * `orm.User.name.ilike(f'%{name_filter}%')`, unescaped. SQLAlchemy writes that as `lower(name) LIKE lower(?)` on
 * SQLite (ASCII case folding, no escape character: `%` and `_` are wildcards, `\` a plain character) and as
 * `name ILIKE ?` on PostgreSQL, where the default escape character `\` applies too (`a\_b` finds only `a_b`).
 * The pattern always ends in `%`, so no filter makes it end with a lone escape. An empty filter filters nothing.
 */
export function whereNameLike(db: Knex, query: Knex.QueryBuilder, column: string, filter: string | undefined): Knex.QueryBuilder {
  if (filter === undefined || filter === '') return query;
  const pattern = `%${filter}%`;
  return isPostgres(db) ? query.whereRaw('?? ILIKE ?', [column, pattern]) : query.whereRaw('lower(??) LIKE lower(?)', [column, pattern]);
}
