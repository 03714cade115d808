/**
 * `groups` and `user_group_map`. `properties` (migration 0002, JupyterHub 4's column) is nullable as in
 * JupyterHub, whose ORM fills in {} on insert: we write '{}' too and read NULL as {}.
 */
import type { Knex } from 'knex';
import { isPostgres, memberOrder } from './member-order.js';
import { HubError } from '../../lib/errors.js';
import { asRow, asRows, readInt, readJsonObject, readString, type Row } from './row.js';

export interface GroupRecord {
  id: number;
  name: string;
  properties: Record<string, unknown>;
}

function groupFromRow(row: Row): GroupRecord {
  return { id: readInt(row, 'id'), name: readString(row, 'name'), properties: readJsonObject(row, 'properties') ?? {} };
}

export async function listGroups(db: Knex, opts: { offset?: number; limit?: number } = {}): Promise<{ groups: GroupRecord[]; total: number }> {
  const total = readInt(asRow(await db('groups').count({ n: '*' }).first()), 'n');
  let query = db('groups').select('id', 'name', 'properties').orderBy('id');
  if (opts.offset !== undefined && opts.offset > 0) query = query.offset(opts.offset);
  if (opts.limit !== undefined) query = query.limit(opts.limit);
  return { groups: asRows(await query).map(groupFromRow), total };
}

export async function getGroupByName(db: Knex, name: string): Promise<GroupRecord | null> {
  const row: unknown = await db('groups').select('id', 'name', 'properties').where({ name }).first();
  return row === undefined ? null : groupFromRow(asRow(row));
}

export async function createGroup(db: Knex, name: string, properties: Record<string, unknown> = {}): Promise<GroupRecord> {
  if (await getGroupByName(db, name)) throw new HubError('CONFLICT', `group already exists: ${name}`);
  await db('groups').insert({ name, properties: JSON.stringify(properties) });
  const group = await getGroupByName(db, name);
  if (group === null) throw new HubError('DB_ERROR', `group ${name} vanished right after being created`);
  return group;
}

/** Returns whether the group existed. Memberships and role grants go with it (ON DELETE CASCADE). */
export async function deleteGroup(db: Knex, name: string): Promise<boolean> {
  return (await db('groups').where({ name }).delete()) > 0;
}

export async function setGroupProperties(db: Knex, name: string, properties: Record<string, unknown>): Promise<boolean> {
  return (await db('groups').where({ name }).update({ properties: JSON.stringify(properties) })) > 0;
}

/** Names of the groups a user belongs to, in id order (member-order.ts), as the user model lists them. */
export async function listGroupsOfUser(db: Knex, userId: number): Promise<string[]> {
  const rows = await db('groups').join('user_group_map', 'groups.id', 'user_group_map.group_id')
    .where('user_group_map.user_id', userId).select('groups.name').orderBy('groups.id');
  return asRows(rows).map((r) => readString(r, 'name'));
}

/** Group names per user id (in id order), in one query: for listing many users without a query each. */
export async function groupsOfUsers(db: Knex, userIds: readonly number[]): Promise<Map<number, string[]>> {
  const byUser = new Map<number, string[]>();
  if (userIds.length === 0) return byUser;
  const rows = await db('groups').join('user_group_map', 'groups.id', 'user_group_map.group_id')
    .whereIn('user_group_map.user_id', [...new Set(userIds)]).select('user_group_map.user_id', 'groups.name').orderBy('groups.id');
  for (const row of asRows(rows)) {
    const id = readInt(row, 'user_id');
    byUser.set(id, [...(byUser.get(id) ?? []), readString(row, 'name')]);
  }
  return byUser;
}

/** Names of a group's members, in the order the group model lists them (aggregateColumns). */
export async function listGroupMembers(db: Knex, groupId: number): Promise<string[]> {
  const rows = await db('users').join('user_group_map', 'users.id', 'user_group_map.user_id')
    .where('user_group_map.group_id', groupId).select('users.name').orderByRaw(memberOrder(db, 'user_group_map', 'users.id'));
  return asRows(rows).map((r) => readString(r, 'name'));
}

/** Add users (by id) to a group; already-present members are left as they are. */
export async function addGroupMembers(db: Knex, groupId: number, userIds: readonly number[]): Promise<void> {
  // In batches: SQLite limits the number of bound variables per statement.
  for (let i = 0; i < userIds.length; i += 500) {
    const batch = userIds.slice(i, i + 500).map((user_id) => ({ user_id, group_id: groupId }));
    await db('user_group_map').insert(batch).onConflict(['user_id', 'group_id']).ignore();
  }
}

export async function removeGroupMembers(db: Knex, groupId: number, userIds: readonly number[]): Promise<void> {
  for (let i = 0; i < userIds.length; i += 500) {
    await db('user_group_map').where('group_id', groupId).whereIn('user_id', userIds.slice(i, i + 500)).delete();
  }
}

/** Names of the groups of the user called `name` (sorted); [] for an unknown user. */
export async function groupNamesOfUserName(db: Knex, name: string): Promise<string[]> {
  const rows = await db('groups').join('user_group_map', 'groups.id', 'user_group_map.group_id')
    .join('users', 'users.id', 'user_group_map.user_id').where('users.name', name).select('groups.name').orderBy('groups.name');
  return asRows(rows).map((r) => readString(r, 'name'));
}

/* ---- The REST API: group models (members and roles aggregated by the database), paged in SQL. ---- */

export interface GroupAggregate extends GroupRecord {
  users: string[];
  roles: string[];
}

/** Members in the order they were added, roles by id (member-order.ts). */
function aggregateColumns(db: Knex): (string | Knex.Raw)[] {
  const names = (from: string, where: string, order: string): string => (isPostgres(db)
    ? `(SELECT COALESCE(json_agg(t.name ORDER BY ${order}), '[]'::json) FROM ${from} WHERE ${where})`
    // SQLite feeds an aggregate its ordered subquery in order.
    : `(SELECT json_group_array(o.name) FROM (SELECT t.name FROM ${from} WHERE ${where} ORDER BY ${order}) o)`);
  return ['groups.id', 'groups.name', 'groups.properties',
    db.raw(`${names('user_group_map m JOIN users t ON t.id = m.user_id', 'm.group_id = groups.id', memberOrder(db, 'm', 't.id'))} AS member_names`),
    db.raw(`${names('group_role_map m JOIN roles t ON t.id = m.role_id', 'm.group_id = groups.id', 't.id')} AS role_names`)];
}

function nameList(row: Row, column: string): string[] {
  const v = row[column];
  const parsed: unknown = typeof v === 'string' ? JSON.parse(v) : v;
  return Array.isArray(parsed) ? parsed.filter((n): n is string => typeof n === 'string') : [];
}

function aggregateFromRow(row: Row): GroupAggregate {
  return { ...groupFromRow(row), users: nameList(row, 'member_names'), roles: nameList(row, 'role_names') };
}

/** A page of groups in id order, optionally only those named (a filtered list:groups), with the total. */
export async function groupPage(db: Knex, q: { offset: number; limit: number; onlyNames?: readonly string[] }): Promise<{ groups: GroupAggregate[]; total: number }> {
  const filter = (query: Knex.QueryBuilder): Knex.QueryBuilder => (q.onlyNames === undefined ? query : query.whereIn('groups.name', [...q.onlyNames]));
  const total = readInt(asRow(await filter(db('groups').count({ n: '*' })).first()), 'n');
  const rows = asRows(await filter(db('groups').select(aggregateColumns(db))).orderBy('groups.id').offset(q.offset).limit(q.limit));
  return { groups: rows.map(aggregateFromRow), total };
}

export async function getGroupAggregate(db: Knex, name: string): Promise<GroupAggregate | null> {
  const row: unknown = await db('groups').select(aggregateColumns(db)).where('groups.name', name).first();
  return row === undefined ? null : aggregateFromRow(asRow(row));
}

/** Create groups with their members in one transaction (all or none). */
export async function createGroupsWithMembers(db: Knex, groups: readonly { name: string; userIds: readonly number[] }[]): Promise<void> {
  await db.transaction(async (trx) => {
    for (const g of groups) {
      await trx('groups').insert({ name: g.name, properties: '{}' });
      const created = await getGroupByName(trx, g.name);
      if (created === null) throw new HubError('DB_ERROR', `group ${g.name} vanished right after being created`);
      await addGroupMembers(trx, created.id, g.userIds);
    }
  });
}
