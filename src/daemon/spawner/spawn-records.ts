import type { Knex } from 'knex';
import { deleteToken } from '../db/tokens-repo.js';
import { clearServer } from '../db/spawners-repo.js';
import { toDbTimestamp } from '../db/timestamps.js';
import type { OAuthClients } from './ports.js';
import { oauthClientId } from './singleuser-contract.js';

/**
 * The rows of undoing a spawn and of a stop, each one unit of a write batch (db/write-batch.ts); the rows of a
 * spawn itself are bulk writes (spawn-writes.ts). A unit touches only its transaction and may run twice (the
 * batcher's retry).
 */
export interface ServerIds {
  userId: number;
  user: string;
  server: string;
  /** `/user/alice/[name/]` */
  prefix: string;
  /** user.py `server_url`: the prefix, behind `https://alice.<domain>` with subdomain_host. */
  url: string;
}

/** A spawn that failed before its server started: its token and client go. */
export async function recordRequestUndone(trx: Knex.Transaction, oauth: OAuthClients, s: ServerIds, tokenId: number): Promise<void> {
  await deleteToken(trx, tokenId);
  await oauth.remove(oauthClientId(s.user, s.server), trx);
}

/** Stopped: the server's token (found by its note as JupyterHub names it, so a re-adopted server's goes too), client, server row and state. */
export async function recordStopped(trx: Knex.Transaction, oauth: OAuthClients, s: ServerIds, spawnerId: number): Promise<void> {
  await trx('api_tokens').where({ user_id: s.userId, note: `Server at ${s.prefix}` }).delete();
  await oauth.remove(oauthClientId(s.user, s.server), trx);
  const now = new Date();
  await clearServer(trx, spawnerId, { state: {}, last_activity: now });
  await trx('users').where({ id: s.userId }).update({ last_activity: toDbTimestamp(now) });
}
