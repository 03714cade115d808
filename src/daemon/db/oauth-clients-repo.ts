/**
 * `oauth_clients`. JupyterHub makes sure a client named `jupyterhub` exists at every start (app.py
 * init_db): tokens the hub issues for itself point at it, which tells them apart from orphaned OAuth
 * tokens. It has no secret, so nobody can use it to request tokens.
 */
import type { Knex } from 'knex';

export const HUB_OAUTH_CLIENT_ID = 'jupyterhub';

export async function oauthClientExists(db: Knex, identifier: string): Promise<boolean> {
  return (await db('oauth_clients').select('id').where({ identifier }).first()) !== undefined;
}

export async function ensureHubOAuthClient(db: Knex): Promise<void> {
  if (await oauthClientExists(db, HUB_OAUTH_CLIENT_ID)) return;
  await db('oauth_clients').insert({ identifier: HUB_OAUTH_CLIENT_ID, secret: '', redirect_uri: '', description: 'JupyterHub' })
    .onConflict('identifier').ignore();
}
