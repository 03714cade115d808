import { getUserByName } from '../db/users-repo.js';
import { getSpawner } from '../db/spawners-repo.js';
import { sendJson } from '../api/http-util.js';
import type { Handler, RequestContext } from '../api/router.js';
import { checkScope } from '../auth/scopes/index.js';
import { escapePath } from './next-url.js';
import { LoginRedirect, namespace, pageUser, requireUser, type PagesDeps } from './page-context.js';
import { page } from './page-handler.js';
import { PageError, redirect, sendHtml } from './respond.js';

/**
 * Requests outside `<base_url>hub/` that reach the hub (the proxy's default route): `/user/<name>/...` for a
 * server that has no route moves to `/hub/user/<name>/...` (API paths are answered in place), which answers
 * as JupyterHub's UserUrlHandler (not running: 424 page, or JSON for API paths; starting: spawn-pending;
 * running: back to /user/..., which the proxy routes, at most tornado_settings.user_redirect_limit (4) times), `/user-redirect/<path>` to the logged-in user's
 * server, and anything else to the same path under /hub/ (JupyterHub's PrefixRedirectHandler).
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

async function userUrl(ctx: RequestContext, deps: PagesDeps, rel: string): Promise<void> {
  const parts = rel.split('/');
  const name = decode(parts[1] ?? '');
  if (name === '') return redirect(ctx.res, `${deps.hubPrefix}home`);
  const isApi = parts.slice(2).includes('api');
  const me = await pageUser(ctx, deps);
  if (!me) {
    if (isApi) return sendJson(ctx.res, 403, { status: 403, message: 'Not logged in' });
    throw new LoginRedirect(`${deps.hubPrefix}login?next=${encodeURIComponent(ctx.url.pathname + ctx.url.search)}`);
  }
  const user = await getUserByName(deps.db, name);
  if (!user) throw new PageError(404, `No such user: ${name}`);
  const server = await serverOf(deps, user.id, parts[2]);
  if (!checkScope(me.scopes, 'access:servers', { server: `${user.name}/${server}` })) {
    throw new PageError(403, `You do not have access to ${user.name}'s server.`);
  }
  const prefix = `${deps.baseUrl}user/${escapePath(user.name)}/${server === '' ? '' : `${escapePath(server)}/`}`;
  const spawnPath = `${escapePath(user.name)}${server === '' ? '' : `/${escapePath(server)}`}`;
  const rt = deps.servers().runtime(user.name, server);
  if (rt.pending === 'spawn') return redirect(ctx.res, `${deps.hubPrefix}spawn-pending/${spawnPath}`);
  if (rt.ready) {
    const n = Number(ctx.url.searchParams.get('redirects') ?? '0') || 0;
    if (n >= deps.config.JupyterHub.tornado_settings.user_redirect_limit) throw new PageError(500, `Redirect loop detected: ${user.name}'s server is running but the proxy does not route to it. Try again in a moment.`);
    // Back to the server's own URL (from /hub/user/... too): the proxy routes it now, or we count the loop.
    const again = new URL(ctx.url.toString());
    again.pathname = `${deps.baseUrl}${rel}`;
    again.searchParams.set('redirects', String(n + 1));
    return redirect(ctx.res, again.pathname + again.search);
  }
  const message = rt.pending === 'stop' ? `${user.name}'s server is stopping.` : `${user.name}'s server is not running.`;
  if (isApi) return sendJson(ctx.res, 424, { status: 424, message });
  const spawnUrl = `${deps.hubPrefix}spawn/${spawnPath}?next=${encodeURIComponent(ctx.url.pathname + ctx.url.search)}`;
  const ns = namespace(ctx, deps, me, {
    message, spawn_url: spawnUrl, server_name: server, for_user: user.name, prefix_url: prefix,
    implicit_spawn_seconds: me.user.id === user.id && rt.pending === null ? deps.config.JupyterHub.implicit_spawn_seconds : 0,
  });
  sendHtml(ctx.res, 424, deps.renderer.render('not_running.html', ns));
}

async function userRedirect(ctx: RequestContext, deps: PagesDeps, rel: string): Promise<void> {
  const me = await requireUser(ctx, deps);
  const rest = rel.slice('user-redirect/'.length);
  const hook = deps.config.JupyterHub.user_redirect_hook;
  if (typeof hook === 'function') {
    const target: unknown = await (hook as (p: string, r: unknown, u: unknown, b: string) => unknown)(rest, ctx.req, { name: me.user.name }, deps.baseUrl);
    if (typeof target === 'string' && target !== '') return redirect(ctx.res, target);
  }
  redirect(ctx.res, `${deps.baseUrl}user/${escapePath(me.user.name)}/${rest}${ctx.url.search}`);
}

export function outsideHubHandler(deps: PagesDeps): Handler {
  return page(deps, async (ctx) => {
    const path = ctx.url.pathname;
    if (path.startsWith(`${deps.hubPrefix}user/`)) return userUrl(ctx, deps, path.slice(deps.hubPrefix.length));
    const rel = path.startsWith(deps.baseUrl) ? path.slice(deps.baseUrl.length) : null;
    if (rel === null) throw new PageError(404, 'Not found');
    // As JupyterHub's PrefixRedirectHandler: a page under /user/ that reached the hub moves to /hub/user/, where
    // the browser sends the login cookie. API clients get their JSON answer here, without a redirect.
    if (rel.startsWith('user/')) return rel.split('/').slice(2).includes('api') ? userUrl(ctx, deps, rel) : redirect(ctx.res, `${deps.hubPrefix}${rel}${ctx.url.search}`);
    if (rel.startsWith('user-redirect/')) return userRedirect(ctx, deps, rel);
    redirect(ctx.res, `${deps.hubPrefix}${rel}${ctx.url.search}`);
  });
}
