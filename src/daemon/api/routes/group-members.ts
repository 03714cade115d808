/**
 * A group's members (apihandlers/groups.py GroupUsersAPIHandler: body `{"users": [...]}`) and its properties
 * (JupyterHub 3.2/4.0's GroupPropertiesAPIHandler: PUT replaces them with a JSON dict). Each reply is the group model.
 */
import { ApiError, readJsonRequest, sendJson } from '../http-util.js';
import type { Router } from '../router.js';
import type { ApiDeps } from '../api-service.js';
import { addGroupMembers, removeGroupMembers, setGroupProperties } from '../../db/groups-repo.js';
import { authorizeTarget, scopesFor } from './guard.js';
import { checkModel, GROUP_MODEL_TYPES, isObject, stringList } from './body.js';
import { checkGroupsManagedHere, findGroup, groupReply, usernamesToIds } from './group-lookup.js';

async function memberIds(deps: ApiDeps, body: unknown, verb: 'add' | 'delete'): Promise<number[]> {
  const data = checkModel(body ?? null, GROUP_MODEL_TYPES, 'group');
  if (!('users' in data)) throw new ApiError(400, `Must specify users to ${verb}`);
  return usernamesToIds(deps, stringList(data.users, 'users'));
}

export function registerGroupMemberRoutes(router: Router, deps: ApiDeps): void {
  const addScopes = scopesFor('POST', '/groups/:group/users');
  const removeScopes = scopesFor('DELETE', '/groups/:group/users');
  const propertyScopes = scopesFor('PUT', '/groups/:group/properties');

  router.add('POST', 'api/groups/:name/users', async (ctx) => {
    const name = ctx.params.name ?? '';
    await authorizeTarget(deps.db, ctx.caller, addScopes, { group: name });
    checkGroupsManagedHere(deps);
    const group = await findGroup(deps, name);
    const ids = await memberIds(deps, await readJsonRequest(ctx.req), 'add');
    await addGroupMembers(deps.db, group.id, ids);
    deps.identity.invalidate();
    deps.log.info(`Added ${ids.length} user(s) to group ${name}`);
    sendJson(ctx.res, 200, await groupReply(deps, ctx.caller, name));
  });

  router.add('DELETE', 'api/groups/:name/users', async (ctx) => {
    const name = ctx.params.name ?? '';
    await authorizeTarget(deps.db, ctx.caller, removeScopes, { group: name });
    checkGroupsManagedHere(deps);
    const group = await findGroup(deps, name);
    const ids = await memberIds(deps, await readJsonRequest(ctx.req), 'delete');
    await removeGroupMembers(deps.db, group.id, ids);
    deps.identity.invalidate();
    deps.log.info(`Removed ${ids.length} user(s) from group ${name}`);
    sendJson(ctx.res, 200, await groupReply(deps, ctx.caller, name));
  });

  router.add('PUT', 'api/groups/:name/properties', async (ctx) => {
    const name = ctx.params.name ?? '';
    await authorizeTarget(deps.db, ctx.caller, propertyScopes, { group: name });
    await findGroup(deps, name);
    const data = await readJsonRequest(ctx.req);
    if (!isObject(data)) throw new ApiError(400, 'Must specify properties');
    await setGroupProperties(deps.db, name, data);
    deps.log.info(`Updated properties of group ${name}`);
    sendJson(ctx.res, 200, await groupReply(deps, ctx.caller, name));
  });
}
