import { sendJson } from '../http-util.js';
import type { DaemonStatusModel } from '../../../lib/client/models.js';
import type { Router } from '../router.js';
import { requireScope, type ApiDeps } from '../api-service.js';
import { createToken, deleteToken, listTokens } from '../../db/tokens-repo.js';
import { getUserByName, listUsersByIds, newCookieId } from '../../db/users-repo.js';
import { blockUser, blockedUserNames, unblockUser } from '../../db/blocked-users-repo.js';
import { ApiError, readJsonRequest, sendEmpty } from '../http-util.js';
import { getServiceByName } from '../../db/services-repo.js';
import { isExpired, tokenModel } from './tokens.js';

/**
 * hub's own endpoints, for what JupyterHub's API lacks: daemon status and cross-user listings the CLI needs.
 * All of them live under `/hub/ext/`, documented in the README beside the JupyterHub API.
 */
/** What GET /hub/ext/status answers: the same type the CLI reads it as. */
export type DaemonStatus = DaemonStatusModel;

export function registerExtRoutes(router: Router, deps: ApiDeps): void {
  router.add('GET', 'ext/status', async (ctx) => {
    requireScope(ctx.caller, ['read:hub']);
    sendJson(ctx.res, 200, deps.status());
  });

  router.add('GET', 'ext/pressure', async (ctx) => {
    requireScope(ctx.caller, ['read:hub']);
    sendJson(ctx.res, 200, await deps.pressure.snapshot());
  });

  // Server-sent events: a snapshot now, then one after every change (coalesced), and every 5 s regardless.
  router.add('GET', 'ext/events', async (ctx) => {
    requireScope(ctx.caller, ['read:hub']);
    const { res, req } = ctx;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    let busy = false;
    const push = async (): Promise<void> => {
      if (busy || res.writableEnded) return;
      busy = true;
      try {
        res.write(`event: pressure\ndata: ${JSON.stringify(await deps.pressure.snapshot())}\n\n`);
      } finally {
        busy = false;
      }
    };
    const unsubscribe = deps.pressure.subscribe(() => void push());
    const timer = setInterval(() => void push(), 5000);
    const close = (): void => {
      clearInterval(timer);
      unsubscribe();
    };
    req.on('close', close);
    res.on('close', close);
    await push();
  });

  // Blocking ends the user's access at once: every browser session (new cookie_id), every OAuth token the
  // user's browsers hold for servers, every running server; logins and API tokens are refused while blocked.
  router.add('POST', 'ext/users/:name/block', async (ctx) => {
    requireScope(ctx.caller, ['admin:users']);
    const user = await getUserByName(deps.db, ctx.params.name ?? '');
    if (!user) throw new ApiError(404, `No such user: ${ctx.params.name ?? ''}`);
    await blockUser(deps.db, user.id);
    await deps.db('users').where({ id: user.id }).update({ cookie_id: newCookieId() });
    await deps.db('api_tokens').where({ user_id: user.id }).whereNot({ client_id: 'jupyterhub' }).delete();
    deps.identity.invalidate();
    await deps.servers.stopAll(user);
    sendJson(ctx.res, 200, { name: user.name, blocked: true });
  });

  router.add('DELETE', 'ext/users/:name/block', async (ctx) => {
    requireScope(ctx.caller, ['admin:users']);
    const user = await getUserByName(deps.db, ctx.params.name ?? '');
    if (!user) throw new ApiError(404, `No such user: ${ctx.params.name ?? ''}`);
    await unblockUser(deps.db, user.id);
    deps.identity.invalidate();
    sendEmpty(ctx.res, 204);
  });

  router.add('GET', 'ext/blocked', async (ctx) => {
    requireScope(ctx.caller, ['admin:users']);
    sendJson(ctx.res, 200, { items: await blockedUserNames(deps.db) });
  });

  // Service tokens: JupyterHub's API has no endpoint for them (they come from the config); admins need to
  // make and revoke them to rotate a service's credentials without editing the config.
  router.add('POST', 'ext/services/:name/tokens', async (ctx) => {
    requireScope(ctx.caller, ['admin:services', 'admin:users']);
    const service = await getServiceByName(deps.db, ctx.params.name ?? '');
    if (!service) throw new ApiError(404, `No such service: ${ctx.params.name ?? ''}`);
    const body = (await readJsonRequest(ctx.req)) ?? {};
    if (typeof body !== 'object' || Array.isArray(body)) throw new ApiError(400, 'body must be a JSON object');
    const { note, expires_in: expiresIn, scopes } = body as Record<string, unknown>;
    if (note !== undefined && typeof note !== 'string') throw new ApiError(400, 'note must be a string');
    if (expiresIn !== undefined && (typeof expiresIn !== 'number' || !Number.isInteger(expiresIn) || expiresIn <= 0)) throw new ApiError(400, 'expires_in must be a positive integer (seconds)');
    if (scopes !== undefined && !(Array.isArray(scopes) && scopes.every((x) => typeof x === 'string'))) throw new ApiError(400, 'scopes must be a list of strings');
    const made = await createToken(deps.db, { serviceId: service.id }, {
      note: note ?? 'Requested via hub tokens create',
      ...(typeof expiresIn === 'number' ? { expiresInSeconds: expiresIn } : {}),
      ...(scopes ? { scopes: scopes as string[] } : {}),
    });
    sendJson(ctx.res, 201, { ...tokenModel(made.row, { service: service.name }), token: made.token });
  });

  router.add('DELETE', 'ext/services/:name/tokens/:id', async (ctx) => {
    requireScope(ctx.caller, ['admin:services', 'admin:users']);
    const service = await getServiceByName(deps.db, ctx.params.name ?? '');
    const id = /^a(\d+)$/.exec(ctx.params.id ?? '')?.[1];
    if (!service || id === undefined || !(await deleteToken(deps.db, Number(id), { serviceId: service.id }))) {
      throw new ApiError(404, `No such token ${ctx.params.id ?? ''} for service ${ctx.params.name ?? ''}`);
    }
    deps.identity.invalidate();
    sendEmpty(ctx.res, 204);
  });

  router.add('GET', 'ext/tokens', async (ctx) => {
    // Every owner's tokens: only for whoever may read all tokens (an admin, the operator).
    requireScope(ctx.caller, ['read:tokens']);
    if (ctx.caller.scopes.parsed.get('read:tokens') !== 'all') requireScope(ctx.caller, ['admin:users']);
    const tokens = (await listTokens(deps.db, {})).filter((t) => !isExpired(t));
    const userIds = [...new Set(tokens.flatMap((t) => (t.user_id === null ? [] : [t.user_id])))];
    const users = await listUsersByIds(deps.db, userIds);
    const names = new Map(users.map((u) => [u.id, u.name]));
    const items = tokens.map((t) =>
      t.user_id !== null ? tokenModel(t, { user: names.get(t.user_id) ?? '?' }) : tokenModel(t, { service: t.service_name ?? '?' }),
    );
    sendJson(ctx.res, 200, { items });
  });
}
