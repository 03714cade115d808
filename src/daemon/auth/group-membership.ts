import type { Knex } from 'knex';
import { asRows, readString } from '../db/row.js';
import type { ExpandedScopes, GroupMembership } from './scopes/index.js';

/**
 * Intersecting scope sets with `!group=` filters needs to know who is in those groups. We load the members of
 * just the groups the filters name, once, so the synchronous intersection never touches the database.
 */
export async function groupMembership(db: Knex, sets: readonly ExpandedScopes[]): Promise<GroupMembership> {
  const groups = new Set<string>();
  for (const set of sets) {
    for (const grant of set.parsed.values()) {
      if (grant === 'all') continue;
      for (const g of grant.get('group') ?? []) groups.add(g);
    }
  }
  if (groups.size === 0) return () => false;
  const rows = asRows(
    await db('user_group_map').join('users', 'users.id', 'user_group_map.user_id').join('groups', 'groups.id', 'user_group_map.group_id')
      .whereIn('groups.name', [...groups]).select('users.name as user', 'groups.name as group'),
  );
  const members = new Map<string, Set<string>>();
  for (const r of rows) {
    const user = readString(r, 'user');
    members.set(user, (members.get(user) ?? new Set()).add(readString(r, 'group')));
  }
  return (user, wanted) => [...(members.get(user) ?? [])].some((g) => wanted.has(g));
}
