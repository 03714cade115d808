import { ApiError, isoZ, sendJson } from '../http-util.js';
import type { Router } from '../router.js';
import { requireScope, type ApiDeps } from '../api-service.js';
import { getUserByName } from '../../db/users-repo.js';
import { listTokens, type TokenRow } from '../../db/tokens-repo.js';

/** JupyterHub's token model; never the secret, which exists only hashed. */
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

export function isExpired(t: TokenRow, now = new Date()): boolean {
  return t.expires_at !== null && t.expires_at.getTime() < now.getTime();
}

export function registerTokenRoutes(router: Router, deps: ApiDeps): void {
  router.add('GET', 'api/users/:name/tokens', async (ctx) => {
    const name = ctx.params.name ?? '';
    requireScope(ctx.caller, ['read:tokens'], { user: name });
    const user = await getUserByName(deps.db, name);
    if (!user) throw new ApiError(404, `No such user: ${name}`);
    const tokens = (await listTokens(deps.db, { userId: user.id })).filter((t) => !isExpired(t));
    // JupyterHub 3.0 does not expose the prefix; keep the model identical on the JupyterHub path.
    const models = tokens.map((t) => {
      const { prefix: _prefix, ...rest } = tokenModel(t, { user: name });
      return rest;
    });
    sendJson(ctx.res, 200, { api_tokens: models });
  });
}
