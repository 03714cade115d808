/**
 * Shared by the group routes: JupyterHub's `find_group` (404), `_usernames_to_users` (names normalized as the
 * Authenticator does; any unknown name is a 400), the manage_groups switch and the caller's view of a group.
 */
import { ApiError } from '../http-util.js';
import type { ApiDeps } from '../api-service.js';
import type { Principal } from '../../auth/principal.js';
import { getGroupAggregate, type GroupAggregate } from '../../db/groups-repo.js';
import { asRows, readInt, readString } from '../../db/row.js';
import { normalizeUsername } from '../models/names.js';
import { groupModel } from '../models/group-model.js';

export async function findGroup(deps: ApiDeps, name: string): Promise<GroupAggregate> {
  const group = await getGroupAggregate(deps.db, name);
  if (!group) throw new ApiError(404, `No such group: ${name}`);
  return group;
}

/** User ids for names, in order; the first unknown name is JupyterHub's 400. */
export async function usernamesToIds(deps: ApiDeps, usernames: readonly string[]): Promise<number[]> {
  const names = usernames.map((n) => normalizeUsername(deps.config.Authenticator, n));
  const found = new Map<string, number>();
  for (let i = 0; i < names.length; i += 500) {
    const rows = asRows(await deps.db('users').select('id', 'name').whereIn('name', names.slice(i, i + 500)));
    for (const r of rows) found.set(readString(r, 'name'), readInt(r, 'id'));
  }
  const missing = names.find((n) => !found.has(n));
  if (missing !== undefined) throw new ApiError(400, `No such user: ${missing}`);
  return [...new Set(names.map((n) => found.get(n) ?? -1))];
}

/** Authenticator.manage_groups: groups come from the Authenticator, so the API may not change them. */
export function checkGroupsManagedHere(deps: ApiDeps): void {
  if (deps.config.Authenticator.manage_groups) throw new ApiError(400, 'Group management via API is disabled');
}

export async function groupReply(deps: ApiDeps, caller: Principal, name: string): Promise<Record<string, unknown>> {
  return groupModel(caller.scopes, await findGroup(deps, name));
}
