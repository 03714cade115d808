/**
 * GET /hub/api (the version, no authentication: jupyterhub-singleuser checks it before anything else), GET /info
 * (apihandlers/hub.py InfoAPIHandler; `python` and `sys_executable` describe the runtime that serves the API, here
 * Node.js), and the health checks.
 */
import { HUB_VERSION, JUPYTERHUB_API_VERSION } from '../../../lib/version.js';
import { ApiError, sendJson } from '../http-util.js';
import type { RequestContext, Router } from '../router.js';
import { PROMETHEUS_CONTENT_TYPE } from '../../metrics/prometheus.js';
import { authorize } from '../../auth/scopes/index.js';
import type { ApiDeps } from '../api-service.js';
import type { ClassValue } from '../../../lib/config/index.js';
import { authorizeTarget, scopesFor } from './guard.js';

/** `{class, version}` as JupyterHub's `_class_info`: a built-in by its JupyterHub-style name, else what was configured. */
function classInfo(value: ClassValue, builtins: Record<string, string>): { class: string; version: string } {
  if (typeof value === 'string') return { class: builtins[value] ?? value, version: builtins[value] ? HUB_VERSION : 'unknown' };
  return { class: value.name || 'anonymous class', version: 'unknown' };
}

const SPAWNERS: Record<string, string> = {
  localprocess: 'hub.spawner.LocalProcessSpawner', default: 'hub.spawner.LocalProcessSpawner', simple: 'hub.spawner.SimpleLocalProcessSpawner',
};
const AUTHENTICATORS: Record<string, string> = {
  pam: 'hub.auth.PAMAuthenticator', default: 'hub.auth.PAMAuthenticator', dummy: 'hub.auth.DummyAuthenticator',
};

export function registerInfoRoutes(router: Router, deps: ApiDeps): void {
  // JupyterHub answers GET /hub/api (no slash) and /hub/api/ alike, with no authentication.
  const version = async ({ res }: RequestContext): Promise<void> => sendJson(res, 200, { version: JUPYTERHUB_API_VERSION });
  router.add('GET', 'api', version);
  router.add('GET', 'api/', version);
  // pages.py HealthCheckHandler (a page handler, also at api/health): an empty 200 with tornado's default type.
  const health = async ({ res }: { res: Parameters<typeof sendJson>[0] }): Promise<void> => {
    res.writeHead(200, { 'content-type': 'text/html; charset=UTF-8', 'content-length': 0 });
    res.end();
  };
  router.add('GET', 'health', health);
  router.add('GET', 'api/health', health);

  // handlers/metrics.py: Prometheus metrics, anonymous unless authenticate_prometheus (default true) demands
  // read:metrics (403 otherwise, also for a browser: JupyterHub's metrics_authentication does not redirect).
  const metricsScopes = scopesFor('GET', '/metrics');
  const metrics = async (ctx: RequestContext): Promise<void> => {
    if (deps.config.JupyterHub.authenticate_prometheus && !authorize(ctx.caller.scopes, metricsScopes).allowed) {
      throw new ApiError(403, "Access to metrics requires scope 'read:metrics'");
    }
    const registry = deps.metrics?.registry;
    if (!registry) throw new ApiError(404, 'no metrics on this door');
    ctx.res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE });
    ctx.res.end(await registry.render());
  };
  router.add('GET', 'metrics', metrics);
  router.add('GET', 'api/metrics', metrics);

  const infoScopes = scopesFor('GET', '/info');
  router.add('GET', 'api/info', async (ctx) => {
    await authorizeTarget(deps.db, ctx.caller, infoScopes, {});
    const jh = deps.config.JupyterHub;
    sendJson(ctx.res, 200, {
      version: JUPYTERHUB_API_VERSION,
      python: `Node.js ${process.version} (hub ${HUB_VERSION})`,
      sys_executable: process.execPath,
      spawner: classInfo(jh.spawner_class, SPAWNERS),
      authenticator: classInfo(jh.authenticator_class, AUTHENTICATORS),
    });
  });
}
