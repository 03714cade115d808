/**
 * `oauth_clients`: one row per OAuth client (each spawned server, each service with OAuth, and `jupyterhub`).
 * The secret is stored hashed exactly like a generated token (orm.py hashes it with `hash_token`), so only the
 * holder of the server's or service's API token can redeem codes for that client.
 *
 * JupyterHub makes sure a client named `jupyterhub` exists at every start (app.py init_db): tokens the hub
 * issues for itself point at it, which tells them apart from orphaned OAuth tokens. It has no secret, so nobody
 * can use it to request tokens.
 *
 * Deleting a client cascades (foreign keys) to its tokens and codes, as the ORM's delete-orphan does.
 */
import type { Knex } from 'knex';
import { asRows, readInt, readNullableString, readString, readStringList, type Row } from './row.js';

export const HUB_OAUTH_CLIENT_ID = 'jupyterhub';

type Db = Knex | Knex.Transaction;

export interface OAuthClientRow {
  id: number;
  identifier: string;
  description: string | null;
  /** `sha512:<rounds>:<salt>:<digest>`, or '' for a client that can never authenticate. */
  secret_hash: string;
  redirect_uri: string;
  allowed_scopes: string[];
}

export interface OAuthClientValues {
  identifier: string;
  secretHash: string;
  redirectUri: string;
  description: string;
  allowedScopes: readonly string[];
}

function clientFromRow(row: Row): OAuthClientRow {
  return {
    id: readInt(row, 'id'),
    identifier: readString(row, 'identifier'),
    description: readNullableString(row, 'description'),
    secret_hash: readNullableString(row, 'secret') ?? '',
    redirect_uri: readNullableString(row, 'redirect_uri') ?? '',
    allowed_scopes: readStringList(row, 'allowed_scopes'),
  };
}

export async function oauthClientExists(db: Db, identifier: string): Promise<boolean> {
  return (await db('oauth_clients').select('id').where({ identifier }).first()) !== undefined;
}

export async function ensureHubOAuthClient(db: Db): Promise<void> {
  if (await oauthClientExists(db, HUB_OAUTH_CLIENT_ID)) return;
  await db('oauth_clients').insert({ identifier: HUB_OAUTH_CLIENT_ID, secret: '', redirect_uri: '', description: 'JupyterHub', allowed_scopes: '[]' })
    .onConflict('identifier').ignore();
}

export async function getOAuthClient(db: Db, identifier: string): Promise<OAuthClientRow | null> {
  const row = asRows(await db('oauth_clients').select('*').where({ identifier }))[0];
  return row === undefined ? null : clientFromRow(row);
}

/** Create or update (provider.py `add_client`): a re-spawned server gets a new secret under the same id. */
export async function upsertOAuthClient(db: Db, c: OAuthClientValues): Promise<void> {
  const values = {
    secret: c.secretHash,
    redirect_uri: c.redirectUri,
    description: c.description,
    allowed_scopes: JSON.stringify([...c.allowedScopes]),
  };
  await db('oauth_clients').insert({ identifier: c.identifier, ...values }).onConflict('identifier').merge(values);
}

/** Many clients in one statement (a batch of spawns), each created or replaced as upsertOAuthClient does. */
export async function upsertOAuthClients(db: Db, clients: readonly OAuthClientValues[]): Promise<void> {
  if (clients.length === 0) return;
  const rows = clients.map((c) => ({
    identifier: c.identifier,
    secret: c.secretHash,
    redirect_uri: c.redirectUri,
    description: c.description,
    allowed_scopes: JSON.stringify([...c.allowedScopes]),
  }));
  await db('oauth_clients').insert(rows).onConflict('identifier').merge(['secret', 'redirect_uri', 'description', 'allowed_scopes']);
}

export async function deleteOAuthClient(db: Db, identifier: string): Promise<boolean> {
  return (await db('oauth_clients').where({ identifier }).delete()) > 0;
}

export async function listOAuthClientIds(db: Db): Promise<string[]> {
  return asRows(await db('oauth_clients').select('identifier').orderBy('id')).map((r) => readString(r, 'identifier'));
}
