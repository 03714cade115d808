/**
 * `GET /hub/api/user` (apihandlers/users.py SelfAPIHandler): who owns the token (or login cookie) of this
 * request. Any token may identify its owner; the model is filtered by the token's scopes plus identification,
 * then gets `session_id` (the token's login session, null without a token) and `scopes`: the token's expanded
 * scopes, without those added just to identify. jupyterhub-singleuser checks `scopes` against its access scopes
 * (jupyterhub-facts 3.4). No token, or an unknown one: 403, which clients read as "no user".
 */
import { ApiError, sendJson } from '../http-util.js';
import type { Router } from '../router.js';
import type { ApiDeps } from '../api-service.js';
import { serviceModel, userModel, withIdentify, type ModelDeps } from '../../auth/oauth/identity-model.js';
import { shownScopes } from '../../auth/scopes/index.js';

export function registerWhoamiRoutes(router: Router, deps: ApiDeps): void {
  const modelDeps = (): ModelDeps => ({ db: deps.db, servers: deps.servers, baseUrl: deps.baseUrl, subdomainHost: deps.config.JupyterHub.subdomain_host });

  router.add('GET', 'api/user', async (ctx) => {
    const caller = ctx.caller;
    let model: Record<string, unknown>;
    let added: Set<string>;
    if (caller.kind === 'user') {
      const held = withIdentify(caller.scopes, { kind: 'user', name: caller.user.name });
      added = held.added;
      model = await userModel(modelDeps(), caller.user, held.scopes);
    } else if (caller.kind === 'service') {
      const held = withIdentify(caller.scopes, { kind: 'service', name: caller.service.name });
      added = held.added;
      model = await serviceModel(modelDeps(), caller.service, held.scopes);
    } else {
      throw new ApiError(403, 'Forbidden');
    }
    model.session_id = caller.token?.session_id ?? null;
    model.scopes = shownScopes([...caller.scopes.scopes].filter((s) => !added.has(s))).sort();
    sendJson(ctx.res, 200, model);
  });
}
