import type { Knex } from 'knex';
import { createGeneratedToken, deleteToken } from '../db/tokens-repo.js';
import { clearServer, ensureSpawnerId, setServer, updateSpawner, type ServerRow } from '../db/spawners-repo.js';
import { toDbTimestamp } from '../db/timestamps.js';
import type { OAuthClients } from './ports.js';
import { SERVER_TOKEN_SCOPES, accessScopes, oauthClientId } from './singleuser-contract.js';

/**
 * The rows a spawn and a stop write, grouped as JupyterHub's User.spawn/stop write them, each group one unit of
 * a write batch (db/write-batch.ts): everything a server needs before it starts, what a started server is, and
 * what a stopped one leaves. A unit touches only its transaction and may run twice (the batcher's retry).
 */
export interface ServerIds {
  userId: number;
  user: string;
  server: string;
  /** `/user/alice/[name/]` */
  prefix: string;
}

export interface Requested {
  spawnerId: number;
  token: string;
  tokenId: number;
}

/** The spawners row, the server's API token (the `server` role's scopes) and its OAuth client, linked. */
export async function recordRequested(trx: Knex.Transaction, oauth: OAuthClients, s: ServerIds, userOptions: Record<string, unknown>): Promise<Requested> {
  const spawnerId = await ensureSpawnerId(trx, s.userId, s.server);
  const { token, id: tokenId } = await createGeneratedToken(trx, { userId: s.userId }, { note: `Server at ${s.prefix}`, scopes: SERVER_TOKEN_SCOPES });
  const clientId = oauthClientId(s.user, s.server);
  await oauth.register({ id: clientId, secret: token, redirectUri: `${s.prefix}oauth_callback`, allowedScopes: accessScopes(s.user, s.server), description: `Server at ${s.prefix}` }, trx);
  await updateSpawner(trx, spawnerId, { oauth_client_id: clientId, user_options: userOptions });
  return { spawnerId, token, tokenId };
}

/** A spawn that failed before its server started: its token and client go. */
export async function recordRequestUndone(trx: Knex.Transaction, oauth: OAuthClients, s: ServerIds, tokenId: number): Promise<void> {
  await deleteToken(trx, tokenId);
  await oauth.remove(oauthClientId(s.user, s.server), trx);
}

/** The process runs: its state (what a restarted hub re-adopts by), where it listens, and the user's activity. */
export async function recordStarted(trx: Knex.Transaction, s: ServerIds, spawnerId: number, state: Record<string, unknown>, server: Omit<ServerRow, 'id'>): Promise<void> {
  const now = new Date();
  await setServer(trx, spawnerId, server, { state, started: now, last_activity: now });
  // As JupyterHub's User.spawn: starting a server is activity of the user too.
  await trx('users').where({ id: s.userId }).update({ last_activity: toDbTimestamp(now) });
}

/** Stopped: the server's token (found by its note as JupyterHub names it, so a re-adopted server's goes too), client, server row and state. */
export async function recordStopped(trx: Knex.Transaction, oauth: OAuthClients, s: ServerIds, spawnerId: number): Promise<void> {
  await trx('api_tokens').where({ user_id: s.userId, note: `Server at ${s.prefix}` }).delete();
  await oauth.remove(oauthClientId(s.user, s.server), trx);
  const now = new Date();
  await clearServer(trx, spawnerId, { state: {}, last_activity: now });
  await trx('users').where({ id: s.userId }).update({ last_activity: toDbTimestamp(now) });
}
