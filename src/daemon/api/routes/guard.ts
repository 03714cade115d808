/**
 * `@needs_scope` for our routes. The scopes each endpoint needs come from the scopes module's ENDPOINT_SCOPES table
 * (the same table the scope-matrix test is generated against), looked up once when the route is registered.
 */
import type { Knex } from 'knex';
import { ApiError } from '../http-util.js';
import type { Principal } from '../../auth/principal.js';
import { authorize, ENDPOINT_SCOPES, needsGroups, type HttpMethod, type ScopeTarget } from '../../auth/scopes/index.js';
import { groupNamesOfUserName } from '../../db/groups-repo.js';

/** The alternatives `method path` accepts (path as in ENDPOINT_SCOPES, e.g. `/users/:user`). */
export function scopesFor(method: HttpMethod, path: string): readonly string[] {
  const entry = ENDPOINT_SCOPES.find((e) => e.method === method && e.path === path);
  if (entry === undefined || entry.auth.kind !== 'scopes') throw new Error(`no scope rule for ${method} ${path}`);
  return entry.auth.anyOf;
}

/**
 * Allowed, or JupyterHub's 403 (no such scope) / 404 (a filtered scope that does not cover the target). A `!group=`
 * filter covers the group's members, so the target user's groups are loaded only when such a filter is held.
 */
export async function authorizeTarget(db: Knex, caller: Principal, anyOf: readonly string[], target: ScopeTarget): Promise<void> {
  let full = target;
  if (target.user !== undefined && anyOf.some((s) => needsGroups(caller.scopes, s))) {
    full = { ...target, userGroups: await groupNamesOfUserName(db, target.user) };
  }
  const decision = authorize(caller.scopes, anyOf, full);
  if (!decision.allowed) throw new ApiError(decision.status, decision.message);
}

/** Whether the caller acts as a hub admin (user or service admin flag, or the operator on the socket). */
export function callerIsAdmin(caller: Principal): boolean {
  switch (caller.kind) {
    case 'operator': return true;
    case 'user': return caller.user.admin;
    case 'service': return caller.service.admin;
    case 'anonymous': return false;
  }
}

/** The caller's name as JupyterHub's `current_user.name` (for "Cannot delete yourself!" and token notes). */
export function callerName(caller: Principal): string | null {
  switch (caller.kind) {
    case 'user': return caller.user.name;
    case 'service': return caller.service.name;
    default: return null;
  }
}

/** `/users/:user/server` acts on the default server `user/`, `/users/:user/servers/:server` on `user/server`. */
export function serverTarget(user: string, server: string): ScopeTarget {
  return { user, server: `${user}/${server}` };
}
