import type { Knex } from 'knex';
import { linkSpawners, recordServers } from '../db/spawners-bulk.js';
import type { ServerRow } from '../db/spawners-repo.js';
import { toDbTimestamp } from '../db/timestamps.js';
import { createGeneratedTokens } from '../db/tokens-repo.js';
import type { BulkWrite } from '../db/write-batch.js';
import type { OAuthClients } from './ports.js';
import type { ServerIds } from './spawn-records.js';
import { SERVER_TOKEN_SCOPES, oauthClientId } from './singleuser-contract.js';

/**
 * A spawn's two groups of rows as bulk writes (db/write-batch.ts), so a storm of spawns writes them for a whole
 * batch at once: what a server needs before it starts (token, OAuth client, spawners row) and what a started
 * server is (servers row, state, started, the user's activity). The rows are those JupyterHub's User.spawn
 * writes; spawn-records.ts has the one-at-a-time writes of undoing and stopping.
 */
export interface RequestedInput {
  ids: ServerIds;
  userOptions: Record<string, unknown>;
  /** The OAuth client's allowed scopes (client-scopes.ts). */
  allowedScopes: string[];
}

export interface Requested {
  spawnerId: number;
  token: string;
  tokenId: number;
}

export interface StartedInput {
  ids: ServerIds;
  spawnerId: number;
  state: Record<string, unknown>;
  server: Omit<ServerRow, 'id'>;
}

export interface SpawnWrites {
  requested: BulkWrite<RequestedInput, Requested>;
  started: BulkWrite<StartedInput, undefined>;
}

/** The server's API token (the `server` role's scopes), its OAuth client (secret = token), then the spawner linked to both. */
async function writeRequested(trx: Knex.Transaction, oauth: OAuthClients, inputs: readonly RequestedInput[]): Promise<Requested[]> {
  const tokens = await createGeneratedTokens(trx, inputs.map((i) => ({ owner: { userId: i.ids.userId }, note: `Server at ${i.ids.prefix}`, scopes: SERVER_TOKEN_SCOPES })));
  const tokenOf = (n: number): { token: string; id: number } => {
    const t = tokens[n];
    if (!t) throw new Error('a server token is missing from its batch');
    return t;
  };
  await oauth.register(inputs.map((i, n) => ({
    id: oauthClientId(i.ids.user, i.ids.server),
    secret: tokenOf(n).token,
    redirectUri: `${i.ids.url}oauth_callback`,
    allowedScopes: i.allowedScopes,
    description: `Server at ${i.ids.prefix}`,
  })), trx);
  const spawnerIds = await linkSpawners(trx, inputs.map((i) => ({ userId: i.ids.userId, name: i.ids.server, oauthClientId: oauthClientId(i.ids.user, i.ids.server), userOptions: i.userOptions })));
  return inputs.map((_, n) => ({ spawnerId: spawnerIds[n] ?? -1, token: tokenOf(n).token, tokenId: tokenOf(n).id }));
}

/** Where each server listens and its state (what a restarted hub re-adopts by); starting a server is the user's activity too. */
async function writeStarted(trx: Knex.Transaction, inputs: readonly StartedInput[]): Promise<undefined[]> {
  const now = new Date();
  await recordServers(trx, inputs, now);
  await trx('users').whereIn('id', [...new Set(inputs.map((i) => i.ids.userId))]).update({ last_activity: toDbTimestamp(now) });
  return inputs.map(() => undefined);
}

/** One pair of kinds per OAuth registry (the batcher groups inputs by kind object). */
const made = new WeakMap<OAuthClients, SpawnWrites>();

export function spawnWrites(oauth: OAuthClients): SpawnWrites {
  let w = made.get(oauth);
  if (!w) {
    w = {
      requested: { run: (trx, inputs) => writeRequested(trx, oauth, inputs) },
      started: { run: (trx, inputs) => writeStarted(trx, inputs) },
    };
    made.set(oauth, w);
  }
  return w;
}
