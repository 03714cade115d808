/**
 * Creating and removing OAuth clients (provider.py `add_client`, user.py spawn/stop). The spawner registers one
 * client per server before starting it (id `jupyterhub-user-<name>[-<server>]`, secret = the server's API token,
 * redirect_uri `<prefix>oauth_callback`, allowed scopes = the server's access scopes) and removes it when the
 * server stops; removing a client also deletes its OAuth tokens and pending codes (foreign-key cascade), so a
 * stopped server's browser sessions end with it.
 */
import type { Knex } from 'knex';
import { HubError } from '../../../lib/errors.js';
import { hashGeneratedToken, hashToken, USER_TOKEN_ROUNDS } from '../token-hash.js';
import { deleteOAuthClient, HUB_OAUTH_CLIENT_ID, upsertOAuthClient, upsertOAuthClients } from '../../db/oauth-clients-repo.js';

export interface OAuthClientSpec {
  id: string;
  /** The plain secret (the server's or service's API token); '' makes a client that cannot authenticate. */
  secret: string;
  redirectUri: string;
  allowedScopes: readonly string[];
  /** Defaults to the id, as in JupyterHub. */
  description?: string;
  /** Link the client to its server (`spawners.oauth_client_id`), which is how the hub knows what it stands for. */
  spawnerId?: number;
  /** Link the client to its service (`services.oauth_client_id`). */
  serviceId?: number;
}

/** Something to tell when tokens vanish, so cached token identities are dropped (IdentityService.invalidate). */
export interface TokenCache {
  invalidate(): void;
}

const GENERATED_TOKEN = /^[0-9a-f]{32}$/;

/**
 * JupyterHub hashes every client secret with hash_token's 16384 rounds. A server's secret is its generated API
 * token (uuid4 hex, 122 random bits), for which one round is as strong, and JupyterHub itself uses one round for
 * generated tokens; a service's secret is whatever the admin wrote, so it gets the full rounds. The rounds are
 * stored in the hash, so either program verifies what the other wrote.
 */
function hashSecret(secret: string): string {
  if (secret === '') return '';
  return GENERATED_TOKEN.test(secret) ? hashGeneratedToken(secret) : hashToken(secret, { rounds: USER_TOKEN_ROUNDS });
}

/** In the caller's transaction (a spawn's write batch) or in one of its own. */
export async function registerClient(db: Knex, spec: OAuthClientSpec): Promise<void> {
  if (spec.id === '' || spec.id === HUB_OAUTH_CLIENT_ID) throw new HubError('USAGE', `cannot register an OAuth client named '${spec.id}'`);
  const write = async (trx: Knex): Promise<void> => {
    await upsertOAuthClient(trx, {
      identifier: spec.id,
      secretHash: hashSecret(spec.secret),
      redirectUri: spec.redirectUri,
      description: spec.description || spec.id,
      allowedScopes: spec.allowedScopes,
    });
    if (spec.spawnerId !== undefined) await trx('spawners').where({ id: spec.spawnerId }).update({ oauth_client_id: spec.id });
    if (spec.serviceId !== undefined) await trx('services').where({ id: spec.serviceId }).update({ oauth_client_id: spec.id });
  };
  if (db.isTransaction === true) await write(db);
  else await db.transaction(write);
}

/**
 * Servers' clients, many at once (a batch of spawns), in the caller's transaction. Linking each to its spawner
 * is the caller's (it writes the spawners rows in bulk too).
 */
export async function registerClients(trx: Knex.Transaction, specs: readonly OAuthClientSpec[]): Promise<void> {
  for (const spec of specs) {
    if (spec.id === '' || spec.id === HUB_OAUTH_CLIENT_ID) throw new HubError('USAGE', `cannot register an OAuth client named '${spec.id}'`);
  }
  await upsertOAuthClients(trx, specs.map((spec) => ({
    identifier: spec.id,
    secretHash: hashSecret(spec.secret),
    redirectUri: spec.redirectUri,
    description: spec.description || spec.id,
    allowedScopes: spec.allowedScopes,
  })));
}

/**
 * Deletes the client, its tokens and codes; true if it existed. Cached identities are dropped once the deletion
 * is committed: dropped earlier, a request in between could cache a token again from the still-committed rows.
 */
export async function removeClient(db: Knex, id: string, cache?: TokenCache): Promise<boolean> {
  if (id === HUB_OAUTH_CLIENT_ID) return false;
  const removed = await deleteOAuthClient(db, id);
  if (removed && cache) {
    if (isTransaction(db)) db.executionPromise.then(() => cache.invalidate(), () => undefined);
    else cache.invalidate();
  }
  return removed;
}

function isTransaction(db: Knex): db is Knex.Transaction {
  return db.isTransaction === true;
}

/**
 * The same as an object, in the shape the server manager takes (`register`/`remove`), bound to the hub's
 * database and token cache.
 */
export class OAuthClientRegistry {
  private readonly db: Knex;
  private readonly cache: TokenCache | undefined;

  constructor(db: Knex, cache?: TokenCache) {
    this.db = db;
    this.cache = cache;
  }

  /** Many at once inside the caller's transaction (a batch of spawns); see registerClients. */
  register(specs: readonly OAuthClientSpec[], trx: Knex.Transaction): Promise<void> {
    return registerClients(trx, specs);
  }

  /** `trx`: inside the caller's transaction (see removeClient for when the cache is told). */
  async remove(id: string, trx?: Knex.Transaction): Promise<void> {
    await removeClient(trx ?? this.db, id, this.cache);
  }
}
