/**
 * `/hub/api/oauth2/authorize` (GET: check and redirect, or the confirm page; POST: the confirm form) and
 * `/hub/api/oauth2/token` (code -> token). Authorize is a browser endpoint: it authenticates with the hub's login
 * cookie only (never a token), and sends people who are not logged in to the login page, coming back here after.
 */
import type http from 'node:http';
import { randomUUID } from 'node:crypto';
import { ApiError, sendJson } from '../http-util.js';
import { browserProtocol } from '../../pages/browser-origin.js';
import type { RequestContext, Router } from '../router.js';
import type { ApiDeps } from '../api-service.js';
import { appendSetCookie } from '../../auth/sessions.js';
import { confirmedScopes, issueCode, needsConfirm, prepareGrant, type AuthorizeContext, type LoggedInUser, type PreparedGrant } from '../../auth/oauth/authorize-flow.js';
import { describeGrant } from '../../auth/oauth/grant-scopes.js';
import { ConfirmSigner } from '../../auth/oauth/confirm-xsrf.js';
import { OAuthError, sendOAuthError } from '../../auth/oauth/oauth-error.js';
import { OAuthParams, readBodyParams } from '../../auth/oauth/request-params.js';
import { oauthSettingsFromConfig } from '../../auth/oauth/settings.js';
import { basicCredentials, exchangeCode, type TokenContext } from '../../auth/oauth/token-exchange.js';

function isHttps(req: http.IncomingMessage): boolean {
  return browserProtocol(req) === 'https';
}

function redirect(res: http.ServerResponse, location: string): void {
  res.writeHead(302, { location, 'content-length': 0 });
  res.end();
}

/** The login cookie's user, with a login session (created if the browser has none, as add_credentials does). */
async function loggedIn(deps: ApiDeps, ctx: RequestContext): Promise<LoggedInUser | null> {
  const sessions = deps.sessions;
  const found = await sessions?.userFromRequest(ctx.req, ctx.res);
  if (!sessions || !found) return null;
  let sessionId = found.sessionId;
  if (!sessionId) {
    sessionId = randomUUID().replaceAll('-', '');
    appendSetCookie(ctx.res, [sessions.sessionCookie(sessionId, isHttps(ctx.req))]);
  }
  const principal = await deps.identity.forUser(found.user, sessionId);
  return { user: found.user, sessionId, scopes: principal.scopes };
}

function toLogin(deps: ApiDeps, ctx: RequestContext): void {
  const login = deps.loginUrl?.() ?? `${deps.baseUrl}hub/login`;
  redirect(ctx.res, `${login}${login.includes('?') ? '&' : '?'}${new URLSearchParams({ next: ctx.req.url ?? '/' }).toString()}`);
}

function sendHtml(res: http.ServerResponse, html: string): void {
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'cache-control': 'no-store',
    // The page grants access: never inside someone else's frame.
    'x-frame-options': 'DENY',
    'content-security-policy': "frame-ancestors 'none'",
  });
  res.end(html);
}

async function showConfirm(ctx: RequestContext, who: LoggedInUser, g: PreparedGrant, signer: ConfirmSigner, deps: ApiDeps): Promise<void> {
  const page = deps.oauthConfirmPage;
  if (page === undefined) throw new ApiError(503, 'the OAuth confirm page needs the hub pages, which are not installed');
  const { scopes, descriptions } = describeGrant(g.grantable, g.client, who.user.name, deps.registry);
  const xsrf = signer.sign({ cookieId: who.user.cookie_id, sessionId: who.sessionId, search: ctx.url.search });
  const c = g.request.client;
  sendHtml(ctx.res, await page.render(ctx, who, { clientId: c.identifier, clientDescription: c.description ?? c.identifier, redirectUri: c.redirect_uri, scopes, descriptions, xsrf }));
}

/**
 * JupyterHub 3.0's check for a confirm form without `_xsrf` (a 3.0 oauth.html in template_paths has none): the
 * Referer must be this very authorize URL, scheme aside (proxies change it), and not http for an https page.
 */
function refererIsThisPage(ctx: RequestContext): boolean {
  const m = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(ctx.req.headers.referer ?? '');
  if (m === null) return false;
  if (isHttps(ctx.req) && m[1]?.toLowerCase() !== 'https') return false;
  return m[2] === `${ctx.req.headers.host ?? ''}${ctx.req.url ?? ''}`;
}

/** A cross-site form post carries a foreign Origin; same-site posts carry ours or none. */
function sameOrigin(req: http.IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined || origin === 'null') return origin === undefined;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

export function registerOAuthRoutes(router: Router, deps: ApiDeps): void {
  const signer = new ConfirmSigner();
  const c: AuthorizeContext & TokenContext = { db: deps.db, registry: deps.registry, identity: deps.identity, settings: oauthSettingsFromConfig(deps.config) };

  router.add('GET', 'api/oauth2/authorize', async (ctx) => {
    const who = await loggedIn(deps, ctx);
    if (!who) return toLogin(deps, ctx);
    const prepared = await prepareGrant(c, who, OAuthParams.fromSearch(ctx.url.searchParams));
    if (prepared.kind === 'redirect') return redirect(ctx.res, prepared.location);
    const g = prepared.grant;
    if (await needsConfirm(c, who, g)) return showConfirm(ctx, who, g, signer, deps);
    redirect(ctx.res, await issueCode(c, who, g, g.grantable));
  });

  router.add('POST', 'api/oauth2/authorize', async (ctx) => {
    const who = await loggedIn(deps, ctx);
    if (!who) return toLogin(deps, ctx);
    const body = await readBodyParams(ctx.req);
    const binding = { cookieId: who.user.cookie_id, sessionId: who.sessionId, search: ctx.url.search };
    const field = body.get('_xsrf');
    const formOk = field === null ? deps.oauthConfirmPage?.formHasXsrf === false && refererIsThisPage(ctx) : signer.verify(binding, field);
    if (!sameOrigin(ctx.req) || !formOk) {
      throw new ApiError(403, 'Authorization form must be sent from the authorization page (reload it and try again)');
    }
    const prepared = await prepareGrant(c, who, OAuthParams.fromSearch(ctx.url.searchParams));
    if (prepared.kind === 'redirect') return redirect(ctx.res, prepared.location);
    try {
      const scopes = await confirmedScopes(c, prepared.grant, body.getAll('scopes'));
      redirect(ctx.res, await issueCode(c, who, prepared.grant, scopes));
    } catch (err) {
      if (!(err instanceof OAuthError)) throw err;
      throw new ApiError(400, `invalid scopes in the authorization form: ${err.error}`);
    }
  });

  router.add('POST', 'api/oauth2/token', async (ctx) => {
    try {
      const params = OAuthParams.fromSearch(ctx.url.searchParams).with(await readBodyParams(ctx.req));
      const token = await exchangeCode(c, params, basicCredentials(ctx.req.headers.authorization));
      sendJson(ctx.res, 200, token, { 'cache-control': 'no-store', pragma: 'no-cache' });
    } catch (err) {
      if (!(err instanceof OAuthError)) throw err;
      sendOAuthError(ctx.res, err);
    }
  });
}
