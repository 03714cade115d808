import type { RequestContext, Router } from '../api/router.js';
import { authToUser } from '../auth/authenticators/auth-to-user.js';
import { cryptKeeperFor } from '../auth/crypt-keeper.js';
import type { AuthModel, LoginData } from '../auth/authenticators/types.js';
import { XSRF_FIELD } from '../auth/xsrf.js';
import { isBlockedName } from '../db/blocked-users-repo.js';
import type { UserRow } from '../db/users-repo.js';
import { formFromHubOrScript } from './browser-origin.js';
import { clientAddress } from './client-address.js';
import { readForm } from './form-body.js';
import { userHost } from '../user-host.js';
import { defaultNextUrl, safeNextUrl, viaHubForUserUrls } from './next-url.js';
import { namespace, pageUser, type PagesDeps } from './page-context.js';
import { page } from './page-handler.js';
import { safeHtml } from './renderer.js';
import { PageError, redirect, sendHtml } from './respond.js';

/**
 * /hub/login: GET shows the form (or sends a logged-in browser on), POST checks the credentials through the
 * authenticator's whole pipeline. Every kind of refusal — wrong password, unknown, blocked or not-allowed
 * user, invalid name — answers with the same page and the same words, so the page tells an attacker nothing
 * about which names exist or are blocked.
 */
export const LOGIN_FAILED = 'Invalid username or password';

/** JupyterHub's get_next_url: a safe `next`, else the default for this user. */
export async function nextUrlFor(ctx: RequestContext, deps: PagesDeps, user: UserRow | null): Promise<string> {
  const raw = ctx.url.searchParams.get('next') ?? '';
  const safe = safeNextUrl(raw, { host: ctx.req.headers.host ?? '', subdomainHost: deps.config.JupyterHub.subdomain_host });
  if (raw !== '' && safe === '') deps.log.warn(`Disallowing redirect outside the hub: ${JSON.stringify(raw.slice(0, 200))}`);
  if (safe !== '') return viaHubForUserUrls(safe, deps.baseUrl, deps.hubPrefix);
  const jh = deps.config.JupyterHub;
  const userName = user?.name ?? null;
  const serverActive = userName !== null && !deps.servers().runtime(userName, '').stopped;
  const url = defaultNextUrl(userName, {
    baseUrl: deps.baseUrl, hubPrefix: deps.hubPrefix, defaultUrl: await configuredDefaultUrl(ctx, deps, user),
    redirectToServer: jh.redirect_to_server, serverActive, userHost: userName === null ? '' : userHost(jh.subdomain_host, userName),
  });
  // Like JupyterHub, other query arguments of this request travel on to the default URL.
  const extra = [...ctx.url.searchParams].filter(([k]) => k !== 'next' && k !== XSRF_FIELD);
  if (extra.length === 0) return url;
  const u = new URL(url, 'http://hub.invalid');
  for (const [k, v] of extra) u.searchParams.append(k, v);
  return u.origin === 'http://hub.invalid' ? u.pathname + u.search + u.hash : u.href;
}

/**
 * JupyterHub.default_url: a string, or a function JupyterHub calls with the request handler. hub passes a handler
 * with what such functions read: `request` (node:http's IncomingMessage), `current_user` (`{name, admin}` or
 * null), `base_url`, `hub_base_url`; it may be async. One that throws or returns no string is logged and counts as
 * unset, so the user lands where hub would send them anyway instead of on a 500.
 */
export async function configuredDefaultUrl(ctx: RequestContext, deps: PagesDeps, user: UserRow | null): Promise<string> {
  const value: unknown = deps.config.JupyterHub.default_url;
  if (typeof value === 'string') return value;
  if (typeof value !== 'function') return '';
  const handler = {
    request: ctx.req,
    current_user: user === null ? null : { name: user.name, admin: user.admin },
    base_url: deps.baseUrl,
    hub_base_url: deps.hubPrefix,
  };
  try {
    const out: unknown = await (value as (h: typeof handler) => unknown)(handler);
    if (typeof out === 'string') return out;
    if (out !== null && out !== undefined) deps.log.error(`JupyterHub.default_url returned ${typeof out}, not a URL string; ignoring it`);
  } catch (err) {
    deps.log.error(`JupyterHub.default_url(handler) failed: ${err instanceof Error ? err.message : String(err)}; ignoring it`);
  }
  return '';
}

function renderLogin(ctx: RequestContext, deps: PagesDeps, username: string, loginError: string | null): void {
  const next = ctx.url.searchParams.get('next') ?? '';
  const loginUrl = deps.authenticator.loginUrl(deps.hubPrefix);
  const values = {
    next: encodeURIComponent(next),
    username,
    login_error: loginError,
    login_url: `${deps.hubPrefix}login`,
    authenticator_login_url: next === '' ? loginUrl : `${loginUrl}?next=${encodeURIComponent(next)}`,
  };
  const ns = namespace(ctx, deps, null, values);
  const custom = deps.authenticator.customHtml(deps.hubPrefix);
  ns.custom_html = custom === '' ? '' : safeHtml(deps.renderer.renderString(custom, ns));
  sendHtml(ctx.res, 200, deps.renderer.render('login.html', ns), { noStore: true });
}

/**
 * JupyterHub's login_user: the authenticator's whole pipeline, timed; then the login cookie, or null. The
 * metrics are its: login.success/login.failure and the authentication's milliseconds as
 * login.authenticate.success/.failure (its `login.authenticate` timer itself is stopped with send=False).
 */
async function loginUser(ctx: RequestContext, deps: PagesDeps, data: LoginData): Promise<UserRow | null> {
  const t0 = performance.now();
  let auth = await deps.authenticator.getAuthenticatedUser(data, ctx.req);
  // A user blocked at run time (`hub users block`) is refused like one in Authenticator.blocked_users: the block
  // must outlast the sessions it ended, or the user just signs in again.
  if (auth !== null && (await isBlockedName(deps.db, auth.name))) {
    deps.log.warn(`User ${JSON.stringify(auth.name)} is blocked (hub users block). Stop authentication`);
    auth = null;
  }
  const ms = performance.now() - t0;
  if (auth === null) {
    deps.statsd.incr('login.failure');
    deps.statsd.timing('login.authenticate.failure', ms);
    return null;
  }
  const user = await setLogin(ctx, deps, auth);
  deps.statsd.incr('login.success');
  deps.statsd.timing('login.authenticate.success', ms);
  return user;
}

async function setLogin(ctx: RequestContext, deps: PagesDeps, auth: AuthModel): Promise<UserRow> {
  const user = await authToUser(deps.db, deps.authenticator, auth, deps.log, cryptKeeperFor(deps.config.CryptKeeper));
  deps.identity.invalidate();
  // A fresh session id at every login: a session id planted before login (cookie tossing) is not adopted.
  deps.sessions.login(ctx.res, user, null);
  deps.log.info(`User logged in: ${user.name} from ${clientAddress(ctx.req, deps.config.JupyterHub.trusted_downstream_ips)}`);
  return user;
}

async function getLogin(ctx: RequestContext, deps: PagesDeps): Promise<void> {
  deps.statsd.incr('login.request');
  const current = await pageUser(ctx, deps);
  if (current !== null) {
    deps.sessions.ensureSession(ctx.res, current.sessionId);
    redirect(ctx.res, await nextUrlFor(ctx, deps, current.user));
    return;
  }
  const a = deps.authenticator;
  if (a.autoLogin) {
    const loginUrl = a.loginUrl(deps.hubPrefix);
    if (loginUrl !== `${deps.hubPrefix}login`) {
      const next = safeNextUrl(ctx.url.searchParams.get('next') ?? '', { host: ctx.req.headers.host ?? '', subdomainHost: deps.config.JupyterHub.subdomain_host });
      redirect(ctx.res, next === '' ? loginUrl : `${loginUrl}${loginUrl.includes('?') ? '&' : '?'}next=${encodeURIComponent(next)}`);
      return;
    }
    // auto_login on this very URL: the credentials are in the request itself (e.g. a REMOTE_USER header).
    const user = await loginUser(ctx, deps, { username: '', password: '' });
    if (user === null) throw new PageError(403, 'Automatic login failed.');
    redirect(ctx.res, await nextUrlFor(ctx, deps, user));
    return;
  }
  renderLogin(ctx, deps, ctx.url.searchParams.get('username') ?? '', null);
}

/**
 * The login form's XSRF check. Before login there is no user to bind the token to: it is bound to the _xsrf cookie
 * alone. JupyterHub 3.0's login form has no token: a form without one is taken as 3.0 takes it when a hub page (a
 * 3.0 login.html in template_paths) or a script sent it, never from another site (login CSRF).
 */
function loginFormChecked(ctx: RequestContext, deps: PagesDeps, token: string | null): boolean {
  if (token !== null) return deps.xsrf.verify(ctx.req, token, '');
  return formFromHubOrScript(ctx.req, deps.hubPrefix, deps.config.JupyterHub.forwarded_host_header);
}

async function postLogin(ctx: RequestContext, deps: PagesDeps): Promise<void> {
  const form = await readForm(ctx.req);
  if (!loginFormChecked(ctx, deps, form.get(XSRF_FIELD))) {
    throw new PageError(403, 'The login form could not be checked (its XSRF token is missing or stale). Reload the page and sign in again.');
  }
  const data: LoginData = { username: '', password: '' };
  for (const [k, v] of form) if (k !== XSRF_FIELD) data[k] = v;
  data.username = data.username.trim();
  const user = await loginUser(ctx, deps, data);
  if (user === null) {
    deps.log.warn(`Failed login for ${JSON.stringify(data.username.slice(0, 100))} from ${clientAddress(ctx.req, deps.config.JupyterHub.trusted_downstream_ips)}`);
    renderLogin(ctx, deps, data.username, LOGIN_FAILED);
    return;
  }
  redirect(ctx.res, await nextUrlFor(ctx, deps, user));
}

export function registerLoginPages(router: Router, deps: PagesDeps): void {
  router.add('GET', 'login', page(deps, (ctx) => getLogin(ctx, deps)));
  router.add('POST', 'login', page(deps, (ctx) => postLogin(ctx, deps)));
}
