/**
 * What the OAuth confirm page shows. The page itself is JupyterHub's `oauth.html`, rendered by the hub's page
 * renderer (pages/oauth-confirm-page.ts), so `template_paths` can replace it as in JupyterHub; the renderer
 * autoescapes every value (client description, redirect_uri, scope names chosen by the client).
 */
import type { RequestContext } from '../../api/router.js';
import type { LoggedInUser } from './authorize-flow.js';
import type { ScopeDescription } from './grant-scopes.js';

export interface ConfirmPageVars {
  clientId: string;
  clientDescription: string;
  redirectUri: string;
  /** Submitted back as the form's hidden `scopes` fields (JupyterHub's allowed_scopes). */
  scopes: readonly string[];
  descriptions: readonly ScopeDescription[];
  /** The form's `_xsrf`, signed for this user and this very request (confirm-xsrf.ts). */
  xsrf: string;
}

export interface ConfirmPageRenderer {
  render: (ctx: RequestContext, who: LoggedInUser, vars: ConfirmPageVars) => Promise<string>;
  /**
   * The oauth.html in use puts `_xsrf` in its form (hub's own, or a JupyterHub 4 one). Only when it does not
   * (a JupyterHub 3.0 template) may the form come back without it, checked by Referer as 3.0 did.
   */
  formHasXsrf: boolean;
}
