/**
 * Building the user models a request returns: the request's include_stopped_servers flag, the server manager's
 * runtime view, and the caller's scopes.
 */
import type { ApiDeps } from '../api-service.js';
import type { Principal } from '../../auth/principal.js';
import { ApiError } from '../http-util.js';
import { queryArg } from '../pagination.js';
import { getUserAggregate, type UserAggregate } from '../models/user-query.js';
import { fullUserModel, userModelFilter, type UserModelContext } from '../models/user-model.js';
import { getUserByName } from '../../db/users-repo.js';
import { getAuthState } from '../../auth/auth-state.js';
import { cryptKeeperFor } from '../../auth/crypt-keeper.js';

/** apihandlers/base.py `include_stopped_servers`: present and not "0"/"false" (so a bare `?include_stopped_servers` is on). */
export function includeStoppedServers(url: URL): boolean {
  const v = queryArg(url, 'include_stopped_servers');
  return v !== undefined && !['0', 'false'].includes(v.toLowerCase());
}

export function modelContext(deps: ApiDeps, url: URL): UserModelContext {
  return { baseUrl: deps.baseUrl, subdomainHost: deps.config.JupyterHub.subdomain_host, servers: deps.servers, includeStopped: includeStoppedServers(url) };
}

/** Models of users for this caller; users the caller may not see at all come back as `{}` (lists drop them). */
export function userModels(deps: ApiDeps, caller: Principal, url: URL, users: readonly UserAggregate[]): Record<string, unknown>[] {
  const ctx = modelContext(deps, url);
  const filter = userModelFilter(caller.scopes);
  return users.map((u) => filter(fullUserModel(u, ctx)));
}

export async function findUserAggregate(deps: ApiDeps, name: string): Promise<UserAggregate> {
  const agg = await getUserAggregate(deps.db, name);
  if (agg === null) throw new ApiError(404, `No such user: ${name}`);
  return agg;
}

/** One user's model for the caller, as GET /users/{name} returns it. */
export async function oneUserModel(deps: ApiDeps, caller: Principal, url: URL, name: string): Promise<Record<string, unknown>> {
  const agg = await findUserAggregate(deps, name);
  const [model] = userModels(deps, caller, url, [agg]);
  return model ?? {};
}

/** user.get_auth_state() for a model; only GET and PATCH /users/{name} decrypt it (lists keep the null placeholder). */
export async function storedAuthState(deps: ApiDeps, name: string): Promise<unknown> {
  const user = await getUserByName(deps.db, name);
  return user === null ? null : getAuthState(deps.db, cryptKeeperFor(deps.config.CryptKeeper), user, deps.log);
}
