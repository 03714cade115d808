/**
 * Starting and stopping servers (apihandlers/users.py UserServerAPIHandler) and the deprecated admin-access no-op.
 * The checks are JupyterHub's (named servers enabled, named_server_limit_per_user, pending states, `remove`); the
 * lifecycle itself belongs to the server manager, whose ServerError statuses and headers (429 Retry-After) pass
 * through unchanged. Replies are empty with `Content-Type: text/plain`, as JupyterHub's.
 */
import { ApiError, readJsonRequest, sendEmpty, sendPlain } from '../http-util.js';
import type { Router, RequestContext } from '../router.js';
import type { ApiDeps } from '../api-service.js';
import { userFromRow, type UserRow } from '../../db/users-repo.js';
import { readRows } from '../models/read-connection.js';
import { deleteSpawner, getSpawner } from '../../db/spawners-repo.js';
import { ServerError } from '../../spawner/server-manager.js';
import { spawnerSummaries } from '../models/user-query.js';
import { checkServerName } from '../models/names.js';
import { serverLogName } from '../models/urls.js';
import { authorizeTarget, scopesFor, serverTarget } from './guard.js';
import { isObject, truthy } from './body.js';

/** Through the read connections when there are (SQLite): a spawn storm's look-ups then never queue behind its writes. */
async function findUser(deps: ApiDeps, name: string): Promise<UserRow> {
  const [row] = await readRows(deps.db, deps.db('users').where({ name }).limit(1));
  if (!row) throw new ApiError(404, `No such user: ${name}`);
  return userFromRow(row);
}

async function serverNames(deps: ApiDeps, user: UserRow): Promise<Set<string>> {
  return new Set(((await spawnerSummaries(deps.db, [user.id])).get(user.id) ?? []).map((s) => s.name));
}

async function checkNamedServer(deps: ApiDeps, user: UserRow, server: string): Promise<void> {
  if (server === '') return;
  const jh = deps.config.JupyterHub;
  if (!jh.allow_named_servers) throw new ApiError(400, 'Named servers are not enabled.');
  checkServerName(server);
  const existing = await serverNames(deps, user);
  const named = [...existing].filter((n) => n !== '').length;
  if (jh.named_server_limit_per_user > 0 && !existing.has(server) && named >= jh.named_server_limit_per_user) {
    throw new ApiError(400, `User ${user.name} already has the maximum of ${jh.named_server_limit_per_user} named servers.` +
      '  One must be deleted before a new server can be created');
  }
}

/** Manager errors keep their status and headers (Retry-After); anything else is the manager's failure. */
async function viaManager<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (err) {
    if (err instanceof ServerError) throw new ApiError(err.status, err.message, err.headers);
    throw err;
  }
}

async function startServer(deps: ApiDeps, ctx: RequestContext, server: string): Promise<void> {
  const user = await findUser(deps, ctx.params.name ?? '');
  await checkNamedServer(deps, user, server);
  const rt = deps.servers.runtime(user.name, server);
  const logName = serverLogName(user.name, server);
  if (rt.pending === 'spawn') return sendPlain(ctx.res, 202);
  if (rt.pending) throw new ApiError(400, `${logName} is pending ${rt.pending}`);
  if (rt.ready) throw new ApiError(400, `${logName} is already running`);
  const options = await readJsonRequest(ctx.req);
  if (options !== undefined && options !== null && !isObject(options)) throw new ApiError(400, 'user_options must be a JSON object');
  const outcome = await viaManager(() => deps.servers.start(user, server, options ?? {}));
  sendPlain(ctx.res, outcome === 'ready' ? 201 : 202);
}

/** After a slow stop, the named server's row goes once the manager reports it stopped (bounded wait). */
function removeWhenStopped(deps: ApiDeps, user: UserRow, server: string): void {
  const deadline = Date.now() + 10 * 60_000;
  const tick = (): void => {
    if (!deps.servers.runtime(user.name, server).stopped) {
      if (Date.now() < deadline) setTimeout(tick, 500).unref();
      else deps.log.warn(`${serverLogName(user.name, server)} did not stop within 10 minutes; its record is kept`);
      return;
    }
    void removeRow(deps, user, server).catch((err: unknown) => deps.log.error(`removing ${serverLogName(user.name, server)}: ${String(err)}`));
  };
  tick();
}

async function removeRow(deps: ApiDeps, user: UserRow, server: string): Promise<void> {
  const row = await getSpawner(deps.db, user.id, server);
  if (row) await deleteSpawner(deps.db, row.id);
  deps.servers.dropSpawnerObject?.(user.name, server);
  deps.log.info(`Deleted spawner ${serverLogName(user.name, server)}`);
}

async function stopServer(deps: ApiDeps, ctx: RequestContext, server: string): Promise<void> {
  const user = await findUser(deps, ctx.params.name ?? '');
  const body = await readJsonRequest(ctx.req);
  if (body !== undefined && body !== null && !isObject(body)) throw new ApiError(400, 'body must be a JSON object like {"remove": true}');
  const remove = isObject(body) && truthy(body.remove);
  if (server !== '') {
    if (!deps.config.JupyterHub.allow_named_servers) throw new ApiError(400, 'Named servers are not enabled.');
    if (!(await serverNames(deps, user)).has(server)) throw new ApiError(404, `${user.name} has no server named '${server}'`);
  } else if (remove) {
    throw new ApiError(400, 'Cannot delete the default server');
  }
  const rt = deps.servers.runtime(user.name, server);
  const logName = serverLogName(user.name, server);
  if (rt.pending === 'stop') {
    if (remove) removeWhenStopped(deps, user, server);
    return sendPlain(ctx.res, 202);
  }
  if (rt.pending) throw new ApiError(400, `${logName} is pending ${rt.pending}, please wait`);
  const outcome = rt.stopped ? 'stopped' : await viaManager(() => deps.servers.stop(user, server));
  if (remove) {
    if (outcome === 'pending') removeWhenStopped(deps, user, server);
    else await removeRow(deps, user, server);
  }
  sendPlain(ctx.res, outcome === 'pending' ? 202 : 204);
}

export function registerServerRoutes(router: Router, deps: ApiDeps): void {
  const startDefault = scopesFor('POST', '/users/:user/server');
  const stopDefault = scopesFor('DELETE', '/users/:user/server');
  const startNamed = scopesFor('POST', '/users/:user/servers/:server');
  const stopNamed = scopesFor('DELETE', '/users/:user/servers/:server');
  const adminAccess = scopesFor('POST', '/users/:user/admin-access');
  const target = (ctx: RequestContext, server: string) => serverTarget(ctx.params.name ?? '', server);

  router.add('POST', 'api/users/:name/server', async (ctx) => {
    await authorizeTarget(deps.db, ctx.caller, startDefault, target(ctx, ''));
    await startServer(deps, ctx, '');
  });
  router.add('DELETE', 'api/users/:name/server', async (ctx) => {
    await authorizeTarget(deps.db, ctx.caller, stopDefault, target(ctx, ''));
    await stopServer(deps, ctx, '');
  });
  router.add('POST', 'api/users/:name/servers/:server*', async (ctx) => {
    await authorizeTarget(deps.db, ctx.caller, startNamed, target(ctx, ctx.params.server ?? ''));
    await startServer(deps, ctx, ctx.params.server ?? '');
  });
  router.add('DELETE', 'api/users/:name/servers/:server*', async (ctx) => {
    await authorizeTarget(deps.db, ctx.caller, stopNamed, target(ctx, ctx.params.server ?? ''));
    await stopServer(deps, ctx, ctx.params.server ?? '');
  });

  // Deprecated since JupyterHub 0.8 (OAuth made it unnecessary); kept as JupyterHub keeps it: checks, then nothing.
  router.add('POST', 'api/users/:name/admin-access', async (ctx) => {
    const name = ctx.params.name ?? '';
    await authorizeTarget(deps.db, ctx.caller, adminAccess, { user: name });
    deps.log.warn('Deprecated in JupyterHub 0.8. Admin access API is not needed now that we use OAuth.');
    if (!deps.config.JupyterHub.admin_access) throw new ApiError(403, 'admin access to user servers disabled');
    await findUser(deps, name);
    sendEmpty(ctx.res, 200);
  });
}
