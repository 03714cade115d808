import type { Knex } from 'knex';
import type { HubConfig } from '../../lib/config/index.js';
import { HubError } from '../../lib/errors.js';
import type { Logger } from '../../lib/log.js';
import type { Authenticator } from './authenticators/types.js';
import { createUsers, getUserByName } from '../db/users-repo.js';
import { createGroup, getGroupByName } from '../db/groups-repo.js';
import { getServiceByName } from '../db/services-repo.js';
import { getRoleByName, grantRole, revokeRole, upsertRole, userIdsWithRole } from '../db/roles-repo.js';
import { asRows, readInt } from '../db/row.js';
import { DEFAULT_ROLES, loadRolesOrThrow, type ScopeRegistry } from './scopes/index.js';

/**
 * At start, as JupyterHub's init_role_creation and init_role_assignment: the default roles exist with their
 * scopes, `load_roles` (which may redefine user/admin/server/token) is applied, every user holds `user`, and the
 * admin flag and the `admin` role agree. Users (normalised, and allowed to log in) and groups named in a role are
 * created when missing, as JupyterHub's _get_or_create_user does.
 */
export async function syncRoles(db: Knex, config: HubConfig, registry: ScopeRegistry, authenticator: Authenticator, log: Logger): Promise<void> {
  // Services in the database: the configured ones and those service_tokens made implicitly (app.py finds either).
  const services = new Set([...config.JupyterHub.services.map((s) => (typeof s.name === 'string' ? s.name : '')), ...Object.values(config.JupyterHub.service_tokens)]);
  const { roles, warnings } = loadRolesOrThrow(config.JupyterHub.load_roles, { registry, knownServices: services });
  for (const w of warnings) log.warn(w);
  // As init_role_assignment: user names are normalised by the authenticator and must be allowed to log in.
  const refused: string[] = [];
  const roleUsers = new Map<string, string[]>();
  for (const role of roles) {
    const users = [...new Set((role.users ?? []).map((n) => authenticator.normalizeUsername(n)))];
    roleUsers.set(role.name, users);
    for (const name of users) {
      if (!(await authenticator.checkAllowed(name, { name, admin: null, groups: null, auth_state: null }))) refused.push(`load_roles (role '${role.name}'): username '${name}' is not in Authenticator.allowed_users`);
    }
  }
  if (refused.length > 0) throw new HubError('CONFIG_INVALID', refused.join('\n'), { hint: 'Add the users to Authenticator.allowed_users, or take them out of the role.' });
  const configured = new Map(roles.map((r) => [r.name, r]));
  await db.transaction(async (trx) => {
    for (const role of DEFAULT_ROLES) {
      if (!configured.has(role.name)) await upsertRole(trx, role);
    }
    for (const role of roles) {
      const row = await upsertRole(trx, role);
      for (const name of roleUsers.get(role.name) ?? []) {
        const user = (await getUserByName(trx, name)) ?? (await createUsers(trx, [name]))[0];
        if (user) await grantRole(trx, row.id, { userId: user.id });
      }
      for (const name of role.groups ?? []) {
        const group = (await getGroupByName(trx, name)) ?? (await createGroup(trx, name));
        await grantRole(trx, row.id, { groupId: group.id });
      }
      for (const name of role.services ?? []) {
        const service = await getServiceByName(trx, name);
        if (service) await grantRole(trx, row.id, { serviceId: service.id });
      }
    }
    await syncDefaultGrants(trx);
  });
}

/** Every user holds `user`; `admin` exactly when the admin flag is set (roles.py assign_default_roles); admin services hold `admin`. */
async function syncDefaultGrants(trx: Knex.Transaction): Promise<void> {
  const userRole = await getRoleByName(trx, 'user');
  const adminRole = await getRoleByName(trx, 'admin');
  if (!userRole || !adminRole) return;
  const users = asRows(await trx('users').select('id', 'admin'));
  const admins = new Set(await userIdsWithRole(trx, adminRole.id));
  const holders = new Set(await userIdsWithRole(trx, userRole.id));
  for (const u of users) {
    const id = readInt(u, 'id');
    const isAdmin = u.admin === true || u.admin === 1;
    if (!holders.has(id)) await grantRole(trx, userRole.id, { userId: id });
    if (isAdmin && !admins.has(id)) await grantRole(trx, adminRole.id, { userId: id });
    if (!isAdmin && admins.has(id)) await revokeRole(trx, adminRole.id, { userId: id });
  }
  // Services: 3.0's admin flag means the admin role.
  for (const s of asRows(await trx('services').select('id', 'admin'))) {
    if (s.admin === true || s.admin === 1) await grantRole(trx, adminRole.id, { serviceId: readInt(s, 'id') });
  }
}
