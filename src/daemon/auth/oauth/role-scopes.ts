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

/**
 * Every role that reaches a user, the default `user` (and `admin` for admins) included even without a grant row:
 * an adopted or hand-edited database may lack them, the flag is the truth. A missing default is the stored role
 * (load_roles may redefine it), else the built-in one.
 */
export async function userRoles(db: Knex, user: UserRow): Promise<{ name: string; scopes: readonly string[] }[]> {
  const roles = await effectiveRolesOfUser(db, user.id);
  const names = new Set(roles.map((r) => r.name));
  const missing = ['user', ...(user.admin ? ['admin'] : [])].filter((n) => !names.has(n));
  const defaults = await Promise.all(missing.map(async (n) => (await getRoleByName(db, n)) ?? defaultRole(n)));
  return [...roles, ...defaults.filter((r) => r !== undefined)];
}

export async function userRawScopes(db: Knex, user: UserRow): Promise<Set<string>> {
  return new Set((await userRoles(db, user)).flatMap((r) => r.scopes));
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
