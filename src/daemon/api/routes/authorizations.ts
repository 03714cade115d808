/**
 * The deprecated identify endpoints JupyterHub 3.0 still serves (apihandlers/auth.py), for old services:
 * - `GET /authorizations/token/{token}`: the owner of another token (the caller may always identify it);
 * - `GET /authorizations/cookie/{name}[/{value}]`: the user of a hub login cookie (value in the path or body);
 * - `POST /authorizations/token`: removed in 2.0, answers 404 saying what to use instead.
 * Both GETs need a token-authenticated caller (`@token_authenticated`: a login cookie is not enough).
 */
import type http from 'node:http';
import { ApiError, MAX_BODY_BYTES, sendJson } from '../http-util.js';
import type { RequestContext, Router } from '../router.js';
import type { ApiDeps } from '../api-service.js';
import { findToken, touchToken } from '../../db/tokens-repo.js';
import { touchUserActivity } from '../../db/users-repo.js';
import { getServiceById } from '../../db/services-repo.js';
import { LOGIN_COOKIE } from '../../auth/sessions.js';
import { pyQuote } from '../../auth/oauth/client-ids.js';
import { serviceModel, userModel, withIdentify, type ModelDeps } from '../../auth/oauth/identity-model.js';

function requireTokenCaller(ctx: RequestContext): void {
  const c = ctx.caller;
  const byToken = c.kind === 'operator' || ((c.kind === 'user' || c.kind === 'service') && c.token !== null);
  if (!byToken) throw new ApiError(403, 'Forbidden');
}

async function bodyText(req: http.IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) {
    text += (chunk as Buffer).toString('utf8');
    if (text.length > MAX_BODY_BYTES) throw new ApiError(413, `request body larger than ${MAX_BODY_BYTES} bytes`);
  }
  return text;
}

export function registerAuthorizationRoutes(router: Router, deps: ApiDeps): void {
  const modelDeps = (): ModelDeps => ({ db: deps.db, servers: deps.servers, baseUrl: deps.baseUrl, subdomainHost: deps.config.JupyterHub.subdomain_host });

  router.add('GET', 'api/authorizations/token/:token', async (ctx) => {
    requireTokenCaller(ctx);
    deps.log.warn('/authorizations/token/:token endpoint is deprecated in JupyterHub 2.0. Use /api/user');
    const found = await findToken(deps.db, ctx.params.token ?? '');
    if (!found) throw new ApiError(404, 'Not Found');
    const now = new Date();
    await touchToken(deps.db, found.token.id, now);
    if (found.user) {
      await touchUserActivity(deps.db, found.user.id, now);
      const held = withIdentify(ctx.caller.scopes, { kind: 'user', name: found.user.name });
      return sendJson(ctx.res, 200, await userModel(modelDeps(), found.user, held.scopes));
    }
    const service = found.service ? await getServiceById(deps.db, found.service.id) : null;
    if (!service) throw new ApiError(404, 'Not Found');
    const held = withIdentify(ctx.caller.scopes, { kind: 'service', name: service.name });
    sendJson(ctx.res, 200, await serviceModel(modelDeps(), service, held.scopes));
  });

  router.add('POST', 'api/authorizations/token', async () => {
    throw new ApiError(404, 'Deprecated endpoint /hub/api/authorizations/token is removed in JupyterHub 2.0. Use /hub/api/users/:user/tokens instead.');
  });

  const byCookie = async (ctx: RequestContext, value: string): Promise<void> => {
    requireTokenCaller(ctx);
    deps.log.warn('/authorizations/cookie endpoint is deprecated in JupyterHub 2.0. Use /api/user with OAuth tokens.');
    // Only the hub's own login cookie identifies anyone; its signature binds the name, so no other name verifies.
    if (pyQuote(ctx.params.name ?? '').replaceAll('/', '%2F') !== LOGIN_COOKIE || !deps.sessions || value === '') throw new ApiError(404, 'Not Found');
    // The session manager reads cookies from a request; this one carries just the cookie under test.
    const probe = { headers: { cookie: `${LOGIN_COOKIE}=${value}` } } as unknown as http.IncomingMessage;
    const found = await deps.sessions.userFromRequest(probe);
    if (!found) throw new ApiError(404, 'Not Found');
    sendJson(ctx.res, 200, await userModel(modelDeps(), found.user, ctx.caller.scopes));
  };
  router.add('GET', 'api/authorizations/cookie/:name/:value', (ctx) => byCookie(ctx, ctx.params.value ?? ''));
  router.add('GET', 'api/authorizations/cookie/:name', async (ctx) => byCookie(ctx, (await bodyText(ctx.req)).trim()));
}
