import { JUPYTERHUB_API_VERSION } from '../../../lib/version.js';
import { sendJson } from '../http-util.js';
import type { Router } from '../router.js';
import type { ApiDeps } from '../api-service.js';

export function registerInfoRoutes(router: Router, _deps: ApiDeps): void {
  // JupyterHub answers GET /hub/api (no slash) and /hub/api/ alike, with no authentication.
  router.add('GET', 'api', async ({ res }) => sendJson(res, 200, { version: JUPYTERHUB_API_VERSION }));
  const health = async ({ res }: { res: Parameters<typeof sendJson>[0] }): Promise<void> => sendJson(res, 200, {});
  router.add('GET', 'health', health);
  router.add('GET', 'api/health', health);
}
