import type { Knex } from 'knex';
import type { HubConfig } from '../lib/config/index.js';
import { HubError } from '../lib/errors.js';
import type { Logger } from '../lib/log.js';
import type { Authenticator } from './auth/authenticators/types.js';
import { addGroupMembers, createGroup, getGroupByName } from './db/groups-repo.js';
import { createUsers, getUserByName, setAdmin } from './db/users-repo.js';

/**
 * As JupyterHub's init_users: every name in Authenticator.admin_users exists and is admin, every name in
 * allowed_users exists, both normalised by the authenticator (`Ada` logs in as `ada`, so the config's `Ada` is
 * `ada`) and validated. Admin status granted here is not taken away when a name leaves the list, as in
 * JupyterHub 3.0 (an admin removes it explicitly).
 */
export async function syncConfiguredUsers(db: Knex, config: HubConfig, authenticator: Authenticator, log: Logger): Promise<void> {
  const problems: string[] = [];
  const normalised = (option: 'admin_users' | 'allowed_users'): string[] => {
    const names = config.Authenticator[option].map((n) => authenticator.normalizeUsername(n));
    for (const name of names) if (!authenticator.validateUsername(name)) problems.push(`Authenticator.${option}: username '${name}' is not valid`);
    return [...new Set(names)];
  };
  const admins = normalised('admin_users');
  const allowed = normalised('allowed_users');
  if (problems.length > 0) {
    throw new HubError('CONFIG_INVALID', problems.join('\n'), { hint: 'Fix the names, or Authenticator.username_pattern if they should be valid.' });
  }
  const missing: { name: string; admin: boolean }[] = [];
  for (const name of new Set([...admins, ...allowed])) {
    const admin = admins.includes(name);
    const user = await getUserByName(db, name);
    if (!user) missing.push({ name, admin });
    else if (admin && !user.admin) await setAdmin(db, name, true);
  }
  const newAdmins = missing.filter((m) => m.admin).map((m) => m.name);
  const newUsers = missing.filter((m) => !m.admin).map((m) => m.name);
  if (newAdmins.length > 0) await createUsers(db, newAdmins, { admin: true });
  if (newUsers.length > 0) await createUsers(db, newUsers, { admin: false });
  if (missing.length > 0) log.info(`Added ${missing.length} user(s) from the config: ${missing.map((m) => m.name).join(', ')}`);
}

/**
 * As JupyterHub's init_groups: every group in JupyterHub.load_groups exists and has at least the listed members.
 * Strictly additive (a name dropped from the config keeps its membership). Names pass through the
 * authenticator as at login: normalised, allowed (check_allowed with no authentication), valid; a user that does
 * not exist yet is created. Every problem is reported at once, before anything is written.
 */
export async function loadConfiguredGroups(db: Knex, config: HubConfig, authenticator: Authenticator, log: Logger): Promise<void> {
  const load = config.JupyterHub.load_groups;
  const entries = Object.entries(load);
  if (entries.length === 0) return;
  if (authenticator.manageGroups) {
    throw new HubError('CONFIG_INVALID', 'JupyterHub.load_groups is set, but group management has been offloaded to the authenticator (Authenticator.manage_groups)', {
      hint: 'Remove load_groups, or set Authenticator.manage_groups to false.',
    });
  }
  const problems: string[] = [];
  const plan: { group: string; members: string[] }[] = [];
  for (const [group, names] of entries) {
    const members: string[] = [];
    for (const raw of names) {
      const name = authenticator.normalizeUsername(raw);
      if (!(await authenticator.checkAllowed(name, { name, admin: null, groups: null, auth_state: null }))) {
        problems.push(`load_groups['${group}']: user '${name}' is not in Authenticator.allowed_users`);
      } else if (!authenticator.validateUsername(name)) {
        problems.push(`load_groups['${group}']: '${raw}' is not a valid username`);
      } else members.push(name);
    }
    plan.push({ group, members: [...new Set(members)] });
  }
  if (problems.length > 0) {
    throw new HubError('CONFIG_INVALID', `invalid JupyterHub.load_groups:\n  ${problems.join('\n  ')}`, {
      hint: 'Add the users to Authenticator.allowed_users, or take them out of load_groups.',
    });
  }
  const wanted = [...new Set(plan.flatMap((p) => p.members))];
  const missing: string[] = [];
  for (const name of wanted) if (!(await getUserByName(db, name))) missing.push(name);
  if (missing.length > 0) {
    await createUsers(db, missing);
    log.info(`Added ${missing.length} user(s) from load_groups: ${missing.join(', ')}`);
  }
  for (const { group, members } of plan) {
    let row = await getGroupByName(db, group);
    if (row === null) {
      row = await createGroup(db, group);
      log.info(`Creating group ${group} from load_groups`);
    }
    const ids: number[] = [];
    for (const name of members) {
      const user = await getUserByName(db, name);
      if (user) ids.push(user.id);
    }
    await addGroupMembers(db, row.id, ids);
  }
}
