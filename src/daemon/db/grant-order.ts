import type { Knex } from 'knex';

export function isPostgres(db: Knex): boolean {
  const client: unknown = db.client;
  return typeof client === 'object' && client !== null && 'dialect' in client && client.dialect === 'postgresql';
}

/**
 * ORDER BY for names listed through a many-to-many map (a user's groups and roles, a group's members): the order the
 * rows were granted, which is how JupyterHub lists them. Its ORM appends a grant to the loaded collection (sessions
 * do not expire on commit) and SQLite reads the map back in row order, so a user added to g2 and then to g1 shows
 * ["g2", "g1"] and a new admin ["user", "admin"]. PostgreSQL rows have no stable order: there, by the named id.
 */
export function grantOrder(db: Knex, map: string, id: string): string {
  return isPostgres(db) ? id : `${map}.rowid`;
}
