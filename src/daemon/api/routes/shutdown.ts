/**
 * POST /shutdown (apihandlers/hub.py ShutdownAPIHandler): `{servers, proxy}` choose whether user servers and the
 * proxy stop with the hub (defaults: cleanup_servers, cleanup_proxy). The reply goes out first; then the hub stops.
 */
import { ApiError, readJsonRequest, sendJson } from '../http-util.js';
import type { Router } from '../router.js';
import type { ApiDeps } from '../api-service.js';
import { authorizeTarget, callerName, scopesFor } from './guard.js';
import { isObject, truthy } from './body.js';

export interface ShutdownOptions {
  /** Stop user servers too (JupyterHub.cleanup_servers for this shutdown); undefined = as configured. */
  servers?: boolean;
  /** Stop the proxy too (JupyterHub.cleanup_proxy for this shutdown); undefined = as configured. */
  proxy?: boolean;
}

function flag(data: Record<string, unknown>, key: 'servers' | 'proxy'): boolean | undefined {
  if (!(key in data)) return undefined;
  const v = data[key];
  // Python's `v not in {True, False}` lets 1 and 0 through, as equal to True and False.
  if (v === true || v === 1) return true;
  if (v === false || v === 0) return false;
  throw new ApiError(400, `${key} must be true or false, got ${JSON.stringify(v)}`);
}

export function registerShutdownRoutes(router: Router, deps: ApiDeps): void {
  const anyOf = scopesFor('POST', '/shutdown');
  router.add('POST', 'api/shutdown', async (ctx) => {
    await authorizeTarget(deps.db, ctx.caller, anyOf, {});
    const data = await readJsonRequest(ctx.req);
    const opts: ShutdownOptions = {};
    if (truthy(data) && !isObject(data)) throw new ApiError(400, 'body must be a JSON dict like {"servers": false}');
    if (isObject(data)) {
      const proxy = flag(data, 'proxy');
      const servers = flag(data, 'servers');
      if (proxy !== undefined) opts.proxy = proxy;
      if (servers !== undefined) opts.servers = servers;
    }
    const shutdown = deps.shutdown;
    if (!shutdown) throw new ApiError(503, 'this hub cannot be shut down through the API');
    deps.log.info(`Shutdown requested by ${callerName(ctx.caller) ?? ctx.caller.kind}`);
    ctx.res.on('finish', () => setImmediate(() => shutdown(opts)));
    sendJson(ctx.res, 202, { message: 'Shutting down Hub' });
  });
}
