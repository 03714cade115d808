/**
 * Which server or service an OAuth client stands for. JupyterHub follows the ORM links (scopes.py
 * `access_scopes`: `oauth_client.spawner`, `oauth_client.service`), i.e. `spawners.oauth_client_id` and
 * `services.oauth_client_id`; so do we. Server client ids cannot be parsed back unambiguously (`-` is legal in
 * names), so parsing is only a fallback for a client whose spawner row was not linked, and every candidate is
 * checked against the database.
 */
import type { Knex } from 'knex';
import { asRows, readInt, readNullableString, readString } from '../../db/row.js';
import { HUB_OAUTH_CLIENT_ID } from '../../db/oauth-clients-repo.js';
import type { OAuthClientRef } from '../scopes/index.js';
import { serverClientCandidates } from './client-ids.js';

export type OAuthClientTarget =
  | { kind: 'hub' }
  | { kind: 'server'; user: string; userId: number; server: string }
  | { kind: 'service'; service: string };

export function toClientRef(t: OAuthClientTarget): OAuthClientRef {
  switch (t.kind) {
    case 'hub': return { kind: 'hub' };
    case 'server': return { kind: 'server', user: t.user, server: t.server };
    case 'service': return { kind: 'service', service: t.service };
  }
}

async function linkedSpawner(db: Knex, clientId: string): Promise<OAuthClientTarget | null> {
  const row = asRows(await db('spawners').join('users', 'users.id', 'spawners.user_id')
    .where('spawners.oauth_client_id', clientId).select('users.id as user_id', 'users.name as user', 'spawners.name as server').limit(1))[0];
  if (row === undefined) return null;
  return { kind: 'server', user: readString(row, 'user'), userId: readInt(row, 'user_id'), server: readNullableString(row, 'server') ?? '' };
}

async function linkedService(db: Knex, clientId: string): Promise<OAuthClientTarget | null> {
  const row = asRows(await db('services').where({ oauth_client_id: clientId }).select('name').limit(1))[0];
  return row === undefined ? null : { kind: 'service', service: readString(row, 'name') };
}

async function parsedServer(db: Knex, clientId: string): Promise<OAuthClientTarget | null> {
  for (const c of serverClientCandidates(clientId)) {
    const user = asRows(await db('users').where({ name: c.user }).select('id'))[0];
    if (user === undefined) continue;
    const userId = readInt(user, 'id');
    if (c.server !== '' && !(await db('spawners').where({ user_id: userId, name: c.server }).first('id'))) continue;
    return { kind: 'server', user: c.user, userId, server: c.server };
  }
  return null;
}

export async function resolveOAuthClient(db: Knex, clientId: string | null): Promise<OAuthClientTarget> {
  if (!clientId || clientId === HUB_OAUTH_CLIENT_ID) return { kind: 'hub' };
  return (await linkedSpawner(db, clientId)) ?? (await linkedService(db, clientId)) ?? (await parsedServer(db, clientId)) ?? { kind: 'hub' };
}

/** The client as a scopes-model reference (used when a token's scopes are resolved). */
export async function resolveClientRef(db: Knex, clientId: string | null): Promise<OAuthClientRef> {
  return toClientRef(await resolveOAuthClient(db, clientId));
}
