import type { Knex } from 'knex';
import { hashToken } from '../auth/token-hash.js';
import type { OAuthClientSpec, OAuthClients } from './ports.js';

/**
 * OAuth client rows for spawned servers: one per server, its secret the server's API token, stored hashed as
 * JupyterHub's provider stores client secrets. Removing a client also removes its codes and tokens (FK cascade).
 */
export function oauthClientRows(db: Knex): OAuthClients {
  return {
    async register(c: OAuthClientSpec): Promise<void> {
      const row = {
        identifier: c.id,
        description: c.description,
        secret: hashToken(c.secret, { rounds: 1 }),
        redirect_uri: c.redirectUri,
        allowed_scopes: JSON.stringify(c.allowedScopes),
      };
      await db('oauth_clients').insert(row).onConflict('identifier').merge();
    },
    async remove(id: string): Promise<void> {
      await db('oauth_clients').where({ identifier: id }).delete();
    },
  };
}
