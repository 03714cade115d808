import type { RequestContext, Router } from '../api/router.js';
import { appendSetCookie, hubCookieOptions } from '../auth/sessions.js';
import { clearCookie } from '../auth/cookies.js';
import { revokeSessionTokens } from '../auth/oauth/index.js';
import { clientAddress } from './client-address.js';
import { namespace, pageUser, type PagesDeps } from './page-context.js';
import { page } from './page-handler.js';
import { redirect, sendHtml } from './respond.js';

/**
 * /hub/logout (a GET, as single-user servers link to it): stops the user's servers with shutdown_on_logout,
 * revokes the OAuth tokens issued in this browser session (so the user's servers stop accepting their cookies
 * too: CVE-2021-41247 was a logout that left those alive), and clears every hub cookie. Tokens are revoked and
 * cookies cleared only for a logged-in request, as in JupyterHub: a forged logout link must not cost a victim their
 * other sessions.
 */
async function logout(ctx: RequestContext, deps: PagesDeps): Promise<void> {
  const user = await pageUser(ctx, deps);
  if (user !== null) {
    if (deps.config.JupyterHub.shutdown_on_logout) {
      deps.log.info(`Shutting down ${user.user.name}'s servers`);
      await deps.servers().stopAll(user.user);
    }
    const revoked = await revokeSessionTokens(deps.db, { userId: user.user.id, sessionId: user.sessionId ?? '' }, deps.identity);
    if (revoked > 0) deps.log.debug(`Deleted ${revoked} access tokens for ${user.user.name}`);
    deps.log.info(`User logged out: ${user.user.name} from ${clientAddress(ctx.req, deps.config.JupyterHub.trusted_downstream_ips)}`);
    deps.statsd.incr('logout');
    // As JupyterHub 3.0's default_handle_logout: cookies are cleared for a logged-in request only.
    deps.sessions.logout(ctx.res);
    deps.xsrf.clearCookie(ctx.res);
    appendSetCookie(ctx.res, [clearCookie('jupyterhub-services', `${deps.baseUrl}services`, hubCookieOptions(deps.config.JupyterHub).domain)]);
  }
  if (deps.authenticator.autoLogin) {
    // With auto_login, going to the login page would log the user straight back in.
    sendHtml(ctx.res, 200, deps.renderer.render('logout.html', namespace(ctx, deps, null)));
    return;
  }
  redirect(ctx.res, `${deps.hubPrefix}login`);
}

export function registerLogoutPage(router: Router, deps: PagesDeps): void {
  router.add('GET', 'logout', page(deps, (ctx) => logout(ctx, deps)));
}
