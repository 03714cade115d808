import type { Knex } from 'knex';
import { HubError, isHubError } from '../../../lib/errors.js';
import type { Logger } from '../../../lib/log.js';
import { createUsers, getUserByName, setAdmin, type UserRow } from '../../db/users-repo.js';
import {
  addGroupMembers, createGroup, getGroupByName, listGroupsOfUser, removeGroupMembers,
} from '../../db/groups-repo.js';
import { saveAuthState } from '../auth-state.js';
import type { CryptKeeper } from '../crypt-keeper.js';
import type { Authenticator, AuthModel } from './types.js';

/**
 * JupyterHub's `auth_to_user`: make the database agree with a successful login. A new user is first passed
 * to `authenticator.addUser` (which may refuse, e.g. no unix account) and only then created, so a refused login
 * leaves no row behind. The admin flag changes only when the authenticator gave an explicit value; with
 * manage_groups the user's groups become exactly the ones returned.
 *
 * auth_state is always written, as JupyterHub writes it: the login's auth_state (encrypted) when
 * enable_auth_state is on, else nothing, so a login without auth_state, or with the option off, clears what
 * an earlier login stored (the hub refuses to start with the option on and no key, so encrypting cannot fail here).
 */
export async function authToUser(db: Knex, authenticator: Authenticator, auth: AuthModel, log: Logger, keeper: CryptKeeper): Promise<UserRow> {
  let user = await getUserByName(db, auth.name);
  if (user === null) {
    await authenticator.addUser(auth.name);
    user = await createOrFind(db, auth.name);
    log.info(`Created user ${auth.name} on first login`);
  }
  if (auth.admin !== null && auth.admin !== user.admin) {
    await setAdmin(db, user.name, auth.admin);
    user = { ...user, admin: auth.admin };
  }
  if (authenticator.manageGroups && auth.groups !== null) await syncGroups(db, user, auth.groups);
  const authState = authenticator.enableAuthState ? auth.auth_state : null;
  // Clearing what is already clear would be a write per login on hubs that never use auth_state.
  if (authState !== null || user.encrypted_auth_state !== null) {
    user = { ...user, encrypted_auth_state: await saveAuthState(db, keeper, user.id, authState) };
  }
  return user;
}

/** Two first logins of one name can race; the loser reads the winner's row. */
async function createOrFind(db: Knex, name: string): Promise<UserRow> {
  try {
    const [created] = await createUsers(db, [name]);
    if (created !== undefined) return created;
  } catch (err) {
    if (!isHubError(err) || err.code !== 'CONFLICT') throw err;
  }
  const user = await getUserByName(db, name);
  if (user === null) throw new HubError('DB_ERROR', `user ${name} could not be created`);
  return user;
}

async function syncGroups(db: Knex, user: UserRow, wanted: readonly string[]): Promise<void> {
  const want = new Set(wanted);
  const have = new Set(await listGroupsOfUser(db, user.id));
  for (const name of want) {
    if (have.has(name)) continue;
    const group = (await getGroupByName(db, name)) ?? (await createGroup(db, name));
    await addGroupMembers(db, group.id, [user.id]);
  }
  for (const name of have) {
    if (want.has(name)) continue;
    const group = await getGroupByName(db, name);
    if (group !== null) await removeGroupMembers(db, group.id, [user.id]);
  }
}
