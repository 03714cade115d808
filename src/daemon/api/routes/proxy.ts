/**
 * /proxy (apihandlers/proxy.py): the proxy's routing table (paged by sorted route spec), a resync, and PATCH to
 * point the hub at a new proxy. The proxy itself is the proxy stage's; it is reached through ProxyControl, and a hub
 * without one answers 503.
 */
import { ApiError, readJsonRequest, sendEmpty, sendJson } from '../http-util.js';
import type { Router } from '../router.js';
import type { ApiDeps } from '../api-service.js';
import { paginated, pageLimitsOf, parsePaging } from '../pagination.js';
import { authorizeTarget, scopesFor } from './guard.js';
import { isObject } from './body.js';
import { isHubError } from '../../../lib/errors.js';

/** What the API needs of the proxy the hub drives. */
export interface ProxyControl {
  /** CHP's routing table: route spec -> route data (target, user, server_name, last_activity...). */
  getRoutes(): Promise<Record<string, unknown>>;
  /** Make the proxy's routes match the hub's servers and services (JupyterHub's check_routes). */
  sync(): Promise<void>;
  /** A new proxy took over: talk to it at apiUrl with token (either may be unchanged), then sync. */
  reconfigure(apiUrl?: string, token?: string): Promise<void>;
}

function proxyOf(deps: ApiDeps): ProxyControl {
  if (!deps.proxy) throw new ApiError(503, 'no proxy configured');
  return deps.proxy;
}

/**
 * A proxy that does not answer (stopped, hung, gone, refusing the hub's token) is the proxy's failure, not the
 * hub's: 503 with what the proxy client found, as one log line. JupyterHub answers 500 here.
 */
async function viaProxy<T>(deps: ApiDeps, what: string, op: (proxy: ProxyControl) => Promise<T>): Promise<T> {
  const proxy = proxyOf(deps);
  try {
    return await op(proxy);
  } catch (err) {
    if (!isHubError(err)) throw err;
    deps.log.warn(`${what}: ${err.message}`);
    throw new ApiError(503, `${what}: ${err.message}`);
  }
}

async function patchBody(req: Parameters<typeof readJsonRequest>[0]): Promise<{ apiUrl?: string; token?: string }> {
  let model: unknown;
  try {
    model = await readJsonRequest(req);
  } catch (err) {
    if (err instanceof ApiError && err.status === 400) throw new ApiError(400, 'Request body must be JSON dict');
    throw err;
  }
  if (model === undefined) throw new ApiError(400, 'need JSON body');
  if (!isObject(model)) throw new ApiError(400, 'Request body must be JSON dict');
  const { api_url: apiUrl, auth_token: token } = model;
  if (apiUrl !== undefined && typeof apiUrl !== 'string') throw new ApiError(400, 'api_url must be a string');
  if (token !== undefined && typeof token !== 'string') throw new ApiError(400, 'auth_token must be a string');
  if (typeof apiUrl === 'string' && !/^https?:\/\/[^/]/.test(apiUrl)) throw new ApiError(400, `api_url must be an http(s) URL, not ${JSON.stringify(apiUrl)}`);
  return { ...(apiUrl !== undefined ? { apiUrl } : {}), ...(token !== undefined ? { token } : {}) };
}

export function registerProxyRoutes(router: Router, deps: ApiDeps): void {
  const getScopes = scopesFor('GET', '/proxy');
  const postScopes = scopesFor('POST', '/proxy');
  const patchScopes = scopesFor('PATCH', '/proxy');

  router.add('GET', 'api/proxy', async (ctx) => {
    await authorizeTarget(deps.db, ctx.caller, getScopes, {});
    const paging = parsePaging(ctx.url, ctx.req.headers.accept, pageLimitsOf(deps.config.JupyterHub));
    const all = await viaProxy(deps, 'reading the proxy\'s routes', (p) => p.getRoutes());
    const keys = Object.keys(all);
    let routes = all;
    if (!(paging.offset === 0 && keys.length < paging.limit)) {
      routes = Object.fromEntries(keys.sort().slice(paging.offset, paging.offset + paging.limit).map((k) => [k, all[k]]));
    }
    sendJson(ctx.res, 200, paginated(routes, keys.length, paging, ctx.url));
  });

  router.add('POST', 'api/proxy', async (ctx) => {
    await authorizeTarget(deps.db, ctx.caller, postScopes, {});
    await viaProxy(deps, 'syncing the proxy\'s routes', (p) => p.sync());
    sendEmpty(ctx.res, 200);
  });

  router.add('PATCH', 'api/proxy', async (ctx) => {
    await authorizeTarget(deps.db, ctx.caller, patchScopes, {});
    proxyOf(deps);
    const change = await patchBody(ctx.req);
    await viaProxy(deps, `updating the proxy${change.apiUrl ? ` at ${change.apiUrl}` : ''}`, (p) => p.reconfigure(change.apiUrl, change.token));
    deps.log.info(`Updated proxy${change.apiUrl ? ` at ${change.apiUrl}` : ''}`);
    sendEmpty(ctx.res, 200);
  });
}
