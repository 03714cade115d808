/**
 * The OAuth confirm page as JupyterHub renders it: `oauth.html` through the page renderer (template_paths first),
 * with JupyterHub's variables `oauth_client`, `allowed_scopes`, `scope_descriptions` and `auth_state` (the user's, decrypted, as
 * `current_user.get_auth_state()`; null when there is none or no key opens it), and `xsrf_form_html()` carrying the confirm form's own signed token.
 */
import { getAuthState } from '../auth/auth-state.js';
import { cryptKeeperFor } from '../auth/crypt-keeper.js';
import type { ConfirmPageRenderer } from '../auth/oauth/confirm-page.js';
import { namespace, type PagesDeps } from './page-context.js';
import { safeHtml } from './renderer.js';

export function oauthConfirmRenderer(deps: PagesDeps): ConfirmPageRenderer {
  const render: ConfirmPageRenderer['render'] = async (ctx, who, v) => {
    const authState = await getAuthState(deps.db, cryptKeeperFor(deps.config.CryptKeeper), who.user, deps.log);
    const me = { kind: 'user' as const, user: who.user, scopes: who.scopes, token: null, sessionId: who.sessionId };
    return deps.renderer.render('oauth.html', namespace(ctx, deps, me, {
      oauth_client: { identifier: v.clientId, description: v.clientDescription, redirect_uri: v.redirectUri },
      allowed_scopes: v.scopes,
      scope_descriptions: v.descriptions,
      auth_state: authState,
      xsrf_token: v.xsrf,
      // The signed token is digits, '.' and hex: nothing to escape.
      xsrf_form_html: () => safeHtml(`<input type="hidden" name="_xsrf" value="${v.xsrf}">`),
    }));
  };
  return { render, formHasXsrf: /xsrf/.test(deps.renderer.source('oauth.html')) };
}
