import { getUserByName, type UserRow } from '../db/users-repo.js';
import type { RequestContext, Router } from '../api/router.js';
import { ServerError } from '../spawner/server-manager.js';
import { serverPath, userHost } from '../user-host.js';
import { escapePath, safeNextUrl } from './next-url.js';
import { authStateOf, namespace, requireUser, userForm, userView, type PagesDeps, type UserPrincipal } from './page-context.js';
import type { HookSpawner } from '../spawner/spawner-object.js';
import { readFormFiles, type FormFiles } from './form-body.js';
import { spawnerTemplateView } from './server-views.js';
import { page } from './page-handler.js';
import { PageError, redirect, sendHtml } from './respond.js';
import { spawnersOfUsers } from '../db/spawners-repo.js';
import { requireUserScope, validServerName } from './server-views.js';

/**
 * /hub/spawn[/<user>[/<server>]]: the options form (Spawner.options_form) or a start right away, then
 * /hub/spawn-pending (a progress bar fed by the progress event stream, or on to the server once it is ready).
 * Starting someone else's server needs `servers` on it, as the API does.
 */
interface Target {
  me: UserPrincipal;
  user: UserRow;
  server: string;
}

async function target(ctx: RequestContext, deps: PagesDeps, me: UserPrincipal): Promise<Target> {
  const name = ctx.params.user ?? me.user.name;
  const server = ctx.params.server ?? '';
  if (server !== '' && !deps.config.JupyterHub.allow_named_servers) throw new PageError(400, 'Named servers are not enabled on this hub.');
  if (server !== '' && !validServerName(server)) throw new PageError(400, 'Invalid server name');
  const user = name === me.user.name ? me.user : await getUserByName(deps.db, name);
  if (!user) throw new PageError(404, `No such user: ${name}`);
  await requireUserScope(deps.db, me, 'servers', user, server);
  await checkNamedLimit(deps, user, server);
  return { me, user, server };
}

/** spawn_single_user's check: a new named server past named_server_limit_per_user is refused, as by the REST API. */
async function checkNamedLimit(deps: PagesDeps, user: UserRow, server: string): Promise<void> {
  const limit = deps.config.JupyterHub.named_server_limit_per_user;
  if (server === '' || limit <= 0) return;
  const names = ((await spawnersOfUsers(deps.db, [user.id])).get(user.id) ?? []).map((s) => s.name);
  if (names.includes(server) || names.filter((n) => n !== '').length < limit) return;
  throw new PageError(400, `${user.name} already has the maximum of ${limit} named servers. One must be deleted before a new server can be created.`);
}


/** How long the spawn page waits for a spawn to fail before it sends the browser to spawn-pending (JupyterHub: 1 s). */
const SPAWN_WAIT_MS = 1000;

function pendingUrl(deps: PagesDeps, t: Target): string {
  return `${deps.hubPrefix}spawn-pending/${escapePath(t.user.name)}${t.server === '' ? '' : `/${escapePath(t.server)}`}`;
}

/** user.get_spawner(server_name, replace_failed=True): the server's spawner object, which the hooks get. */
function spawnerOf(deps: PagesDeps, t: Target): HookSpawner {
  return deps.spawnerObjects.get({ id: t.user.id, name: t.user.name, admin: t.user.admin }, t.server, true);
}

/**
 * spawner.py run_options_from_form: the form data (a dict of lists of strings; uploaded files as `<name>_file`
 * lists) through options_from_form, which may be async and gets the spawner as its second argument (JupyterHub
 * passes `spawner=` to a hook that takes it); without one the data is the options. What it returns must be an
 * object (JupyterHub's user_options is a Dict).
 */
async function optionsFromForm(deps: PagesDeps, spawner: HookSpawner, form: URLSearchParams, files: FormFiles = {}): Promise<Record<string, unknown>> {
  const data: Record<string, unknown[]> = {};
  for (const [k, v] of form) if (k !== '_xsrf') (data[k] ??= []).push(v);
  for (const [k, list] of Object.entries(files)) data[`${k}_file`] = list;
  const hook = deps.config.Spawner.options_from_form;
  if (typeof hook !== 'function') return data;
  const out: unknown = await (hook as (d: unknown, s: unknown) => unknown)(data, spawner);
  if (typeof out !== 'object' || out === null || Array.isArray(out)) {
    throw new Error(`Spawner.options_from_form returned ${Array.isArray(out) ? 'a list' : out === null ? 'null' : typeof out}, not an object of options`);
  }
  return out as Record<string, unknown>;
}

/** spawner.py get_options_form: the spawner's options_form (which auth_state_hook may have set), called if callable. */
async function optionsFormHtml(spawner: HookSpawner): Promise<string> {
  const f = spawner.options_form;
  if (typeof f === 'function') return String(await (f as (s: unknown) => unknown)(spawner));
  return typeof f === 'string' ? f : '';
}

/** pages.py SpawnHandler._render_form: spawn.html with JupyterHub's variables (for_user the User, spawner its Spawner). */
async function renderForm(ctx: RequestContext, deps: PagesDeps, t: Target, spawner: HookSpawner, formHtml: string, errorMessage: string): Promise<void> {
  const ns = namespace(ctx, deps, t.me, {
    for_user: userView(t.user, deps.baseUrl, deps.config.JupyterHub.subdomain_host),
    auth_state: await authStateOf(deps, t.user),
    spawner: spawnerTemplateView(spawner, deps.servers().runtime(t.user.name, t.server)),
    server_name: t.server,
    spawner_options_form: formHtml,
    error_message: errorMessage,
    url: ctx.url.pathname + ctx.url.search,
  });
  sendHtml(ctx.res, 200, deps.renderer.render('spawn.html', ns));
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * `next` is honoured only inside this server's own prefix: no open redirect through the spawn page. It passes the
 * login page's rules first (safeNextUrl: no control characters or backslashes, no other host, dot segments
 * resolved, so `/user/ann/../../x` is `/x`, outside), then must lie under the prefix. With subdomain_host the server
 * is on its user's host (user.py `server_url`), and a `next` may name that host (UserRedirectHandler sends one).
 */
function landing(ctx: RequestContext, deps: PagesDeps, t: Target): { ready: string; pending: string } {
  const jh = deps.config.JupyterHub;
  const raw = ctx.url.searchParams.get('next') ?? '';
  const host = userHost(jh.subdomain_host, t.user.name);
  const path = serverPath(deps.baseUrl, t.user.name, t.server);
  const next = safeNextUrl(raw, { host: ctx.req.headers.host ?? '', subdomainHost: jh.subdomain_host });
  const safe = next.startsWith(path);
  if (raw !== '' && !safe) deps.log.warn(`Ignoring next outside ${path}: ${JSON.stringify(raw.slice(0, 200))}`);
  // user.server_url: a named server's URL is url_path_join'ed, without the trailing slash.
  const serverUrl = t.server === '' ? path : path.slice(0, -1);
  return {
    ready: host + (safe ? next : serverUrl),
    pending: safe ? `${pendingUrl(deps, t)}?next=${encodeURIComponent(host + next)}` : pendingUrl(deps, t),
  };
}

async function start(ctx: RequestContext, deps: PagesDeps, t: Target, options: Record<string, unknown>): Promise<void> {
  const to = landing(ctx, deps, t);
  const rt = deps.servers().runtime(t.user.name, t.server);
  if (rt.ready) return redirect(ctx.res, to.ready);
  if (rt.pending === 'spawn') return redirect(ctx.res, to.pending);
  try {
    // SpawnHandler._wrap_spawn_single_user: wait at most a second for the spawn to fail, then always go to
    // spawn-pending, which sends a ready server on (a spawn that fails later is shown there).
    const spawn = deps.servers().start(t.user, t.server, options);
    spawn.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([spawn, new Promise<void>((resolve) => (timer = setTimeout(resolve, SPAWN_WAIT_MS)))]).finally(() => clearTimeout(timer));
    redirect(ctx.res, to.pending);
  } catch (err) {
    if (err instanceof ServerError && err.status === 429) {
      // base.py write_error sends the exception's headers on pages too: Retry-After from spawn_throttle_retry_range.
      for (const [name, value] of Object.entries(err.headers)) ctx.res.setHeader(name, value);
      throw new PageError(429, err.message);
    }
    throw err;
  }
}

async function showSpawn(ctx: RequestContext, deps: PagesDeps): Promise<void> {
  const t = await target(ctx, deps, await requireUser(ctx, deps));
  const rt = deps.servers().runtime(t.user.name, t.server);
  if (rt.ready || rt.pending !== null) return start(ctx, deps, t, {});
  const spawner = spawnerOf(deps, t);
  // pages.py SpawnHandler._get: auth_state may be an input to the options form, so auth_state_hook runs first.
  const hook = deps.config.Spawner.auth_state_hook;
  if (typeof hook === 'function') await (hook as (s: unknown, a: unknown) => unknown)(spawner, await authStateOf(deps, t.user));
  // pages.py SpawnHandler.get: query arguments other than `next` are options (options_from_query, which is
  // options_from_form) and start the server at once; if that fails, the form shows why (or the server starts
  // with no options when there is no form).
  const query = new URLSearchParams([...ctx.url.searchParams].filter(([k]) => k !== 'next'));
  let errorMessage = '';
  if ([...query.keys()].length > 0) {
    try {
      return await start(ctx, deps, t, await optionsFromForm(deps, spawner, query));
    } catch (err) {
      if (err instanceof PageError) throw err;
      deps.log.error(`Failed to spawn single-user server with query arguments: ${reason(err)}`);
      errorMessage = reason(err);
    }
  }
  const formHtml = await optionsFormHtml(spawner);
  if (formHtml === '') return start(ctx, deps, t, {});
  await renderForm(ctx, deps, t, spawner, formHtml, errorMessage);
}

async function submitSpawn(ctx: RequestContext, deps: PagesDeps): Promise<void> {
  const { user: me, form } = await userForm(ctx, deps);
  const t = await target(ctx, deps, me);
  const spawner = spawnerOf(deps, t);
  let options: Record<string, unknown>;
  try {
    options = await optionsFromForm(deps, spawner, form, await readFormFiles(ctx.req));
  } catch (err) {
    // pages.py SpawnHandler._post: the form again, with the error above it.
    deps.log.error(`Failed to spawn single-user server with form: ${reason(err)}`);
    return renderForm(ctx, deps, t, spawner, await optionsFormHtml(spawner), reason(err));
  }
  await start(ctx, deps, t, options);
}

async function spawnPending(ctx: RequestContext, deps: PagesDeps): Promise<void> {
  const t = await target(ctx, deps, await requireUser(ctx, deps));
  const rt = deps.servers().runtime(t.user.name, t.server);
  const to = landing(ctx, deps, t);
  if (rt.ready) return redirect(ctx.res, to.ready);
  if (rt.pending !== 'spawn') {
    // Not starting (it failed, or nobody asked): back to the spawn page, which starts it or shows the form.
    return redirect(ctx.res, `${deps.hubPrefix}spawn/${escapePath(t.user.name)}${t.server === '' ? '' : `/${escapePath(t.server)}`}`);
  }
  const progressUrl = `${deps.hubPrefix}api/users/${escapePath(t.user.name)}/${t.server === '' ? 'server' : `servers/${escapePath(t.server)}`}/progress`;
  // pages.py SpawnPendingHandler: `user` is the server's owner (for an admin too), `spawner` its spawner.
  const owner = userView(t.user, deps.baseUrl, deps.config.JupyterHub.subdomain_host);
  const ns = namespace(ctx, deps, t.me, {
    user: owner, for_user: owner, server_name: t.server, progress_url: progressUrl, server_url: to.ready,
    spawner: spawnerTemplateView(spawnerOf(deps, t), rt), auth_state: await authStateOf(deps, t.user),
  });
  sendHtml(ctx.res, 200, deps.renderer.render('spawn_pending.html', ns));
}

export function registerSpawnPages(router: Router, deps: PagesDeps): void {
  for (const path of ['spawn', 'spawn/:user', 'spawn/:user/:server']) {
    router.add('GET', path, page(deps, (ctx) => showSpawn(ctx, deps)));
    router.add('POST', path, page(deps, (ctx) => submitSpawn(ctx, deps)));
  }
  router.add('GET', 'spawn-pending/:user', page(deps, (ctx) => spawnPending(ctx, deps)));
  router.add('GET', 'spawn-pending/:user/:server', page(deps, (ctx) => spawnPending(ctx, deps)));
}
