/**
 * REST models cut down to what the caller's scopes allow (apihandlers/base.py `_filter_model` and the access maps
 * of `user_model`, `group_model`, `service_model`, `server_model`). Each scope in a map unlocks its keys for the
 * resources its filter covers; the model keeps the union. No covering scope -> `{}` (handlers then drop the item).
 */
import { scopeFilterFor, type ScopeResource } from './check.js';
import type { ExpandedScopes } from './parsed.js';

export type Model = Readonly<Record<string, unknown>>;
export type AccessMap = Readonly<Record<string, readonly string[]>>;

export const USER_ACCESS_MAP: AccessMap = {
  'read:users': ['kind', 'name', 'admin', 'roles', 'groups', 'server', 'pending', 'created', 'last_activity'],
  'read:users:name': ['kind', 'name', 'admin'],
  'read:users:groups': ['kind', 'name', 'groups'],
  'read:users:activity': ['kind', 'name', 'last_activity'],
  'read:servers': ['kind', 'name', 'servers'],
  'read:roles:users': ['kind', 'name', 'roles', 'admin'],
  'admin:auth_state': ['kind', 'name', 'auth_state'],
};

export const GROUP_ACCESS_MAP: AccessMap = {
  'read:groups': ['kind', 'name', 'users'],
  'read:groups:name': ['kind', 'name'],
  'read:roles:groups': ['kind', 'name', 'roles'],
};

export const SERVICE_ACCESS_MAP: AccessMap = {
  'read:services': ['kind', 'name', 'admin', 'url', 'prefix', 'command', 'pid', 'info', 'display'],
  'read:services:name': ['kind', 'name', 'admin'],
  'read:roles:services': ['kind', 'name', 'roles', 'admin'],
};

/** Keys of a model of `resource` that `held` may see under `accessMap`. */
export function allowedKeys(held: ExpandedScopes, accessMap: AccessMap, resource: ScopeResource): Set<string> {
  const keys = new Set<string>();
  for (const [scope, scopeKeys] of Object.entries(accessMap)) {
    if (scopeFilterFor(held, scope)(resource)) for (const k of scopeKeys) keys.add(k);
  }
  return keys;
}

function pick(model: Model, keys: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(model)) if (keys.has(k)) out[k] = v;
  return out;
}

export function filterModel(held: ExpandedScopes, accessMap: AccessMap, resource: ScopeResource, model: Model): Record<string, unknown> {
  return pick(model, allowedKeys(held, accessMap, resource));
}

export interface ServerRef {
  user: string;
  name: string;
  userGroups?: readonly string[];
}

/** A server model; `state` only with `admin:server_state` on that server. Callers already checked `read:servers`. */
export function filterServerModel(held: ExpandedScopes, server: ServerRef, model: Model): Record<string, unknown> {
  const out: Record<string, unknown> = { ...model };
  if (!scopeFilterFor(held, 'admin:server_state')({ kind: 'server', ...server })) delete out.state;
  return out;
}

export interface UserModelInput {
  name: string;
  /** The user's groups, for `!group=` filters. */
  groups: readonly string[];
  /** The full model without `servers` (kind, name, admin, roles, groups, server, pending, created, ...). */
  model: Model;
  /** Full models (with `state`) of the servers the handler would list (active ones, or all with include_stopped). */
  servers?: ReadonlyMap<string, Model>;
}

/**
 * A user model as JupyterHub's `user_model` returns it. `servers` lists only servers `read:servers` covers, and is
 * present when the caller may read this user's servers in general or can read at least one of them.
 */
export function filterUserModel(held: ExpandedScopes, user: UserModelInput): Record<string, unknown> {
  const resource: ScopeResource = { kind: 'user', name: user.name, groups: user.groups };
  const keys = allowedKeys(held, USER_ACCESS_MAP, resource);
  const out = pick(user.model, keys);
  if (Object.keys(out).length === 0) return out;
  const canRead = scopeFilterFor(held, 'read:servers');
  const servers: Record<string, unknown> = {};
  for (const [name, model] of user.servers ?? new Map<string, Model>()) {
    const ref = { user: user.name, name, userGroups: user.groups };
    if (canRead({ kind: 'server', ...ref })) servers[name] = filterServerModel(held, ref, model);
  }
  if (keys.has('servers') || Object.keys(servers).length > 0) out.servers = servers;
  return out;
}

export function filterGroupModel(held: ExpandedScopes, name: string, model: Model): Record<string, unknown> {
  return filterModel(held, GROUP_ACCESS_MAP, { kind: 'group', name }, model);
}

export function filterServiceModel(held: ExpandedScopes, name: string, model: Model): Record<string, unknown> {
  return filterModel(held, SERVICE_ACCESS_MAP, { kind: 'service', name }, model);
}
