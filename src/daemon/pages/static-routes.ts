import path from 'node:path';
import type { Router } from '../api/router.js';
import { resolveUnder, sendFile, type AssetDirs } from './assets.js';
import type { PagesDeps } from './page-context.js';
import { page } from './page-handler.js';

/**
 * /hub/static/... (hub's CSS, JS and images) and /hub/logo (JupyterHub.logo_file, else hub's own logo). The
 * router matches fixed depths, so static paths are registered up to four levels deep.
 */
const MAX_DEPTH = 4;

export function registerStaticRoutes(router: Router, deps: PagesDeps, dirs: AssetDirs): void {
  for (let depth = 1; depth <= MAX_DEPTH; depth++) {
    const names = Array.from({ length: depth }, (_, i) => `p${i}`);
    router.add('GET', `static/${names.map((n) => `:${n}`).join('/')}`, page(deps, async (ctx) => {
      const file = resolveUnder(dirs.static, names.map((n) => ctx.params[n] ?? ''));
      await sendFile(ctx.req, ctx.res, file, ctx.url.searchParams.has('v'));
    }));
  }
  const logo = deps.config.JupyterHub.logo_file;
  const logoFile = logo !== '' ? path.resolve(logo) : path.join(dirs.static, 'images', 'logo.svg');
  router.add('GET', 'logo', page(deps, async (ctx) => {
    await sendFile(ctx.req, ctx.res, logoFile, false);
  }));
}
