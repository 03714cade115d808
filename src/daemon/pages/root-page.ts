import type { Router } from '../api/router.js';
import { nextUrlFor } from './login-page.js';
import { pageUser, type PagesDeps } from './page-context.js';
import { page } from './page-handler.js';
import { redirect } from './respond.js';

/**
 * /hub/ (JupyterHub's RootHandler): default_url if set; a logged-in user goes where login would send them
 * (their server, /hub/spawn or /hub/home); anyone else to the login page, coming back here afterwards.
 */
export function registerRootPage(router: Router, deps: PagesDeps): void {
  router.add('GET', '', page(deps, async (ctx) => {
    const jh = deps.config.JupyterHub;
    if (typeof jh.default_url === 'function' || jh.default_url !== '') {
      redirect(ctx.res, nextUrlFor(ctx, deps, null));
      return;
    }
    const user = await pageUser(ctx, deps);
    if (user !== null) {
      redirect(ctx.res, nextUrlFor(ctx, deps, user.user.name));
      return;
    }
    redirect(ctx.res, `${deps.hubPrefix}login?next=${encodeURIComponent(ctx.url.pathname + ctx.url.search)}`);
  }));
}
