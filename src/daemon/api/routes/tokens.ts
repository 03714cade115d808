/**
 * A user's API tokens (apihandlers/users.py UserTokenListAPIHandler, UserTokenAPIHandler): list (expired ones are
 * deleted on sight), create (scopes or roles, checked against the owner's own scopes), read and revoke by `a<id>`.
 */
import { ApiError, isoZ, readJsonRequest, sendJson, sendPlain } from '../http-util.js';
import type { Router } from '../router.js';
import type { ApiDeps } from '../api-service.js';
import type { Principal } from '../../auth/principal.js';
import { getUserByName, type UserRow } from '../../db/users-repo.js';
import { getToken, listTokens, deleteTokensById, revokeToken, type TokenRow } from '../../db/tokens-repo.js';
import { needsGroups, scopeFilterFor } from '../../auth/scopes/index.js';
import { groupNamesOfUserName } from '../../db/groups-repo.js';
import { isExpired } from '../models/token-model.js';
import { pythonInt } from '../pagination.js';
import { authorizeTarget, callerName, scopesFor } from './guard.js';
import { isObject } from './body.js';
import { tokenModels } from './token-view.js';
import { createTokenFor } from './token-create.js';

async function findUser(deps: ApiDeps, name: string): Promise<UserRow> {
  const user = await getUserByName(deps.db, name);
  if (!user) throw new ApiError(404, `No such user: ${name}`);
  return user;
}

/** `find_token_by_id`: `a<N>` of this user, else 404 whatever the reason. */
async function findTokenById(deps: ApiDeps, user: UserRow, id: string): Promise<TokenRow> {
  const n = id.startsWith('a') ? pythonInt(id.slice(1)) : undefined;
  const token = n === undefined ? null : await getToken(deps.db, n);
  if (token === null || token.user_id !== user.id) throw new ApiError(404, `No such token ${id} for user ${user.name}`);
  return token;
}

async function listUserTokens(deps: ApiDeps, user: UserRow): Promise<Record<string, unknown>[]> {
  const all = await listTokens(deps.db, { userId: user.id });
  const now = new Date();
  await deleteTokensById(deps.db, all.filter((t) => isExpired(t, now)).map((t) => t.id));
  const live = all.filter((t) => !isExpired(t, now));
  // JupyterHub sorts by last use, falling back to creation for tokens never used.
  const when = (t: TokenRow): number => (t.last_activity ?? t.created)?.getTime() ?? 0;
  live.sort((a, b) => when(a) - when(b) || a.id - b.id);
  return tokenModels(deps, user, live);
}

/** POST is not @needs_scope in JupyterHub: a caller without `tokens` on the user gets 403, even for a missing user. */
async function mayMakeTokens(deps: ApiDeps, caller: Principal, name: string, user: UserRow | null): Promise<boolean> {
  if (user === null) return false;
  const groups = needsGroups(caller.scopes, 'tokens') ? await groupNamesOfUserName(deps.db, name) : [];
  return scopeFilterFor(caller.scopes, 'tokens')({ kind: 'user', name, groups });
}

export function registerTokenRoutes(router: Router, deps: ApiDeps): void {
  const listScopes = scopesFor('GET', '/users/:user/tokens');
  const readScopes = scopesFor('GET', '/users/:user/tokens/:token');
  const deleteScopes = scopesFor('DELETE', '/users/:user/tokens/:token');

  router.add('GET', 'api/users/:name/tokens', async (ctx) => {
    const name = ctx.params.name ?? '';
    await authorizeTarget(deps.db, ctx.caller, listScopes, { user: name });
    sendJson(ctx.res, 200, { api_tokens: await listUserTokens(deps, await findUser(deps, name)) });
  });

  router.add('POST', 'api/users/:name/tokens', async (ctx) => {
    const name = ctx.params.name ?? '';
    const raw = await readJsonRequest(ctx.req);
    const body = raw === undefined || raw === null || raw === false || raw === 0 || raw === '' ? {} : raw;
    if (!isObject(body)) throw new ApiError(400, 'Body must be a JSON dict or empty');
    // JupyterHub 3.0 would hand an unauthenticated body's `auth` to the Authenticator; hub refuses (see README).
    if (ctx.caller.kind === 'anonymous') throw new ApiError(403, 'Forbidden: authenticate with a token to create tokens');
    const user = await getUserByName(deps.db, name);
    if (!(await mayMakeTokens(deps, ctx.caller, name, user)) || user === null) {
      const kind = ctx.caller.kind === 'service' ? 'Service' : 'User';
      throw new ApiError(403, `${kind} ${name} not found or no permissions to generate tokens`);
    }
    sendJson(ctx.res, 201, await createTokenFor(deps, ctx.caller, user, body));
  });

  router.add('GET', 'api/users/:name/tokens/:id*', async (ctx) => {
    const name = ctx.params.name ?? '';
    await authorizeTarget(deps.db, ctx.caller, readScopes, { user: name });
    const user = await findUser(deps, name);
    const token = await findTokenById(deps, user, ctx.params.id ?? '');
    const [model] = await tokenModels(deps, user, [token]);
    sendJson(ctx.res, 200, model);
  });

  router.add('DELETE', 'api/users/:name/tokens/:id*', async (ctx) => {
    const name = ctx.params.name ?? '';
    await authorizeTarget(deps.db, ctx.caller, deleteScopes, { user: name });
    const user = await findUser(deps, name);
    const token = await findTokenById(deps, user, ctx.params.id ?? '');
    await revokeToken(deps.db, token);
    deps.identity.invalidate();
    deps.log.info(`${callerName(ctx.caller) ?? ctx.caller.kind} revoked token a${token.id} of ${name}`);
    sendPlain(ctx.res, 204);
  });
}

/**
 * hub's own listing of every token (/hub/ext/tokens, for `hub tokens ls`): raw stored scopes and the 4-character
 * prefix that identifies a token to its owner; kept beside the JupyterHub routes under its former name.
 */
export function tokenModel(t: TokenRow, owner: { user?: string; service?: string }): Record<string, unknown> {
  return {
    ...(owner.user !== undefined ? { user: owner.user } : { service: owner.service }),
    id: `a${t.id}`,
    kind: 'api_token',
    roles: [],
    scopes: t.scopes,
    created: isoZ(t.created),
    last_activity: isoZ(t.last_activity),
    expires_at: isoZ(t.expires_at),
    note: t.note,
    session_id: t.session_id,
    oauth_client: t.client_id ?? 'jupyterhub',
    prefix: t.prefix,
  };
}

export { isExpired };
