import type { Knex } from 'knex';
import type { HubConfig } from '../lib/config/index.js';
import type { Logger } from '../lib/log.js';
import { createUsers, getUserByName, setAdmin } from './db/users-repo.js';

/**
 * As JupyterHub's init_users: every name in Authenticator.admin_users exists and is admin, every name in
 * allowed_users exists. Admin status granted here is not taken away when a name leaves the list, as in
 * JupyterHub 3.0 (an admin removes it explicitly).
 */
export async function syncConfiguredUsers(db: Knex, config: HubConfig, log: Logger): Promise<void> {
  const admins = [...new Set(config.Authenticator.admin_users)];
  const allowed = [...new Set(config.Authenticator.allowed_users)];
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
