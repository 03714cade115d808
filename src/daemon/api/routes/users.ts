/**
 * GET /users (list), POST /users (create many), GET /users/{name}: apihandlers/users.py UserListAPIHandler and
 * UserAPIHandler.get. Lists are filtered, sorted and paged in SQL.
 */
import { ApiError, readJsonRequest, sendJson } from '../http-util.js';
import type { Router } from '../router.js';
import type { ApiDeps } from '../api-service.js';
import type { Principal } from '../../auth/principal.js';
import { ALL } from '../../auth/scopes/index.js';
import { insertUsers } from '../../db/users-repo.js';
import { pageLimitsOf, paginated, parsePaging, queryArg } from '../pagination.js';
import { userAggregatesByIds } from '../models/user-query.js';
import { queryUserPage, type UserListQuery } from '../models/user-list-query.js';
import { isValidUsername, normalizeUsername } from '../models/names.js';
import { authorizeTarget, callerIsAdmin, scopesFor } from './guard.js';
import { checkModel, conflictAs409, isObject, stringList, truthy, USER_MODEL_TYPES } from './body.js';
import { oneUserModel, storedAuthState, userModels } from './user-view.js';

const SORTABLE = new Set(['id', 'name', 'last_activity']);

/** state, name_filter and sort (5.x) as UserListAPIHandler reads them. */
function listFilters(url: URL): Pick<UserListQuery, 'state' | 'nameContains' | 'sort'> {
  const state = queryArg(url, 'state');
  if (state && state !== 'active' && state !== 'ready' && state !== 'inactive') {
    throw new ApiError(400, `Unrecognized state filter: ${JSON.stringify(state)}`);
  }
  const rawSort = queryArg(url, 'sort') ?? 'id';
  const desc = rawSort.startsWith('-');
  const column = desc ? rawSort.slice(1) : rawSort;
  if (!SORTABLE.has(column)) throw new ApiError(400, `sort must be 'id', 'name', or 'last_activity', not '${rawSort}'`);
  return {
    ...(state ? { state: state as UserListQuery['state'] } : {}),
    ...(queryArg(url, 'name_filter') ? { nameContains: queryArg(url, 'name_filter') } : {}),
    sort: { column: column as 'id' | 'name' | 'last_activity', desc },
  };
}

/** A filtered list:users restricts the query; filters other than user/group would widen it, so they are refused. */
function listScopeFilter(caller: Principal): Pick<UserListQuery, 'onlyNames' | 'onlyGroups'> {
  const grant = caller.scopes.parsed.get('list:users');
  if (grant === undefined || grant === ALL) return {};
  if ([...grant.keys()].some((k) => k !== 'user' && k !== 'group')) throw new ApiError(403, 'Forbidden');
  return { onlyNames: [...(grant.get('user') ?? [])], onlyGroups: [...(grant.get('group') ?? [])] };
}

async function listUsers(deps: ApiDeps, caller: Principal, url: URL, accept: string | undefined): Promise<unknown> {
  const filters = listFilters(url);
  const paging = parsePaging(url, accept, pageLimitsOf(deps.config.JupyterHub));
  const { users, total } = await queryUserPage(deps.db, { offset: paging.offset, limit: paging.limit, ...filters, ...listScopeFilter(caller) });
  // `ready` cannot be told in SQL (it is the server manager's knowledge): filtered after paging, as JupyterHub does.
  const page = filters.state === 'ready' ? users.filter((u) => u.spawners.some((s) => deps.servers.runtime(u.name, s.name).ready)) : users;
  const items = userModels(deps, caller, url, page).filter((m) => Object.keys(m).length > 0);
  return paginated(items, total, paging, url);
}

async function createUsers(deps: ApiDeps, caller: Principal, url: URL, body: unknown): Promise<unknown[]> {
  if (!isObject(body) || !truthy(body.usernames)) throw new ApiError(400, 'Must specify at least one user to create');
  const { usernames, ...rest } = body;
  const requested = stringList(usernames, 'usernames');
  const admin = checkModel(rest, USER_MODEL_TYPES, 'user').admin === true;
  if (admin && !callerIsAdmin(caller)) throw new ApiError(403, 'Only admins can grant admin permissions');
  const rules = deps.config.Authenticator;
  const normalized = [...new Set(requested.map((n) => normalizeUsername(rules, n)))];
  const invalid = normalized.filter((n) => !isValidUsername(rules, n));
  if (invalid.length === 1) throw new ApiError(400, `Invalid username: ${invalid[0]}`);
  if (invalid.length > 1) throw new ApiError(400, `Invalid usernames: ${invalid.join(', ')}`);
  const existing = new Set<unknown>();
  for (let i = 0; i < normalized.length; i += 500) {
    for (const n of (await deps.db('users').whereIn('name', normalized.slice(i, i + 500)).pluck('name')) as unknown[]) existing.add(n);
  }
  const toCreate = normalized.filter((n) => !existing.has(n));
  if (toCreate.length === 0) throw new ApiError(409, `All ${requested.length} users already exist`);
  const created = await conflictAs409('Some of these users were created by another request meanwhile; retry', () => insertUsers(deps.db, toCreate, admin));
  if (existing.size > 0) deps.log.warn(`Users already exist, not created: ${[...existing].join(', ')}`);
  deps.log.info(`Created ${created.length} user(s) via the API`);
  return userModels(deps, caller, url, await userAggregatesByIds(deps.db, created.map((u) => u.id)));
}

export function registerUserRoutes(router: Router, deps: ApiDeps): void {
  const listScopes = scopesFor('GET', '/users');
  const createScopes = scopesFor('POST', '/users');
  const readScopes = scopesFor('GET', '/users/:user');

  router.add('GET', 'api/users', async (ctx) => {
    await authorizeTarget(deps.db, ctx.caller, listScopes, {});
    sendJson(ctx.res, 200, await listUsers(deps, ctx.caller, ctx.url, ctx.req.headers.accept));
  });

  router.add('POST', 'api/users', async (ctx) => {
    await authorizeTarget(deps.db, ctx.caller, createScopes, {});
    const body = await readJsonRequest(ctx.req);
    sendJson(ctx.res, 201, await createUsers(deps, ctx.caller, ctx.url, body));
  });

  router.add('GET', 'api/users/:name', async (ctx) => {
    const name = ctx.params.name ?? '';
    await authorizeTarget(deps.db, ctx.caller, readScopes, { user: name });
    const model = await oneUserModel(deps, ctx.caller, ctx.url, name);
    // The key survives the scope filter only for holders of admin:auth_state on this user.
    if ('auth_state' in model) model.auth_state = await storedAuthState(deps, name);
    sendJson(ctx.res, 200, model);
  });
}
