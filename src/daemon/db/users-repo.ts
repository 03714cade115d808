/**
 * The `users` table. Rows are written the way JupyterHub's ORM writes them (admin as a boolean, created as
 * naive UTC text, cookie_id a uuid4 hex) so either program can read what the other wrote.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { HubError } from '../../lib/errors.js';
import {
  asRow, asRows, readBool, readInt, readJsonObject, readNullableBuffer, readString, type Row,
} from './row.js';
import { whereNameLike } from './name-filter.js';
import { readNullableDate, toDbTimestamp } from './timestamps.js';

/** A Knex or a transaction (Knex.Transaction is a Knex): every function here runs in either. */
type Db = Knex;

/** A `users` row, fields named as the columns (the API models use the same names). */
export interface UserRow {
  id: number;
  name: string;
  admin: boolean;
  created: Date | null;
  last_activity: Date | null;
  /** Identifies the user's login cookies; changing it logs them out everywhere. A secret. */
  cookie_id: string;
  /** Spawner state of the default server as JupyterHub kept it before named servers (JSON). */
  state: Record<string, unknown> | null;
  encrypted_auth_state: Buffer | null;
}

export interface ListUsersOptions {
  offset?: number;
  limit?: number;
  /** JupyterHub's name_filter: names containing it, ignoring case, LIKE wildcards acting (db/name-filter.ts). */
  nameFilter?: string;
  /** The admin page's sort; ties (and the default) go by id, so pages never overlap. Never-active users sort last. */
  order?: { column: 'name' | 'admin' | 'last_activity'; desc: boolean };
}

export function userFromRow(row: Row): UserRow {
  return {
    id: readInt(row, 'id'),
    name: readString(row, 'name'),
    admin: readBool(row, 'admin'),
    created: readNullableDate(row, 'created'),
    last_activity: readNullableDate(row, 'last_activity'),
    cookie_id: readString(row, 'cookie_id'),
    state: readJsonObject(row, 'state'),
    encrypted_auth_state: readNullableBuffer(row, 'encrypted_auth_state'),
  };
}

/** JupyterHub's new_token(): uuid4().hex. */
export function newCookieId(): string {
  return randomUUID().replace(/-/g, '');
}

export async function listUsers(db: Db, opts: ListUsersOptions = {}): Promise<{ rows: UserRow[]; total: number }> {
  const totalRow = asRow(await whereNameLike(db, db('users').count({ n: '*' }), 'name', opts.nameFilter).first());
  let query = whereNameLike(db, db('users').select('*'), 'name', opts.nameFilter);
  // (column IS NULL) first, by hand: knex 3's nulls:'last' on SQLite drops the column from the ORDER BY.
  if (opts.order !== undefined) query = query.orderByRaw('(?? IS NULL)', [opts.order.column]).orderBy(opts.order.column, opts.order.desc ? 'desc' : 'asc');
  query = query.orderBy('id');
  if (opts.offset !== undefined && opts.offset > 0) query = query.offset(opts.offset);
  if (opts.limit !== undefined) query = query.limit(opts.limit);
  return { rows: asRows(await query).map(userFromRow), total: readInt(totalRow, 'n') };
}

export async function countUsers(db: Db): Promise<number> {
  return readInt(asRow(await db('users').count({ n: '*' }).first()), 'n');
}

export async function getUserByName(db: Db, name: string): Promise<UserRow | null> {
  const row: unknown = await db('users').where({ name }).first();
  return row === undefined ? null : userFromRow(asRow(row));
}

export async function getUserById(db: Db, id: number): Promise<UserRow | null> {
  const row: unknown = await db('users').where({ id }).first();
  return row === undefined ? null : userFromRow(asRow(row));
}

/**
 * Create users in one transaction: all or none. An existing name is a CONFLICT naming every clash, so
 * the caller (the API, which skips existing users as JupyterHub does) can filter first.
 */
/** Users with these ids, in id order; unknown ids are skipped. */
export async function listUsersByIds(db: Db, ids: readonly number[]): Promise<UserRow[]> {
  if (ids.length === 0) return [];
  return asRows(await db('users').select('*').whereIn('id', [...new Set(ids)]).orderBy('id')).map(userFromRow);
}

export async function createUsers(db: Knex, names: readonly string[], opts: { admin?: boolean } = {}): Promise<UserRow[]> {
  const unique = [...new Set(names)];
  return db.transaction(async (trx) => {
    const existing = asRows(await trx('users').select('name').whereIn('name', unique)).map((r) => readString(r, 'name'));
    if (existing.length > 0) {
      throw new HubError('CONFLICT', `user${existing.length > 1 ? 's' : ''} already exist${existing.length > 1 ? '' : 's'}: ${existing.join(', ')}`);
    }
    const created = toDbTimestamp(new Date());
    // roles.py assign_default_roles: a new user holds `user` (and `admin` when admin) as rows, like every other grant.
    const defaults = asRows(await trx('roles').whereIn('name', opts.admin === true ? ['user', 'admin'] : ['user']).select('id')).map((r) => readInt(r, 'id'));
    const users: UserRow[] = [];
    for (const name of unique) {
      await trx('users').insert({ name, admin: opts.admin ?? false, created, cookie_id: newCookieId() });
      const user = await getUserByName(trx, name);
      if (user === null) throw new HubError('DB_ERROR', `user ${name} vanished right after being created`);
      if (defaults.length > 0) await trx('user_role_map').insert(defaults.map((role_id) => ({ user_id: user.id, role_id }))).onConflict(['user_id', 'role_id']).ignore();
      users.push(user);
    }
    return users;
  });
}

/** Returns whether a user was deleted. Tokens, spawners, memberships go with it (ON DELETE CASCADE). */
export async function deleteUser(db: Db, name: string): Promise<boolean> {
  return (await db('users').where({ name }).delete()) > 0;
}

export async function setAdmin(db: Db, name: string, admin: boolean): Promise<boolean> {
  return (await db('users').where({ name }).update({ admin })) > 0;
}

export async function touchUserActivity(db: Db, id: number, when: Date = new Date()): Promise<void> {
  await db('users').where({ id }).update({ last_activity: toDbTimestamp(when) });
}

/* ---- The REST API's writes (reads for models: api/models/user-query.ts). ---- */

async function roleId(db: Db, name: string): Promise<number | null> {
  const row = asRows(await db('roles').select('id').where({ name }))[0];
  return row === undefined ? null : readInt(row, 'id');
}

/**
 * roles.py `assign_default_roles` for users: everyone holds `user`, admins hold `admin`, non-admins do not. A missing
 * role row (a database JupyterHub never started on) is skipped: the identity layer falls back to the admin flag.
 */
export async function syncDefaultRoles(db: Db, users: readonly { id: number; admin: boolean }[]): Promise<void> {
  if (users.length === 0) return;
  const [userRole, adminRole] = await Promise.all([roleId(db, 'user'), roleId(db, 'admin')]);
  const grant = async (role: number, ids: number[]): Promise<void> => {
    for (let i = 0; i < ids.length; i += 200) {
      await db('user_role_map').insert(ids.slice(i, i + 200).map((user_id) => ({ user_id, role_id: role }))).onConflict(['user_id', 'role_id']).ignore();
    }
  };
  if (userRole !== null) await grant(userRole, users.map((u) => u.id));
  if (adminRole !== null) {
    await grant(adminRole, users.filter((u) => u.admin).map((u) => u.id));
    const plain = users.filter((u) => !u.admin).map((u) => u.id);
    if (plain.length > 0) await db('user_role_map').where('role_id', adminRole).whereIn('user_id', plain).delete();
  }
}

/**
 * Create users the API way (POST /users): names already validated and known to be new; all in one transaction with
 * their default roles, in batches (one INSERT per 100 names). Returns the rows in the order given.
 */
export async function insertUsers(db: Knex, names: readonly string[], admin: boolean): Promise<UserRow[]> {
  const unique = [...new Set(names)];
  return db.transaction(async (trx) => {
    const created = toDbTimestamp(new Date());
    for (let i = 0; i < unique.length; i += 100) {
      await trx('users').insert(unique.slice(i, i + 100).map((name) => ({ name, admin, created, cookie_id: newCookieId() })));
    }
    const rows: UserRow[] = [];
    for (let i = 0; i < unique.length; i += 500) {
      rows.push(...asRows(await trx('users').select('*').whereIn('name', unique.slice(i, i + 500))).map(userFromRow));
    }
    await syncDefaultRoles(trx, rows);
    const byName = new Map(rows.map((u) => [u.name, u]));
    return unique.map((n) => byName.get(n)).filter((u): u is UserRow => u !== undefined);
  });
}

/** PATCH /users/{name}: rename, admin flag (with the admin role) and/or auth_state (already encrypted) in one transaction. */
export async function updateUser(db: Knex, id: number, change: { name?: string; admin?: boolean; encryptedAuthState?: Buffer | null }): Promise<UserRow | null> {
  return db.transaction(async (trx) => {
    const values: Record<string, unknown> = {};
    if (change.name !== undefined) values.name = change.name;
    if (change.admin !== undefined) values.admin = change.admin;
    if (change.encryptedAuthState !== undefined) values.encrypted_auth_state = change.encryptedAuthState;
    if (Object.keys(values).length > 0) await trx('users').where({ id }).update(values);
    const user = await getUserById(trx, id);
    if (user !== null && change.admin !== undefined) await syncDefaultRoles(trx, [user]);
    return user;
  });
}

/**
 * Delete a user and what JupyterHub's ORM cascades delete with it: tokens, memberships, role grants and spawners go
 * by ON DELETE CASCADE; the spawners' `servers` rows and OAuth clients are deleted here, in the same transaction.
 */
export async function deleteUserEverywhere(db: Knex, id: number): Promise<boolean> {
  return db.transaction(async (trx) => {
    const spawners = asRows(await trx('spawners').select('server_id', 'oauth_client_id').where({ user_id: id }));
    const serverIds = spawners.map((s) => s.server_id).filter((v): v is number => typeof v === 'number');
    const clients = spawners.map((s) => s.oauth_client_id).filter((v): v is string => typeof v === 'string');
    const deleted = (await trx('users').where({ id }).delete()) > 0;
    if (serverIds.length > 0) await trx('servers').whereIn('id', serverIds).delete();
    if (clients.length > 0) await trx('oauth_clients').whereIn('identifier', clients).delete();
    return deleted;
  });
}

/** POST /users/{name}/activity: newer timestamps only, user and servers in one transaction. */
export async function recordActivity(db: Knex, userId: number, user: Date | null, servers: ReadonlyMap<string, Date>): Promise<void> {
  await db.transaction(async (trx) => {
    if (user !== null) await trx('users').where({ id: userId }).update({ last_activity: toDbTimestamp(user) });
    for (const [name, when] of servers) {
      await trx('spawners').where({ user_id: userId, name }).update({ last_activity: toDbTimestamp(when) });
    }
  });
}
