/**
 * POST, PATCH and DELETE /users/{name}: apihandlers/users.py UserAPIHandler, with JupyterHub 4.1's guard against
 * admin escalation (only admins grant admin or modify admins) and checks JupyterHub 3.0 lacks where it would crash or
 * leave a user it cannot serve: renamed names are validated, renaming a user with active servers is refused, and a
 * user is deleted only after all its servers (not just the default one) have stopped.
 */
import { ApiError, readJsonRequest, sendEmpty, sendJson } from '../http-util.js';
import type { Router } from '../router.js';
import type { ApiDeps } from '../api-service.js';
import type { Principal } from '../../auth/principal.js';
import { deleteUserEverywhere, getUserByName, insertUsers, updateUser, type UserRow } from '../../db/users-repo.js';
import { usernameProblem } from '../models/names.js';
import { getUserAggregate } from '../models/user-query.js';
import { authorizeTarget, callerIsAdmin, callerName, scopesFor } from './guard.js';
import { checkModel, conflictAs409, truthy, USER_MODEL_TYPES, type JsonObject } from './body.js';
import { findUserAggregate, oneUserModel, storedAuthState, userModels } from './user-view.js';
import { cryptKeeperFor } from '../../auth/crypt-keeper.js';

async function createOne(deps: ApiDeps, caller: Principal, name: string, body: unknown): Promise<UserRow> {
  if (await getUserByName(deps.db, name)) throw new ApiError(409, `User ${name} already exists`);
  // `if data: _check_user_model(data)`: an empty body of any JSON type ({}, [], "", 0, false) means no model.
  const data = truthy(body) ? checkModel(body, USER_MODEL_TYPES, 'user') : {};
  if (data.admin === true && !callerIsAdmin(caller)) throw new ApiError(403, 'Only admins can grant admin permissions');
  // JupyterHub creates the user and then lets Authenticator.add_user validate the name, answering this on failure.
  const problem = usernameProblem(deps.config.Authenticator, name);
  if (problem) throw new ApiError(400, `Failed to create user: ${name}: ${problem}`);
  const [user] = await conflictAs409(`User ${name} already exists`, () => insertUsers(deps.db, [name], data.admin === true));
  if (!user) throw new ApiError(409, `User ${name} already exists`);
  return user;
}

function activeServers(deps: ApiDeps, user: string, spawners: readonly { name: string }[]): string[] {
  const names = new Set(['', ...spawners.map((s) => s.name)]);
  return [...names].filter((n) => !deps.servers.runtime(user, n).stopped);
}

async function checkPatch(deps: ApiDeps, caller: Principal, user: UserRow, data: JsonObject): Promise<void> {
  if (!callerIsAdmin(caller)) {
    if (user.admin) throw new ApiError(403, 'Only admins can modify other admins');
    if (data.admin === true) throw new ApiError(403, 'Only admins can grant admin permissions');
  }
  if (data.groups !== undefined || data.roles !== undefined) {
    throw new ApiError(400, 'groups and roles cannot be set here: use POST/DELETE /groups/{name}/users and load_roles');
  }
  // JupyterHub answers 500 (EncryptionUnavailable) here; the caller can do nothing about it but read why.
  if (data.auth_state !== undefined && data.auth_state !== null && !cryptKeeperFor(deps.config.CryptKeeper).available) {
    throw new ApiError(400, 'auth_state cannot be stored: no encryption keys are configured (JUPYTERHUB_CRYPT_KEY or CryptKeeper.keys)');
  }
}

async function checkRename(deps: ApiDeps, user: UserRow, newName: string): Promise<void> {
  if (await getUserByName(deps.db, newName)) throw new ApiError(400, `User ${newName} already exists, username must be unique`);
  const problem = usernameProblem(deps.config.Authenticator, newName);
  if (problem) throw new ApiError(400, `Invalid username: ${newName}: ${problem}`);
  const agg = await findUserAggregate(deps, user.name);
  const active = activeServers(deps, user.name, agg.spawners);
  // Their routes, OAuth clients and URLs carry the old name: renaming under them would strand them.
  if (active.length > 0) throw new ApiError(400, `Cannot rename ${user.name} while servers are active (${active.map((s) => s || '(default)').join(', ')}); stop them first`);
}

async function patchUser(deps: ApiDeps, caller: Principal, url: URL, name: string, body: unknown): Promise<unknown> {
  const user = await getUserByName(deps.db, name);
  if (!user) throw new ApiError(404, `No such user: ${name}`);
  const data = checkModel(body ?? null, USER_MODEL_TYPES, 'user');
  await checkPatch(deps, caller, user, data);
  const newName = typeof data.name === 'string' && data.name !== name ? data.name : undefined;
  if (newName !== undefined) await checkRename(deps, user, newName);
  const updated = await conflictAs409(`User ${newName ?? name} already exists, username must be unique`, () => updateUser(deps.db, user.id, {
    ...(newName !== undefined ? { name: newName } : {}),
    ...(typeof data.admin === 'boolean' ? { admin: data.admin } : {}),
    ...(data.auth_state !== undefined ? { encryptedAuthState: data.auth_state === null ? null : cryptKeeperFor(deps.config.CryptKeeper).encrypt(data.auth_state) } : {}),
  }));
  deps.identity.invalidate();
  if (!updated) throw new ApiError(404, `No such user: ${name}`);
  deps.log.info(`${callerName(caller) ?? caller.kind} updated user ${name}: ${Object.keys(data).join(', ')}`);
  const agg = await getUserAggregate(deps.db, updated.name);
  const [model] = agg ? userModels(deps, caller, url, [agg]) : [];
  // JupyterHub adds the decrypted auth_state to the PATCH reply whatever the caller's scopes.
  return { ...(model ?? {}), auth_state: await storedAuthState(deps, updated.name) };
}

async function deleteUser(deps: ApiDeps, caller: Principal, name: string): Promise<void> {
  const agg = await findUserAggregate(deps, name);
  const user = await getUserByName(deps.db, name);
  if (!user) throw new ApiError(404, `No such user: ${name}`);
  if (name === callerName(caller)) throw new ApiError(400, 'Cannot delete yourself!');
  const stopping = `${name}'s server is in the process of stopping, please wait.`;
  if (deps.servers.runtime(name, '').pending === 'stop') throw new ApiError(400, stopping);
  // Every server, named ones included (JupyterHub 3.0 stops only the default one and then fails on the others).
  await deps.servers.stopAll(user);
  if (activeServers(deps, name, agg.spawners).length > 0) throw new ApiError(400, stopping);
  await deleteUserEverywhere(deps.db, user.id);
  deps.identity.invalidate();
  deps.log.info(`${callerName(caller) ?? caller.kind} deleted user ${name}`);
}

export function registerUserWriteRoutes(router: Router, deps: ApiDeps): void {
  const createScopes = scopesFor('POST', '/users/:user');
  const patchScopes = scopesFor('PATCH', '/users/:user');
  const deleteScopes = scopesFor('DELETE', '/users/:user');

  router.add('POST', 'api/users/:name', async (ctx) => {
    const name = ctx.params.name ?? '';
    await authorizeTarget(deps.db, ctx.caller, createScopes, { user: name });
    await createOne(deps, ctx.caller, name, await readJsonRequest(ctx.req));
    deps.log.info(`${callerName(ctx.caller) ?? ctx.caller.kind} created user ${name}`);
    sendJson(ctx.res, 201, await oneUserModel(deps, ctx.caller, ctx.url, name));
  });

  router.add('PATCH', 'api/users/:name', async (ctx) => {
    const name = ctx.params.name ?? '';
    await authorizeTarget(deps.db, ctx.caller, patchScopes, { user: name });
    sendJson(ctx.res, 200, await patchUser(deps, ctx.caller, ctx.url, name, await readJsonRequest(ctx.req)));
  });

  router.add('DELETE', 'api/users/:name', async (ctx) => {
    const name = ctx.params.name ?? '';
    await authorizeTarget(deps.db, ctx.caller, deleteScopes, { user: name });
    await deleteUser(deps, ctx.caller, name);
    sendEmpty(ctx.res, 204);
  });
}
