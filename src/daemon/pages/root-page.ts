import type { Router } from '../api/router.js';
import { configuredDefaultUrl, nextUrlFor } from './login-page.js';
import { pageUser, type PagesDeps } from './page-context.js';
import { page } from './page-handler.js';
import { redirect } from './respond.js';

/**
 * /hub/ (JupyterHub's RootHandler): default_url if set; a logged-in user goes where login would send them
 * (their server, /hub/spawn or /hub/home); anyone else to the login page, coming back here afterwards.
 */
export function registerRootPage(router: Router, deps: PagesDeps): void {
  router.add('GET', '', page(deps, async (ctx) => {
    const user = await pageUser(ctx, deps);
    // pages.py RootHandler: default_url as it is, without get_next_url's `next` or query arguments.
    const configured = await configuredDefaultUrl(ctx, deps, user?.user ?? null);
    if (configured !== '') {
      redirect(ctx.res, configured);
      return;
    }
    if (user !== null) {
      redirect(ctx.res, await nextUrlFor(ctx, deps, user.user));
      return;
    }
    redirect(ctx.res, `${deps.hubPrefix}login?next=${encodeURIComponent(ctx.url.pathname + ctx.url.search)}`);
  }));
}
