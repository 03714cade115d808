/**
 * GET /users/{name}/server/progress and /servers/{name}/progress (apihandlers/users.py SpawnProgressAPIHandler,
 * jupyterhub-facts 3.6): an event stream of the server manager's progress events, a keepalive every 8 s so proxies
 * keep the connection, and a final ready or failed event that this module builds as JupyterHub builds it.
 */
import type http from 'node:http';
import { ApiError } from '../http-util.js';
import type { RequestContext, Router } from '../router.js';
import type { ApiDeps } from '../api-service.js';
import { getUserByName } from '../../db/users-repo.js';
import { getSpawner } from '../../db/spawners-repo.js';
import { ServerError, type ProgressEvent } from '../../spawner/server-manager.js';
import { serverLogName, serverUrl } from '../models/urls.js';
import { authorizeTarget, scopesFor, serverTarget } from './guard.js';

const KEEPALIVE_MS = 8000;

function readyEvent(url: string): Record<string, unknown> {
  return { progress: 100, ready: true, message: `Server ready at ${url}`, html_message: `Server ready at <a href="${url}">${url}</a>`, url };
}

function failedEvent(e?: ProgressEvent): Record<string, unknown> {
  const out: Record<string, unknown> = { progress: 100, failed: true, message: e?.message ?? 'Spawn failed' };
  if (e?.html_message) out.html_message = e.html_message;
  return out;
}

class EventStream {
  private readonly res: http.ServerResponse;
  private readonly timer: NodeJS.Timeout;
  readonly closed: Promise<void>;
  isClosed = false;

  constructor(res: http.ServerResponse) {
    this.res = res;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    this.closed = new Promise((resolve) => res.on('close', () => {
      this.isClosed = true;
      resolve();
    }));
    res.write('\n\n');
    this.timer = setInterval(() => res.write('\n\n'), KEEPALIVE_MS);
  }

  send(event: Record<string, unknown>): void {
    if (!this.isClosed) this.res.write(`data: ${JSON.stringify(event)}\n\n`);
  }

  end(): void {
    clearInterval(this.timer);
    if (!this.isClosed) this.res.end();
  }
}

/** Relays the manager's events until the final one; stops listening as soon as the client goes away. */
async function relay(stream: EventStream, events: AsyncIterator<ProgressEvent>, first: IteratorResult<ProgressEvent>, url: string, isReady: () => boolean): Promise<boolean> {
  let step = first;
  while (!step.done) {
    const e = step.value;
    if (e.failed) {
      stream.send(failedEvent(e));
      return true;
    }
    // Spawner events may not set `ready` (JupyterHub strips it): a ready event counts only once the server is ready.
    if (e.ready && isReady()) {
      stream.send(readyEvent(url));
      return true;
    }
    const { ready: _ready, ...rest } = e;
    stream.send(rest);
    const next = await Promise.race([events.next(), stream.closed.then(() => null)]);
    if (next === null) return true;
    step = next;
  }
  return false;
}

async function progress(deps: ApiDeps, ctx: RequestContext, server: string): Promise<void> {
  const name = ctx.params.name ?? '';
  const user = await getUserByName(deps.db, name);
  if (!user) throw new ApiError(404, `No such user: ${name}`);
  const rt = deps.servers.runtime(name, server);
  // Every user has a default server in JupyterHub's eyes (its spawner exists from the first look at the user).
  if (server !== '' && rt.stopped && !(await getSpawner(deps.db, user.id, server))) throw new ApiError(404, `${name} has no server named '${server}'`);
  const url = serverUrl(deps.baseUrl, name, server, deps.config.JupyterHub.subdomain_host);
  if (rt.ready) {
    const stream = new EventStream(ctx.res);
    stream.send(readyEvent(url));
    return stream.end();
  }
  if (rt.pending !== 'spawn') throw new ApiError(400, `${serverLogName(name, server)} is not starting...`);
  const events = deps.servers.progress(name, server)[Symbol.asyncIterator]();
  let first: IteratorResult<ProgressEvent>;
  try {
    first = await events.next();
  } catch (err) {
    if (err instanceof ServerError) throw new ApiError(err.status, err.message, err.headers);
    throw err;
  }
  const stream = new EventStream(ctx.res);
  try {
    const finished = await relay(stream, events, first, url, () => deps.servers.runtime(name, server).ready);
    if (!finished) stream.send(deps.servers.runtime(name, server).ready ? readyEvent(url) : failedEvent());
  } finally {
    stream.end();
  }
}

export function registerProgressRoutes(router: Router, deps: ApiDeps): void {
  const defaultScopes = scopesFor('GET', '/users/:user/server/progress');
  const namedScopes = scopesFor('GET', '/users/:user/servers/:server/progress');
  router.add('GET', 'api/users/:name/server/progress', async (ctx) => {
    ctx.res.setHeader('cache-control', 'no-cache');
    await authorizeTarget(deps.db, ctx.caller, defaultScopes, serverTarget(ctx.params.name ?? '', ''));
    await progress(deps, ctx, '');
  });
  router.add('GET', 'api/users/:name/servers/:server/progress', async (ctx) => {
    ctx.res.setHeader('cache-control', 'no-cache');
    const server = ctx.params.server ?? '';
    await authorizeTarget(deps.db, ctx.caller, namedScopes, serverTarget(ctx.params.name ?? '', server));
    await progress(deps, ctx, server);
  });
}
