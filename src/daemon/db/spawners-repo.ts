/**
 * `spawners` and `servers`: one spawners row per (user, server name) that exists — the default server '' and
 * named servers — holding the spawner's state (JSON, e.g. `{pid}`), started, last_activity, user_options and its
 * OAuth client; while a server runs, `server_id` points at a `servers` row with where it listens.
 * JupyterHub 3.0 reads and writes the same rows, so a hub can take over a JupyterHub's running servers.
 */
import type { Knex } from 'knex';
import { asRows, readInt, readNullableString, type Row } from './row.js';
import { readNullableDate, toDbTimestamp } from './timestamps.js';

type Db = Knex | Knex.Transaction;

export interface ServerRow {
  id: number;
  proto: string;
  ip: string;
  port: number;
  base_url: string;
  cookie_name: string | null;
}

export interface SpawnerRow {
  id: number;
  user_id: number;
  name: string;
  state: Record<string, unknown>;
  started: Date | null;
  last_activity: Date | null;
  user_options: Record<string, unknown>;
  oauth_client_id: string | null;
  server: ServerRow | null;
}

function json(row: Row, column: string): Record<string, unknown> {
  const v = row[column];
  if (typeof v !== 'string' || v === '') return {};
  try {
    const parsed: unknown = JSON.parse(v);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function spawnerFromRow(row: Row): SpawnerRow {
  const serverId = row.server_id;
  return {
    id: readInt(row, 'id'),
    user_id: readInt(row, 'user_id'),
    name: readNullableString(row, 'name') ?? '',
    state: json(row, 'state'),
    started: readNullableDate(row, 'started'),
    last_activity: readNullableDate(row, 'last_activity'),
    user_options: json(row, 'user_options'),
    oauth_client_id: readNullableString(row, 'oauth_client_id'),
    server:
      typeof serverId === 'number'
        ? {
            id: serverId,
            proto: readNullableString(row, 'server_proto') ?? 'http',
            ip: readNullableString(row, 'server_ip') ?? '',
            port: typeof row.server_port === 'number' ? row.server_port : 0,
            base_url: readNullableString(row, 'server_base_url') ?? '/',
            cookie_name: readNullableString(row, 'server_cookie_name'),
          }
        : null,
  };
}

const COLUMNS = [
  'spawners.id', 'spawners.user_id', 'spawners.server_id', 'spawners.state', 'spawners.name', 'spawners.started',
  'spawners.last_activity', 'spawners.user_options', 'spawners.oauth_client_id',
  'servers.proto as server_proto', 'servers.ip as server_ip', 'servers.port as server_port',
  'servers.base_url as server_base_url', 'servers.cookie_name as server_cookie_name',
];

function base(db: Db) {
  return db('spawners').leftJoin('servers', 'servers.id', 'spawners.server_id').select(COLUMNS);
}

/** Spawners of many users in one query, grouped by user id (for user lists). */
export async function spawnersOfUsers(db: Db, userIds: readonly number[]): Promise<Map<number, SpawnerRow[]>> {
  const out = new Map<number, SpawnerRow[]>();
  if (userIds.length === 0) return out;
  const rows = asRows(await base(db).whereIn('spawners.user_id', [...new Set(userIds)]).orderBy('spawners.id'));
  for (const s of rows.map(spawnerFromRow)) out.set(s.user_id, [...(out.get(s.user_id) ?? []), s]);
  return out;
}

export async function getSpawner(db: Db, userId: number, name: string): Promise<SpawnerRow | null> {
  const row = asRows(await base(db).where({ 'spawners.user_id': userId, 'spawners.name': name }))[0];
  return row === undefined ? null : spawnerFromRow(row);
}

/** Every spawner with a running server: what a restarted hub re-adopts. */
export async function runningSpawners(db: Db): Promise<SpawnerRow[]> {
  return asRows(await base(db).whereNotNull('spawners.server_id').orderBy('spawners.id')).map(spawnerFromRow);
}

export async function ensureSpawner(db: Db, userId: number, name: string): Promise<SpawnerRow> {
  const existing = await getSpawner(db, userId, name);
  if (existing) return existing;
  await db('spawners').insert({ user_id: userId, name, state: '{}', user_options: '{}' });
  const created = await getSpawner(db, userId, name);
  if (!created) throw new Error(`spawner ${userId}/${name} vanished right after being created`);
  return created;
}

function insertedId(inserted: unknown): number {
  const id = typeof inserted === 'object' && inserted !== null ? (inserted as { id: unknown }).id : inserted;
  if (typeof id !== 'number') throw new Error('the database did not return the new row\'s id');
  return id;
}

export interface SpawnerUpdate {
  state?: Record<string, unknown>;
  started?: Date | null;
  last_activity?: Date | null;
  user_options?: Record<string, unknown>;
  oauth_client_id?: string | null;
}

export async function updateSpawner(db: Db, id: number, u: SpawnerUpdate): Promise<void> {
  const values = spawnerValues(u);
  if (Object.keys(values).length > 0) await db('spawners').where({ id }).update(values);
}

function spawnerValues(u: SpawnerUpdate): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  if (u.state !== undefined) values.state = JSON.stringify(u.state);
  if (u.started !== undefined) values.started = u.started === null ? null : toDbTimestamp(u.started);
  if (u.last_activity !== undefined) values.last_activity = u.last_activity === null ? null : toDbTimestamp(u.last_activity);
  if (u.user_options !== undefined) values.user_options = JSON.stringify(u.user_options);
  if (u.oauth_client_id !== undefined) values.oauth_client_id = u.oauth_client_id;
  return values;
}

/**
 * Records where a started server listens (a servers row) and links it, with any other spawner columns in the
 * same update. In the caller's transaction, or in one of its own.
 */
export async function setServer(db: Db, spawnerId: number, s: Omit<ServerRow, 'id'>, also: SpawnerUpdate = {}): Promise<void> {
  await inTransaction(db, async (trx) => {
    const old = asRows(await trx('spawners').where({ id: spawnerId }).select('server_id'))[0]?.server_id;
    const [inserted] = await trx('servers').insert({ proto: s.proto, ip: s.ip, port: s.port, base_url: s.base_url, cookie_name: s.cookie_name }, ['id']);
    await trx('spawners').where({ id: spawnerId }).update({ ...spawnerValues(also), server_id: insertedId(inserted) });
    if (typeof old === 'number') await trx('servers').where({ id: old }).delete();
  });
}

/**
 * The server stopped: unlink and drop its servers row (JupyterHub deletes it too) and forget when it started (user.py
 * stop: `orm_spawner.started = None`, so a stopped server's model says `started: null`), with any other updates.
 */
export async function clearServer(db: Db, spawnerId: number, also: SpawnerUpdate = {}): Promise<void> {
  await inTransaction(db, async (trx) => {
    const old = asRows(await trx('spawners').where({ id: spawnerId }).select('server_id'))[0]?.server_id;
    await trx('spawners').where({ id: spawnerId }).update({ ...spawnerValues({ started: null, ...also }), server_id: null });
    if (typeof old === 'number') await trx('servers').where({ id: old }).delete();
  });
}

/** Already in a transaction (a write batch): no savepoint, its statements are atomic with the caller's. */
async function inTransaction(db: Db, work: (trx: Db) => Promise<void>): Promise<void> {
  if (db.isTransaction === true) await work(db);
  else await db.transaction(work);
}

export async function deleteSpawner(db: Knex, id: number): Promise<void> {
  await clearServer(db, id);
  await db('spawners').where({ id }).delete();
}

export async function countRunning(db: Db): Promise<number> {
  const row = asRows(await db('spawners').whereNotNull('server_id').count({ n: '*' }))[0];
  return row ? Number(row.n) : 0;
}
