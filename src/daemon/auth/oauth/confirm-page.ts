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

export type ConfirmPageRenderer = (ctx: RequestContext, who: LoggedInUser, vars: ConfirmPageVars) => string;
