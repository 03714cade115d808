/**
 * `services`: JupyterHub services known to the hub (from JupyterHub.services). Rows carry the name, the admin
 * flag (3.0 semantics: admin services get the admin role) and the OAuth client of services that use OAuth.
 */
import type { Knex } from 'knex';
import { asRows, readInt, readNullableString, readString, type Row } from './row.js';

export interface ServiceRow {
  id: number;
  name: string;
  admin: boolean;
  oauth_client_id: string | null;
  pid: number | null;
}

function serviceFromRow(row: Row): ServiceRow {
  const pid = row.pid;
  return {
    id: readInt(row, 'id'),
    name: readString(row, 'name'),
    admin: row.admin === true || row.admin === 1,
    oauth_client_id: readNullableString(row, 'oauth_client_id'),
    pid: typeof pid === 'number' ? pid : null,
  };
}

const COLUMNS = ['id', 'name', 'admin', 'oauth_client_id', 'pid'];

export async function listServices(db: Knex): Promise<ServiceRow[]> {
  return asRows(await db('services').select(COLUMNS).orderBy('name')).map(serviceFromRow);
}

export async function getServiceByName(db: Knex, name: string): Promise<ServiceRow | null> {
  const row = asRows(await db('services').select(COLUMNS).where({ name }))[0];
  return row === undefined ? null : serviceFromRow(row);
}

export async function getServiceById(db: Knex, id: number): Promise<ServiceRow | null> {
  const row = asRows(await db('services').select(COLUMNS).where({ id }))[0];
  return row === undefined ? null : serviceFromRow(row);
}

export async function upsertService(db: Knex, s: { name: string; admin: boolean; oauthClientId?: string | null }): Promise<ServiceRow> {
  const existing = await getServiceByName(db, s.name);
  const values = { admin: s.admin, ...(s.oauthClientId !== undefined ? { oauth_client_id: s.oauthClientId } : {}) };
  if (existing) await db('services').where({ id: existing.id }).update(values);
  else await db('services').insert({ name: s.name, ...values });
  const row = await getServiceByName(db, s.name);
  if (!row) throw new Error(`service ${s.name} vanished right after being written`);
  return row;
}

/** Services in the database but no longer in the config are removed, as JupyterHub does at start. */
export async function deleteServicesExcept(db: Knex, keep: readonly string[]): Promise<string[]> {
  const gone = asRows(await db('services').whereNotIn('name', [...keep]).select('name')).map((r) => readString(r, 'name'));
  if (gone.length > 0) await db('services').whereIn('name', gone).delete();
  return gone;
}
