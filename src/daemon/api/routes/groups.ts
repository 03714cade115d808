/**
 * Groups (apihandlers/groups.py GroupListAPIHandler, GroupAPIHandler): list (paged in SQL, narrowed by a filtered
 * list:groups), create many or one with members, read, delete. Creating several groups is one transaction: an
 * existing name or unknown member leaves nothing behind (JupyterHub commits group by group).
 */
import { ApiError, readJsonRequest, sendEmpty, sendJson } from '../http-util.js';
import type { Router } from '../router.js';
import type { ApiDeps } from '../api-service.js';
import type { Principal } from '../../auth/principal.js';
import { ALL } from '../../auth/scopes/index.js';
import { createGroupsWithMembers, deleteGroup, getGroupByName, groupPage } from '../../db/groups-repo.js';
import { pageLimitsOf, paginated, parsePaging } from '../pagination.js';
import { groupModel } from '../models/group-model.js';
import { checkGroupName } from '../models/names.js';
import { authorizeTarget, scopesFor } from './guard.js';
import { checkModel, conflictAs409, GROUP_MODEL_TYPES, isObject, stringList, truthy } from './body.js';
import { checkGroupsManagedHere, findGroup, groupReply, usernamesToIds } from './group-lookup.js';

/** The groups a filtered list:groups narrows a listing to; undefined: all. */
export function groupListFilter(caller: Principal): readonly string[] | undefined {
  const grant = caller.scopes.parsed.get('list:groups');
  if (grant === undefined || grant === ALL) return undefined;
  // Only !group= narrows a group list; anything else must not widen to all groups.
  if ([...grant.keys()].some((k) => k !== 'group')) throw new ApiError(403, 'Forbidden');
  return [...(grant.get('group') ?? [])];
}

async function createMany(deps: ApiDeps, caller: Principal, body: unknown): Promise<unknown[]> {
  checkGroupsManagedHere(deps);
  if (!isObject(body) || !truthy(body.groups)) throw new ApiError(400, 'Must specify at least one group to create');
  const { groups, ...rest } = body;
  const names = [...new Set(stringList(groups, 'groups'))];
  const model = checkModel(rest, GROUP_MODEL_TYPES, 'group');
  names.forEach(checkGroupName);
  for (const name of names) if (await getGroupByName(deps.db, name)) throw new ApiError(409, `Group ${name} already exists`);
  const userIds = await usernamesToIds(deps, model.users === undefined ? [] : stringList(model.users, 'users'));
  await conflictAs409('A group of that name was created meanwhile', () => createGroupsWithMembers(deps.db, names.map((name) => ({ name, userIds }))));
  deps.identity.invalidate();
  deps.log.info(`Created group(s) ${names.join(', ')} with ${userIds.length} user(s)`);
  return Promise.all(names.map((n) => groupReply(deps, caller, n)));
}

async function createOne(deps: ApiDeps, name: string, body: unknown): Promise<void> {
  checkGroupsManagedHere(deps);
  const model = body === undefined || body === null ? {} : checkModel(body, GROUP_MODEL_TYPES, 'group');
  checkGroupName(name);
  if (await getGroupByName(deps.db, name)) throw new ApiError(409, `Group ${name} already exists`);
  const userIds = await usernamesToIds(deps, model.users === undefined ? [] : stringList(model.users, 'users'));
  await conflictAs409(`Group ${name} already exists`, () => createGroupsWithMembers(deps.db, [{ name, userIds }]));
  deps.identity.invalidate();
  deps.log.info(`Created group ${name} with ${userIds.length} user(s)`);
}

export function registerGroupRoutes(router: Router, deps: ApiDeps): void {
  const listScopes = scopesFor('GET', '/groups');
  const createManyScopes = scopesFor('POST', '/groups');
  const readScopes = scopesFor('GET', '/groups/:group');
  const createScopes = scopesFor('POST', '/groups/:group');
  const deleteScopes = scopesFor('DELETE', '/groups/:group');

  router.add('GET', 'api/groups', async (ctx) => {
    await authorizeTarget(deps.db, ctx.caller, listScopes, {});
    const only = groupListFilter(ctx.caller);
    const paging = parsePaging(ctx.url, ctx.req.headers.accept, pageLimitsOf(deps.config.JupyterHub));
    const { groups, total } = await groupPage(deps.db, { offset: paging.offset, limit: paging.limit, ...(only ? { onlyNames: only } : {}) });
    sendJson(ctx.res, 200, paginated(groups.map((g) => groupModel(ctx.caller.scopes, g)), total, paging, ctx.url));
  });

  router.add('POST', 'api/groups', async (ctx) => {
    await authorizeTarget(deps.db, ctx.caller, createManyScopes, {});
    sendJson(ctx.res, 201, await createMany(deps, ctx.caller, await readJsonRequest(ctx.req)));
  });

  router.add('GET', 'api/groups/:name', async (ctx) => {
    const name = ctx.params.name ?? '';
    await authorizeTarget(deps.db, ctx.caller, readScopes, { group: name });
    sendJson(ctx.res, 200, await groupReply(deps, ctx.caller, name));
  });

  router.add('POST', 'api/groups/:name', async (ctx) => {
    const name = ctx.params.name ?? '';
    await authorizeTarget(deps.db, ctx.caller, createScopes, { group: name });
    await createOne(deps, name, await readJsonRequest(ctx.req));
    sendJson(ctx.res, 201, await groupReply(deps, ctx.caller, name));
  });

  router.add('DELETE', 'api/groups/:name', async (ctx) => {
    const name = ctx.params.name ?? '';
    await authorizeTarget(deps.db, ctx.caller, deleteScopes, { group: name });
    checkGroupsManagedHere(deps);
    await findGroup(deps, name);
    await deleteGroup(deps.db, name);
    deps.identity.invalidate();
    deps.log.info(`Deleted group ${name}`);
    sendEmpty(ctx.res, 204);
  });
}
