/**
 * GET /services and /services/{name} (apihandlers/services.py): services as configured (JupyterHub.services), with
 * roles and pid from their rows. The list is a dict by name, as JupyterHub returns it (its spec says a list).
 */
import { ApiError, sendJson } from '../http-util.js';
import type { Router } from '../router.js';
import type { ApiDeps } from '../api-service.js';
import type { Principal } from '../../auth/principal.js';
import { ALL } from '../../auth/scopes/index.js';
import { listServices } from '../../db/services-repo.js';
import { listRolesOfService } from '../../db/roles-repo.js';
import { serviceModel, type ServiceData } from '../models/service-model.js';
import { authorizeTarget, scopesFor } from './guard.js';

async function services(deps: ApiDeps): Promise<Map<string, ServiceData>> {
  const specs = new Map(deps.config.JupyterHub.services.flatMap((s) => (typeof s.name === 'string' ? [[s.name, s] as const] : [])));
  const urls = deps.serviceUrls?.() ?? new Map<string, string>();
  const out = new Map<string, ServiceData>();
  for (const row of await listServices(deps.db)) {
    // Only configured services, as JupyterHub's _service_map: one made implicitly for service_tokens is not listed.
    if (!specs.has(row.name)) continue;
    const roles = (await listRolesOfService(deps.db, row.id)).map((r) => r.name);
    const spec = specs.get(row.name) ?? {};
    const url = urls.get(row.name);
    out.set(row.name, { name: row.name, admin: row.admin, roles, pid: row.pid, spec: url === undefined ? spec : { ...spec, url } });
  }
  return out;
}

function visibleInList(caller: Principal, name: string): boolean {
  const grant = caller.scopes.parsed.get('list:services');
  return grant === ALL || (grant !== undefined && grant.get('service')?.has(name) === true);
}

export function registerServiceRoutes(router: Router, deps: ApiDeps): void {
  const listScopes = scopesFor('GET', '/services');
  const readScopes = scopesFor('GET', '/services/:service');

  router.add('GET', 'api/services', async (ctx) => {
    await authorizeTarget(deps.db, ctx.caller, listScopes, {});
    const data: Record<string, unknown> = {};
    for (const [name, s] of await services(deps)) {
      if (visibleInList(ctx.caller, name)) data[name] = serviceModel(ctx.caller.scopes, s, deps.baseUrl);
    }
    sendJson(ctx.res, 200, data);
  });

  router.add('GET', 'api/services/:name', async (ctx) => {
    const name = ctx.params.name ?? '';
    await authorizeTarget(deps.db, ctx.caller, readScopes, { service: name });
    const s = (await services(deps)).get(name);
    if (!s) throw new ApiError(404, `No such service: ${name}`);
    sendJson(ctx.res, 200, serviceModel(ctx.caller.scopes, s, deps.baseUrl));
  });
}
