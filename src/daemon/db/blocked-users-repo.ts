/** `hub_blocked_users`: users an admin blocked at run time (Authenticator.blocked_users is the config's list). */
import type { Knex } from 'knex';
import { asRows, readString } from './row.js';
import { toDbTimestamp } from './timestamps.js';

export async function blockUser(db: Knex, userId: number): Promise<void> {
  await db('hub_blocked_users').insert({ user_id: userId, blocked_at: toDbTimestamp(new Date()) }).onConflict('user_id').ignore();
}

export async function unblockUser(db: Knex, userId: number): Promise<boolean> {
  return (await db('hub_blocked_users').where({ user_id: userId }).delete()) > 0;
}

export async function isBlocked(db: Knex, userId: number): Promise<boolean> {
  return asRows(await db('hub_blocked_users').where({ user_id: userId }).select('user_id')).length > 0;
}

/** By name, for the login page: the name the authenticator returned may belong to no user yet (then false). */
export async function isBlockedName(db: Knex, name: string): Promise<boolean> {
  const rows = await db('hub_blocked_users').join('users', 'users.id', 'hub_blocked_users.user_id').where('users.name', name).select('hub_blocked_users.user_id');
  return asRows(rows).length > 0;
}

export async function blockedUserNames(db: Knex): Promise<string[]> {
  const rows = await db('hub_blocked_users').join('users', 'users.id', 'hub_blocked_users.user_id').select('users.name', 'hub_blocked_users.user_id').orderBy('users.name');
  return asRows(rows).map((r) => readString(r, 'name'));
}
