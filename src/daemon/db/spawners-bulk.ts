/**
 * `spawners` and `servers` written for many servers at once, inside the caller's transaction: a batch of spawns
 * (spawner/spawn-writes.ts). The rows are those spawners-repo.ts writes one at a time; here a batch costs a few
 * statements whatever its size. Plain SQL where knex has no builder (an UPDATE with a value per row as CASE),
 * portable between SQLite and PostgreSQL (integer parameters are cast, since PostgreSQL would take them as text).
 */
import type { Knex } from 'knex';
import { asRows, readInt, readNullableString } from './row.js';
import { toDbTimestamp } from './timestamps.js';
import type { ServerRow } from './spawners-repo.js';

export interface SpawnerLink {
  userId: number;
  name: string;
  oauthClientId: string;
  userOptions: Record<string, unknown>;
}

/**
 * Each server's spawners row, created if missing, with its OAuth client and user_options set (the client must
 * exist: the column is a foreign key). Returns the rows' ids in the inputs' order.
 */
export async function linkSpawners(trx: Knex.Transaction, links: readonly SpawnerLink[]): Promise<number[]> {
  const key = (userId: number, name: string): string => `${userId}\u0000${name}`;
  const ids = new Map<string, number>();
  const existing = asRows(await trx('spawners').whereIn(['user_id', 'name'], links.map((l) => [l.userId, l.name])).select('id', 'user_id', 'name').orderBy('id'));
  // A hand-edited database may hold duplicates; the oldest row is the one getSpawner's callers see first.
  for (const r of existing) {
    const k = key(readInt(r, 'user_id'), readNullableString(r, 'name') ?? '');
    if (!ids.has(k)) ids.set(k, readInt(r, 'id'));
  }
  const found = links.filter((l) => ids.has(key(l.userId, l.name)));
  const missing = links.filter((l) => !ids.has(key(l.userId, l.name)));
  if (missing.length > 0) {
    const rows = missing.map((l) => ({ user_id: l.userId, name: l.name, state: '{}', user_options: JSON.stringify(l.userOptions), oauth_client_id: l.oauthClientId }));
    for (const r of asRows(await trx('spawners').insert(rows, ['id', 'user_id', 'name']))) ids.set(key(readInt(r, 'user_id'), readNullableString(r, 'name') ?? ''), readInt(r, 'id'));
  }
  if (found.length > 0) {
    await updateEach(trx, found.map((l) => ({ id: ids.get(key(l.userId, l.name)) ?? -1, oauth_client_id: l.oauthClientId, user_options: JSON.stringify(l.userOptions) })));
  }
  return links.map((l) => {
    const id = ids.get(key(l.userId, l.name));
    if (id === undefined) throw new Error(`spawner ${l.userId}/${l.name} vanished while being created`);
    return id;
  });
}

export interface StartedServer {
  spawnerId: number;
  state: Record<string, unknown>;
  server: Omit<ServerRow, 'id'>;
}

/** Started servers: a servers row each (replacing any left over), linked, with state, started and last_activity. */
export async function recordServers(trx: Knex.Transaction, started: readonly StartedServer[], now: Date): Promise<void> {
  const spawnerIds = started.map((s) => s.spawnerId);
  // spawners.server_id is ON DELETE SET NULL: deleting a leftover row unlinks it too.
  await trx('servers').whereIn('id', trx('spawners').whereIn('id', spawnerIds).whereNotNull('server_id').select('server_id')).delete();
  const rows = started.map((s) => ({ proto: s.server.proto, ip: s.server.ip, port: s.server.port, base_url: s.server.base_url, cookie_name: s.server.cookie_name }));
  // Matched back by base_url, unique among servers starting together (one per user and name).
  const serverIds = new Map(asRows(await trx('servers').insert(rows, ['id', 'base_url'])).map((r) => [readNullableString(r, 'base_url') ?? '', readInt(r, 'id')]));
  await updateEach(trx, started.map((s) => {
    const serverId = serverIds.get(s.server.base_url);
    if (serverId === undefined) throw new Error(`the database did not return the servers row of ${s.server.base_url}`);
    return { id: s.spawnerId, state: JSON.stringify(s.state), server_id: serverId };
  }));
  const at = toDbTimestamp(now);
  await trx('spawners').whereIn('id', spawnerIds).update({ started: at, last_activity: at });
}

type Value = string | number | null;

/** UPDATE spawners SET col = CASE id WHEN ? THEN ? ... END, ... WHERE id IN (...): one value per row and column (fixed column names, never input). */
async function updateEach(trx: Knex.Transaction, rows: readonly ({ id: number } & Record<string, Value>)[]): Promise<void> {
  const first = rows[0];
  if (!first) return;
  const columns = Object.keys(first).filter((c) => c !== 'id');
  const bindings: Value[] = [];
  const sets = columns.map((c) => {
    const whens = rows.map((r) => {
      const v = r[c] ?? null;
      bindings.push(r.id, v);
      return typeof v === 'number' ? 'WHEN ? THEN CAST(? AS INTEGER)' : 'WHEN ? THEN ?';
    });
    return `${c} = CASE id ${whens.join(' ')} END`;
  });
  bindings.push(...rows.map((r) => r.id));
  await trx.raw(`UPDATE spawners SET ${sets.join(', ')} WHERE id IN (${rows.map(() => '?').join(', ')})`, bindings);
}
