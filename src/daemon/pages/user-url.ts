import { getUserByName } from '../db/users-repo.js';
import { getSpawner } from '../db/spawners-repo.js';
import { sendJson } from '../api/http-util.js';
import type { Handler, RequestContext } from '../api/router.js';
import { checkScope } from '../auth/scopes/index.js';
import { browserProtocol } from './browser-origin.js';
import { userHost } from '../user-host.js';
import { answeredInPlace } from '../api/handler-kinds.js';
import { escapePath } from './next-url.js';
import { authStateOf, LoginRedirect, namespace, pageUser, requireUser, userView, type PagesDeps } from './page-context.js';
import { page } from './page-handler.js';
import { PageError, redirect, sendHtml } from './respond.js';

/**
 * Requests outside `<base_url>hub/` that reach the hub (the proxy's default route): `/user/<name>/...` for a
 * server that has no route moves to `/hub/user/<name>/...` (API paths are answered in place), which answers
 * as JupyterHub's UserUrlHandler (not running: 424 page, or JSON for API paths; starting: spawn-pending;
 * running: back to /user/..., which the proxy routes, at most tornado_settings.user_redirect_limit (4) times), and
 * anything else, `/user-redirect/` too, to the same path under /hub/ (JupyterHub's PrefixRedirectHandler).
 * `/hub/user-redirect/<path>` sends the logged-in user to their server through the spawn page (UserRedirectHandler).
 */
function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new PageError(400, 'malformed URL escape');
  }
}

async function serverOf(deps: PagesDeps, userId: number, segment: string | undefined): Promise<string> {
  if (!deps.config.JupyterHub.allow_named_servers || !segment) return '';
  const name = decode(segment);
  return (await getSpawner(deps.db, userId, name)) ? name : '';
}

/** JupyterHub's get_accepted_mimetype between JSON and HTML: the first of the two in Accept, by q. */
function prefersJson(accept: string | undefined): boolean {
  const ranked = (accept ?? '').split(',').map((part, i) => {
    const [mime = '', ...params] = part.split(';').map((x) => x.trim().toLowerCase());
    const q = Number(params.find((p) => p.startsWith('q='))?.slice(2) ?? '1');
    return { mime, q: Number.isFinite(q) ? q : 0, i };
  }).sort((a, b) => b.q - a.q || a.i - b.i);
  return ranked.find((r) => r.mime === 'application/json' || r.mime === 'text/html')?.mime === 'application/json';
}

async function userUrl(ctx: RequestContext, deps: PagesDeps, rel: string): Promise<void> {
  const parts = rel.split('/');
  const name = decode(parts[1] ?? '');
  if (name === '') return redirect(ctx.res, `${deps.hubPrefix}home`);
  // As UserUrlHandler: anything but GET is an API call to a server that is not there (no login needed to be
  // told so); a GET with an `api` segment or asking for JSON gets JSON too.
  if (ctx.req.method !== 'GET' && ctx.req.method !== 'HEAD') {
    const owner = await getUserByName(deps.db, name);
    const me = await pageUser(ctx, deps);
    const server = owner && me?.user.id === owner.id ? await serverOf(deps, owner.id, parts[2]) : '';
    return failApiRequest(ctx, deps, name, server);
  }
  const isApi = parts.slice(2).includes('api') || prefersJson(ctx.req.headers.accept);
  // Tokens are accepted here, as JupyterHub's UserUrlHandler does (_accept_token_auth).
  const me = await pageUser(ctx, deps);
  const caller = me ?? (ctx.caller.kind === 'user' || ctx.caller.kind === 'service' ? ctx.caller : null);
  if (!caller) {
    if (isApi) return sendJson(ctx.res, 403, { status: 403, message: 'Not logged in' });
    throw new LoginRedirect(`${deps.hubPrefix}login?next=${encodeURIComponent(ctx.url.pathname + ctx.url.search)}`);
  }
  const user = await getUserByName(deps.db, name);
  if (!user) throw new PageError(404, `No such user: ${name}`);
  const server = await serverOf(deps, user.id, parts[2]);
  if (!checkScope(caller.scopes, 'access:servers', { server: `${user.name}/${server}` })) {
    throw new PageError(403, `You do not have access to ${user.name}'s server.`);
  }
  const prefix = `${deps.baseUrl}user/${escapePath(user.name)}/${server === '' ? '' : `${escapePath(server)}/`}`;
  const spawnPath = spawnPathOf(user.name, server);
  const rt = deps.servers().runtime(user.name, server);
  // As UserUrlHandler._get: ready first; then an API request fails (it would not follow the redirect to a page);
  // then a starting server's page goes to spawn-pending (303), which comes back to this URL once it is ready.
  // `next` is the server's own URL for this path, which spawn-pending honours (it must lie under the server).
  if (rt.pending === 'spawn' && !isApi) return redirect(ctx.res, `${deps.hubPrefix}spawn-pending/${spawnPath}?next=${encodeURIComponent(`${deps.baseUrl}${rel}${ctx.url.search}`)}`, 303);
  if (rt.ready) {
    const n = Number(ctx.url.searchParams.get('redirects') ?? '0') || 0;
    if (n >= deps.config.JupyterHub.tornado_settings.user_redirect_limit) throw new PageError(500, `Redirect loop detected: ${user.name}'s server is running but the proxy does not route to it. Try again in a moment.`);
    // Back to the server's own URL (from /hub/user/... too): the proxy routes it now, or we count the loop.
    // With subdomain_host that URL is on the user's host (base.py _redirect_to_user_server: user.host + target).
    const again = new URL(ctx.url.toString());
    again.pathname = `${deps.baseUrl}${rel}`;
    again.searchParams.set('redirects', String(n + 1));
    redirect(ctx.res, userHost(deps.config.JupyterHub.subdomain_host, user.name) + again.pathname + again.search);
    deps.statsd.incr('redirects.user_after_login');
    return;
  }
  const message = rt.pending === 'stop' ? `${user.name}'s server is stopping.`
    : rt.pending === 'check' ? `${user.name}'s server is being checked after a restart of the hub; try again in a moment.`
    : `${user.name}'s server is not running.`;
  if (isApi || me === null) return failApiRequest(ctx, deps, user.name, server);
  const spawnUrl = `${deps.hubPrefix}spawn/${spawnPath}?next=${encodeURIComponent(ctx.url.pathname + ctx.url.search)}`;
  // base.py _serve_not_running (not_running.html): `user` is the server's owner, for an admin too.
  const owner = userView(user, deps.baseUrl, deps.config.JupyterHub.subdomain_host);
  const ns = namespace(ctx, deps, me, {
    user: owner, for_user: owner, auth_state: await authStateOf(deps, user),
    message, spawn_url: spawnUrl, server_name: server, prefix_url: prefix,
    implicit_spawn_seconds: me.user.id === user.id && rt.pending === null ? deps.config.JupyterHub.implicit_spawn_seconds : 0,
  });
  sendHtml(ctx.res, stoppedStatus(deps), deps.renderer.render('not_running.html', ns));
}

/** `ada` or `ada/lab`, escaped: how spawn and spawn-pending URLs name a server. */
function spawnPathOf(user: string, server: string): string {
  return `${escapePath(user)}${server === '' ? '' : `/${escapePath(server)}`}`;
}

/** 424: the server is not running (not a missing page in it); 503 with use_legacy_stopped_server_status_code. */
function stoppedStatus(deps: PagesDeps): number {
  return deps.config.JupyterHub.use_legacy_stopped_server_status_code ? 503 : 424;
}

/** JupyterHub's _fail_api_request: the status, and where to restart the server. */
function failApiRequest(ctx: RequestContext, deps: PagesDeps, user: string, server: string): void {
  deps.log.warn(`Failing suspected API request to not-running server: ${ctx.url.pathname}`);
  const path = ctx.url.pathname;
  const inServer = path.startsWith(deps.hubPrefix) ? path.slice(deps.hubPrefix.length - 1) : path.slice(deps.baseUrl.length - 1);
  const spawnAt = `${browserProtocol(ctx.req)}://${ctx.req.headers.host ?? 'localhost'}${deps.hubPrefix}spawn/${spawnPathOf(user, server)}`;
  const status = stoppedStatus(deps);
  sendJson(ctx.res, status, { status, message: `JupyterHub server no longer running at ${inServer}. Restart the server at ${spawnAt}` });
}

async function userRedirect(ctx: RequestContext, deps: PagesDeps, rel: string): Promise<void> {
  const me = await requireUser(ctx, deps);
  const rest = rel.slice('user-redirect/'.length);
  const hook = deps.config.JupyterHub.user_redirect_hook;
  if (typeof hook === 'function') {
    const target: unknown = await (hook as (p: string, r: unknown, u: unknown, b: string) => unknown)(rest, ctx.req, { name: me.user.name }, deps.baseUrl);
    if (typeof target === 'string' && target !== '') return redirect(ctx.res, target);
  }
  // As JupyterHub 3.0: through the spawn page, which starts the server if needed and then follows `next`;
  // with named servers, default_server_name picks the server. Deliberately as the option's help and app.py's
  // _default_server_name intend: JupyterHub 3.0's handler reads the raw option, so without allow_named_servers
  // it sends the user to a spawn page that answers 400 "Named servers are not enabled".
  const jh = deps.config.JupyterHub;
  const named = jh.allow_named_servers ? jh.default_server_name : '';
  const server = named === '' ? '' : `/${escapePath(named)}`;
  const target = `${userHost(jh.subdomain_host, me.user.name)}${deps.baseUrl}user/${escapePath(me.user.name)}${server}/${rest}${ctx.url.search}`;
  redirect(ctx.res, `${deps.hubPrefix}spawn/${escapePath(me.user.name)}${server}?next=${encodeURIComponent(target)}`);
}

export function outsideHubHandler(deps: PagesDeps): Handler {
  return page(deps, async (ctx) => {
    const path = ctx.url.pathname;
    if (path.startsWith(`${deps.hubPrefix}user/`)) return userUrl(ctx, deps, path.slice(deps.hubPrefix.length));
    if (path.startsWith(`${deps.hubPrefix}user-redirect/`)) return userRedirect(ctx, deps, path.slice(deps.hubPrefix.length));
    const rel = path.startsWith(deps.baseUrl) ? path.slice(deps.baseUrl.length) : null;
    if (rel === null) throw new PageError(404, 'Not found');
    // As JupyterHub's PrefixRedirectHandler: a page under /user/ that reached the hub moves to /hub/user/, where
    // the browser sends the login cookie. API clients get their JSON answer here, without a redirect.
    if (rel.startsWith('user/')) return answeredInPlace(rel) ? userUrl(ctx, deps, rel) : redirect(ctx.res, `${deps.hubPrefix}${rel}${ctx.url.search}`);
    redirect(ctx.res, `${deps.hubPrefix}${rel}${ctx.url.search}`);
  });
}
