/**
 * `roles` and the role grant tables. Scopes are a JSONList column (JSON text; NULL reads as []).
 * Which roles exist by default and what they grant is RBAC's business (daemon/auth), not this module's.
 */
import type { Knex } from 'knex';
import { HubError } from '../../lib/errors.js';
import { asRows, readInt, readNullableString, readString, readStringList, type Row } from './row.js';

export interface RoleRecord {
  id: number;
  name: string;
  description: string | null;
  scopes: string[];
}

function roleFromRow(row: Row): RoleRecord {
  return {
    id: readInt(row, 'id'),
    name: readString(row, 'name'),
    description: readNullableString(row, 'description'),
    scopes: readStringList(row, 'scopes'),
  };
}

const COLUMNS = ['roles.id', 'roles.name', 'roles.description', 'roles.scopes'];

export async function listRoles(db: Knex): Promise<RoleRecord[]> {
  return asRows(await db('roles').select(COLUMNS).orderBy('roles.id')).map(roleFromRow);
}

export async function getRoleByName(db: Knex, name: string): Promise<RoleRecord | null> {
  const row = asRows(await db('roles').select(COLUMNS).where({ name }))[0];
  return row === undefined ? null : roleFromRow(row);
}

export async function createRole(db: Knex, role: { name: string; description?: string; scopes: readonly string[] }): Promise<RoleRecord> {
  if (await getRoleByName(db, role.name)) throw new HubError('CONFLICT', `role already exists: ${role.name}`);
  await db('roles').insert({ name: role.name, description: role.description ?? null, scopes: JSON.stringify(role.scopes) });
  const created = await getRoleByName(db, role.name);
  if (created === null) throw new HubError('DB_ERROR', `role ${role.name} vanished right after being created`);
  return created;
}

/** Roles granted to a user directly (not through groups), in id order (member-order.ts), as the user model lists them. */
export async function listRolesOfUser(db: Knex, userId: number): Promise<RoleRecord[]> {
  const rows = await db('roles').join('user_role_map', 'roles.id', 'user_role_map.role_id')
    .where('user_role_map.user_id', userId).select(COLUMNS).orderBy('roles.id');
  return asRows(rows).map(roleFromRow);
}

/** Names of roles granted directly, per user id (in id order), in one query. */
export async function rolesOfUsers(db: Knex, userIds: readonly number[]): Promise<Map<number, string[]>> {
  const byUser = new Map<number, string[]>();
  if (userIds.length === 0) return byUser;
  const rows = await db('roles').join('user_role_map', 'roles.id', 'user_role_map.role_id')
    .whereIn('user_role_map.user_id', [...new Set(userIds)]).select('user_role_map.user_id', 'roles.name').orderBy('roles.id');
  for (const row of asRows(rows)) {
    const id = readInt(row, 'user_id');
    byUser.set(id, [...(byUser.get(id) ?? []), readString(row, 'name')]);
  }
  return byUser;
}

/** Roles granted to any group the user is in. */
export async function listRolesOfUserGroups(db: Knex, userId: number): Promise<RoleRecord[]> {
  const rows = await db('roles').join('group_role_map', 'roles.id', 'group_role_map.role_id')
    .join('user_group_map', 'user_group_map.group_id', 'group_role_map.group_id')
    .where('user_group_map.user_id', userId).distinct(COLUMNS).orderBy('roles.name');
  return asRows(rows).map(roleFromRow);
}

export async function grantRoleToUser(db: Knex, roleId: number, userId: number): Promise<void> {
  await db('user_role_map').insert({ user_id: userId, role_id: roleId }).onConflict(['user_id', 'role_id']).ignore();
}

export async function revokeRoleFromUser(db: Knex, roleId: number, userId: number): Promise<void> {
  await db('user_role_map').where({ user_id: userId, role_id: roleId }).delete();
}

export type RoleHolder = { userId: number } | { groupId: number } | { serviceId: number };

function grantTable(holder: RoleHolder): { table: string; column: string; id: number } {
  if ('userId' in holder) return { table: 'user_role_map', column: 'user_id', id: holder.userId };
  if ('groupId' in holder) return { table: 'group_role_map', column: 'group_id', id: holder.groupId };
  return { table: 'service_role_map', column: 'service_id', id: holder.serviceId };
}

/** Creates the role, or brings an existing one's description and scopes in line (config is the truth). */
export async function upsertRole(db: Knex, role: { name: string; description?: string | null; scopes: readonly string[] }): Promise<RoleRecord> {
  const existing = await getRoleByName(db, role.name);
  if (!existing) return createRole(db, { name: role.name, scopes: role.scopes, ...(role.description ? { description: role.description } : {}) });
  await db('roles').where({ id: existing.id }).update({ description: role.description ?? existing.description, scopes: JSON.stringify(role.scopes) });
  return { ...existing, description: role.description ?? existing.description, scopes: [...role.scopes] };
}

export async function grantRole(db: Knex, roleId: number, holder: RoleHolder): Promise<void> {
  const t = grantTable(holder);
  await db(t.table).insert({ [t.column]: t.id, role_id: roleId }).onConflict([t.column, 'role_id']).ignore();
}

export async function revokeRole(db: Knex, roleId: number, holder: RoleHolder): Promise<void> {
  const t = grantTable(holder);
  await db(t.table).where({ [t.column]: t.id, role_id: roleId }).delete();
}

/** Every role that reaches a user: granted directly or through any of its groups. */
export async function effectiveRolesOfUser(db: Knex, userId: number): Promise<RoleRecord[]> {
  const [direct, viaGroups] = await Promise.all([listRolesOfUser(db, userId), listRolesOfUserGroups(db, userId)]);
  const byId = new Map([...direct, ...viaGroups].map((r) => [r.id, r]));
  return [...byId.values()];
}

export async function listRolesOfService(db: Knex, serviceId: number): Promise<RoleRecord[]> {
  const rows = await db('roles').join('service_role_map', 'roles.id', 'service_role_map.role_id')
    .where('service_role_map.service_id', serviceId).select(COLUMNS).orderBy('roles.id');
  return asRows(rows).map(roleFromRow);
}

/** Users holding the role directly, by id. */
export async function userIdsWithRole(db: Knex, roleId: number): Promise<number[]> {
  return asRows(await db('user_role_map').where({ role_id: roleId }).select('user_id')).map((r) => readInt(r, 'user_id'));
}
