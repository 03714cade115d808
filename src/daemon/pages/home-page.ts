import type { RequestContext, Router } from '../api/router.js';
import { deleteSpawner, getSpawner } from '../db/spawners-repo.js';
import { field } from './form-body.js';
import { escapePath } from './next-url.js';
import { authStateOf, namespace, requireUser, userForm, userView, type PagesDeps } from './page-context.js';
import { keywordArgument, templateDatetime, urlPathJoin } from './template-values.js';
import { page } from './page-handler.js';
import { PageError, redirect, sendHtml } from './respond.js';
import { requireUserScope, serversOf, validServerName } from './server-views.js';

/**
 * /hub/home, the user's control panel: their default server and (with allow_named_servers) named servers,
 * each with a start link (/hub/spawn/..., where spawning happens) and a stop button (a form: no JavaScript
 * needed).
 */
async function home(ctx: RequestContext, deps: PagesDeps): Promise<void> {
  const me = await requireUser(ctx, deps);
  const jh = deps.config.JupyterHub;
  const urls = { baseUrl: deps.baseUrl, hubPrefix: deps.hubPrefix, subdomainHost: jh.subdomain_host };
  // Datetimes with isoformat(), as JupyterHub's home.html prints them (`spawner.last_activity.isoformat()`).
  const views = ((await serversOf(deps.db, [me.user], deps.servers(), urls)).get(me.user.id) ?? [])
    .map((v) => ({ ...v, last_activity: templateDatetime(v.last_activity), started: templateDatetime(v.started) }));
  const [defaultServer, ...named] = views;
  if (defaultServer === undefined) throw new PageError(500, 'no default server view');
  // pages.py HomeHandler: JupyterHub's User, whose home.html calls user.all_spawners(include_default=False) and
  // user.server_url(name), and `spawners` (every server by name).
  const user = {
    ...userView(me.user, deps.baseUrl, jh.subdomain_host),
    spawner: defaultServer,
    all_spawners: (...args: unknown[]) => (keywordArgument(args, 'include_default', 0) === false ? named : views),
  };
  const ns = namespace(ctx, deps, me, {
    user,
    auth_state: await authStateOf(deps, me.user),
    default_server: defaultServer,
    named_servers: named,
    spawners: Object.fromEntries(views.map((v) => [v.name, v])),
    url: defaultServer.active ? defaultServer.url : defaultServer.spawn_url,
    url_path_join: urlPathJoin,
    allow_named_servers: jh.allow_named_servers,
    named_server_limit_per_user: jh.named_server_limit_per_user,
    can_add_named: jh.allow_named_servers && (jh.named_server_limit_per_user <= 0 || named.length < jh.named_server_limit_per_user),
  });
  sendHtml(ctx.res, 200, deps.renderer.render('home.html', ns));
}

async function stop(ctx: RequestContext, deps: PagesDeps): Promise<void> {
  const { user: me, form } = await userForm(ctx, deps);
  const server = field(form, 'server');
  if (server !== '' && !validServerName(server)) throw new PageError(400, 'Invalid server name');
  await requireUserScope(deps.db, me, 'delete:servers', me.user, server);
  const outcome = await deps.servers().stop(me.user, server);
  deps.log.info(`${me.user.name} stopped ${server === '' ? 'their server' : `server ${server}`} from the home page (${outcome})`);
  redirect(ctx.res, `${deps.hubPrefix}home`);
}

async function addNamed(ctx: RequestContext, deps: PagesDeps): Promise<void> {
  const { user: me, form } = await userForm(ctx, deps);
  if (!deps.config.JupyterHub.allow_named_servers) throw new PageError(400, 'Named servers are not enabled.');
  const name = field(form, 'server_name').trim();
  if (!validServerName(name)) throw new PageError(400, 'A server name must not be empty or contain "/" or control characters.');
  redirect(ctx.res, `${deps.hubPrefix}spawn/${escapePath(me.user.name)}/${escapePath(name)}`);
}

/** JupyterHub 3.0's "delete" button: a stopped named server's record goes (DELETE .../servers/{name} with remove). */
async function deleteNamed(ctx: RequestContext, deps: PagesDeps): Promise<void> {
  const { user: me, form } = await userForm(ctx, deps);
  const server = field(form, 'server');
  if (!validServerName(server)) throw new PageError(400, 'Only a named server can be deleted.');
  await requireUserScope(deps.db, me, 'delete:servers', me.user, server);
  const row = await getSpawner(deps.db, me.user.id, server);
  if (row === null) throw new PageError(404, `You have no server named ${server}.`);
  if (!deps.servers().runtime(me.user.name, server).stopped) throw new PageError(400, `Stop the server ${server} before deleting it.`);
  await deleteSpawner(deps.db, row.id);
  deps.servers().dropSpawnerObject?.(me.user.name, server);
  deps.log.info(`${me.user.name} deleted server ${server} from the home page`);
  redirect(ctx.res, `${deps.hubPrefix}home`);
}

export function registerHomePage(router: Router, deps: PagesDeps): void {
  router.add('GET', 'home', page(deps, (ctx) => home(ctx, deps)));
  router.add('POST', 'home/stop', page(deps, (ctx) => stop(ctx, deps)));
  router.add('POST', 'home/named', page(deps, (ctx) => addNamed(ctx, deps)));
  router.add('POST', 'home/delete', page(deps, (ctx) => deleteNamed(ctx, deps)));
}
