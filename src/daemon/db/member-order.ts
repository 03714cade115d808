import type { Knex } from 'knex';

export function isPostgres(db: Knex): boolean {
  const client: unknown = db.client;
  return typeof client === 'object' && client !== null && 'dialect' in client && client.dialect === 'postgresql';
}

/**
 * The orders JupyterHub 3.0 lists related names in, as it reads them from SQLite: a user's groups and roles (and a
 * group's or service's roles) come through the map's primary key, which leads with the owner's id, so by the named
 * row's id (a new admin's roles are ["user", "admin"]); a group's members through no index on group_id, so in the
 * map's row order, the order they were added. (While JupyterHub keeps a user's groups loaded in its ORM session, a
 * group joined later is appended instead; after a restart or in lists it is id order again.) PostgreSQL gives
 * JupyterHub no row order: there members come by user id.
 */
export function memberOrder(db: Knex, map: string, id: string): string {
  return isPostgres(db) ? id : `${map}.rowid`;
}
