/**
 * Raw (unexpanded) scopes from roles, as roles.py `roles_to_scopes(get_roles_for(user))`: the user's roles and
 * those of its groups. The default `user` role (and `admin` for admins) counts even if its grant row is missing,
 * as in IdentityService.userScopes, where the flag is the truth.
 */
import type { Knex } from 'knex';
import { effectiveRolesOfUser, getRoleByName } from '../../db/roles-repo.js';
import type { UserRow } from '../../db/users-repo.js';
import { defaultRole } from '../scopes/index.js';
import type { RoleLookup } from './grant-scopes.js';

export async function userRawScopes(db: Knex, user: UserRow): Promise<Set<string>> {
  const roles = await effectiveRolesOfUser(db, user.id);
  const names = new Set(roles.map((r) => r.name));
  const out = new Set<string>();
  for (const r of roles) for (const s of r.scopes) out.add(s);
  for (const name of ['user', ...(user.admin ? ['admin'] : [])]) {
    if (!names.has(name)) for (const s of defaultRole(name)?.scopes ?? []) out.add(s);
  }
  return out;
}

/** Roles named in a `scope` parameter (2.x clients asked for roles): their scopes, or null if one is missing. */
export function roleLookup(db: Knex): RoleLookup {
  return async (names) => {
    const out = new Set<string>();
    for (const name of names) {
      const role = (await getRoleByName(db, name)) ?? defaultRole(name);
      if (role === undefined || role === null) return null;
      for (const s of role.scopes) out.add(s);
    }
    return [...out];
  };
}
