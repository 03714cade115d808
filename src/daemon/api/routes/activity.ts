/**
 * POST /users/{name}/activity (apihandlers/users.py ActivityAPIHandler): what jupyterhub-singleuser posts every few
 * minutes. Older timestamps are ignored and timestamps more than 59 minutes ahead are refused; any newer one is
 * written. activity_resolution is deliberately not applied here: JupyterHub 3.0 throttles only the activity it
 * records for authenticated requests (handlers/base.py), and throttling these reports would leave a busy server's
 * last_activity up to that many seconds stale, so the idle culler could stop a server that was in use.
 */
import { ApiError, readJsonRequest, sendEmpty } from '../http-util.js';
import type { Router } from '../router.js';
import type { ApiDeps } from '../api-service.js';
import { getUserByName, recordActivity } from '../../db/users-repo.js';
import { spawnerSummaries } from '../models/user-query.js';
import { authorizeTarget, scopesFor } from './guard.js';
import { isObject, truthy } from './body.js';

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const FUTURE_LIMIT_MS = 59 * 60 * 1000;

function offsetMinutes(tz: string | undefined): number {
  if (!tz || tz.toUpperCase() === 'Z') return 0;
  const sign = tz.startsWith('-') ? -1 : 1;
  const digits = tz.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0'));
}

/** users.py `_parse_timestamp`: ISO 8601 (naive = UTC), 400 if unreadable or more than 59 minutes in the future. */
export function parseActivityTimestamp(value: unknown, now = Date.now()): Date {
  const m = typeof value === 'string' ? ISO.exec(value.trim()) : null;
  if (!m) throw new ApiError(400, `Not a valid timestamp: ${JSON.stringify(value)}`);
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', tz] = m;
  const parts = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  const local = new Date(Date.UTC(parts[0], parts[1] - 1, parts[2], parts[3], parts[4], parts[5], Number(frac.padEnd(3, '0').slice(0, 3))));
  // Date.UTC rolls 2026-02-30 over into March; dateutil refuses it, and so do we.
  const rolled = local.getUTCFullYear() !== parts[0] || local.getUTCMonth() !== parts[1] - 1 || local.getUTCDate() !== parts[2] ||
    local.getUTCHours() !== parts[3] || local.getUTCMinutes() !== parts[4] || local.getUTCSeconds() !== parts[5];
  if (rolled || Number.isNaN(local.getTime())) throw new ApiError(400, `Not a valid timestamp: ${JSON.stringify(value)}`);
  const date = new Date(local.getTime() - offsetMinutes(tz) * 60_000);
  if (date.getTime() - now > FUTURE_LIMIT_MS) {
    throw new ApiError(400, `Rejecting activity from more than an hour in the future: ${date.toISOString()}`);
  }
  return date;
}

const SERVERS_SHAPE = 'servers must be a dict of the form {server_name: {last_activity: timestamp}}';

function parseServers(user: string, servers: unknown, known: ReadonlySet<string>): Map<string, Date> {
  if (!isObject(servers)) throw new ApiError(400, SERVERS_SHAPE);
  const out = new Map<string, Date>();
  for (const [name, info] of Object.entries(servers)) {
    if (!known.has(name)) throw new ApiError(400, `No such server '${name}' for user ${user}`);
    if (!isObject(info) || !('last_activity' in info)) throw new ApiError(400, SERVERS_SHAPE);
    out.set(name, parseActivityTimestamp(info.last_activity));
  }
  return out;
}

/** Strictly newer than the stored value (or there is none), as ActivityAPIHandler compares. */
function isNewer(next: Date, current: Date | null): boolean {
  return current === null || next.getTime() > current.getTime();
}

export function registerActivityRoutes(router: Router, deps: ApiDeps): void {
  const anyOf = scopesFor('POST', '/users/:user/activity');
  router.add('POST', 'api/users/:name/activity', async (ctx) => {
    const name = ctx.params.name ?? '';
    await authorizeTarget(deps.db, ctx.caller, anyOf, { user: name });
    const user = await getUserByName(deps.db, name);
    if (!user) throw new ApiError(404, `No such user: ${JSON.stringify(name)}`);
    const body = await readJsonRequest(ctx.req);
    if (!isObject(body)) throw new ApiError(400, 'body must be a json dict');
    if (!truthy(body.last_activity) && !truthy(body.servers)) {
      throw new ApiError(400, 'body must contain at least one of `last_activity` or `servers`');
    }
    const spawners = (await spawnerSummaries(deps.db, [user.id])).get(user.id) ?? [];
    const servers = truthy(body.servers) ? parseServers(name, body.servers, new Set(spawners.map((s) => s.name))) : new Map<string, Date>();
    const last = truthy(body.last_activity) ? parseActivityTimestamp(body.last_activity) : null;
    const current = new Map(spawners.map((s) => [s.name, s.last_activity]));
    const serverWrites = new Map([...servers].filter(([n, when]) => isNewer(when, current.get(n) ?? null)));
    const userWrite = last !== null && isNewer(last, user.last_activity) ? last : null;
    if (userWrite !== null || serverWrites.size > 0) await recordActivity(deps.db, user.id, userWrite, serverWrites);
    sendEmpty(ctx.res, 200);
  });
}
