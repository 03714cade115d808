import type http from 'node:http';
import type { Logger } from '../../lib/log.js';
import { ApiError } from '../api/http-util.js';
import type { RequestAuthenticator } from '../api/api-service.js';
import type { IdentityService } from '../auth/identity.js';
import type { SessionManager } from '../auth/sessions.js';
import { tokenFromRequest, WRITE_METHODS, XSRF_FIELD, type XsrfProtection } from '../auth/xsrf.js';
import { formFromHubOrScript, postContentTypeAllowed, refererAllowed, refererFromHub } from './browser-origin.js';
import { isMultipartForm, isUrlencodedForm, readForm } from './form-body.js';

/**
 * The login cookie as a way to authenticate hub requests (after tokens, which api-service tries first and
 * which need no XSRF token). This is the one place every cookie-authenticated write passes, so XSRF is
 * enforced here for all of them, pages and API alike, whoever wrote the handler. What JupyterHub 3.0 (which has no
 * token) accepts passes without it: an API write whose Referer is a hub page, the spawn form from a hub page or a
 * script; an API write without a Referer needs it (3.0 refuses those outright). Otherwise:
 * - API paths (`api/...`): a write without a valid token is a JSON 403 right away.
 * - Other paths (forms): the request continues as anonymous, so no handler can act on the user's behalf;
 *   `xsrfRejected(req)` lets a page explain the 403.
 */
const rejected = new WeakSet<http.IncomingMessage>();
const vouched = new WeakSet<http.IncomingMessage>();

export function xsrfRejected(req: http.IncomingMessage): boolean {
  return rejected.has(req);
}

/** A page write let through by its Referer (a hub page), as JupyterHub 3.0 does: userForm needs no token for it. */
export function refererVouched(req: http.IncomingMessage): boolean {
  return vouched.has(req);
}

/**
 * The writes JupyterHub 3.0 lets through without a token: API writes whose Referer is a hub page (check_referer),
 * and its spawn options form when a hub page or no browser sent it. hub's own forms (token, admin, home) need
 * the token.
 */
function vouchedWithoutToken(req: http.IncomingMessage, pathname: string, deps: CookieGateDeps): boolean {
  if (pathname.startsWith(`${deps.hubPrefix}api/`)) return refererFromHub(req, deps.hubPrefix, deps.forwardedHostHeader);
  const spawn = pathname === `${deps.hubPrefix}spawn` || pathname.startsWith(`${deps.hubPrefix}spawn/`);
  return spawn && formFromHubOrScript(req, deps.hubPrefix, deps.forwardedHostHeader);
}

export interface CookieGateDeps {
  sessions: SessionManager;
  identity: IdentityService;
  xsrf: XsrfProtection;
  /** `<base_url>hub/` as requests on the hub port address it. */
  hubPrefix: string;
  /** JupyterHub.forwarded_host_header: the header naming the host the browser asked for ('' = Host). */
  forwardedHostHeader: string;
  log: Logger;
}

export function cookieGate(deps: CookieGateDeps): RequestAuthenticator {
  return async (req, url, res) => {
    const write = WRITE_METHODS.has(req.method ?? 'GET');
    // Logging in needs nobody's cookie: the login form carries its own token, checked by the login page.
    if (write && url.pathname === `${deps.hubPrefix}login`) return null;
    // The OAuth endpoints identify the browser themselves (auth/oauth: the confirm form has its own per-request
    // token, the token endpoint takes client credentials): they get no cookie principal here, and their body
    // is left unread for them.
    if (write && url.pathname.startsWith(`${deps.hubPrefix}api/oauth2/`)) return null;
    const found = await deps.sessions.userFromRequest(req, res);
    if (found === null) return null;
    if (url.pathname.startsWith(`${deps.hubPrefix}api/`)) {
      // check_referer: a page of another site cannot use the login cookie on the API; the request is anonymous.
      const referer = refererAllowed(req, deps.hubPrefix, deps.forwardedHostHeader);
      if (!referer.ok) {
        deps.log.warn(`Blocking Cross Origin API request. ${referer.why}`);
        return null;
      }
      if (req.method === 'POST' && !postContentTypeAllowed(req)) {
        deps.log.warn(`Not allowing POST with content-type: ${req.headers['content-type'] ?? ''}`);
        return null;
      }
    }
    if (write && vouchedWithoutToken(req, url.pathname, deps)) {
      vouched.add(req);
    } else if (write) {
      let token = tokenFromRequest(req, url);
      // A page's form may be multipart (file uploads); an API body is left to its handler.
      const pageForm = isUrlencodedForm(req) || (isMultipartForm(req) && !url.pathname.startsWith(`${deps.hubPrefix}api/`));
      if (token === null && pageForm) token = (await readForm(req)).get(XSRF_FIELD);
      if (!deps.xsrf.verify(req, token, found.user.cookie_id)) {
        const api = url.pathname.startsWith(`${deps.hubPrefix}api/`);
        deps.log.warn(`XSRF check failed for ${req.method} ${url.pathname} by ${found.user.name}: ${token === null ? "'_xsrf' missing" : "'_xsrf' does not match"}`);
        if (api) throw new ApiError(403, token === null ? `'_xsrf' argument missing from ${req.method}` : `XSRF cookie does not match ${req.method} argument`);
        rejected.add(req);
        return null;
      }
    }
    return deps.identity.forUser(found.user, found.sessionId);
  };
}
