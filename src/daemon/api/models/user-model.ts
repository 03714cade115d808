/**
 * apihandlers/base.py `user_model`, cut down to the caller's scopes by the scopes module's `filterUserModel`.
 * `servers` lists active servers (or, with include_stopped_servers, every spawner row plus the default server).
 *
 * Lists build hundreds of models per request, so `userModelFilter` checks once whether the caller's relevant scopes
 * are all unfiltered (an admin, the operator); then every user gets the same keys and the per-user scope walk is
 * skipped. The result is the same as filterUserModel's (test/integration/api-models.test.ts compares them).
 */
import type { ServerManager } from '../../spawner/server-manager.js';
import {
  ALL, allowedKeys, filterUserModel, USER_ACCESS_MAP, type ExpandedScopes, type Model,
} from '../../auth/scopes/index.js';
import type { UserAggregate } from './user-query.js';
import { neverSpawned, serverModel } from './server-model.js';
import { userUrl } from './urls.js';

export interface UserModelContext {
  baseUrl: string;
  /** JupyterHub.subdomain_host ('' without subdomains): server URLs are then absolute on the user's host. */
  subdomainHost: string;
  servers: ServerManager;
  includeStopped: boolean;
}

export interface FullUserModel {
  name: string;
  groups: readonly string[];
  model: Record<string, unknown>;
  servers: Map<string, Model>;
}

/** Everything JupyterHub's user_model computes before filtering (auth_state is a placeholder, as there). */
export function fullUserModel(agg: UserAggregate, ctx: UserModelContext): FullUserModel {
  const def = ctx.servers.runtime(agg.name, '');
  const model: Record<string, unknown> = {
    kind: 'user',
    name: agg.name,
    admin: agg.admin,
    roles: agg.roles,
    groups: agg.groups,
    server: def.ready ? userUrl(ctx.baseUrl, agg.name, ctx.subdomainHost) : null,
    pending: def.stopped ? null : def.pending,
    created: agg.created,
    last_activity: agg.lastActivity,
    auth_state: null,
  };
  const servers = new Map<string, Model>();
  for (const s of agg.spawners) {
    const rt = ctx.servers.runtime(agg.name, s.name);
    if (!rt.stopped || ctx.includeStopped) servers.set(s.name, serverModel(ctx.baseUrl, agg.name, s, rt, ctx.subdomainHost));
  }
  if (ctx.includeStopped && !servers.has('')) servers.set('', serverModel(ctx.baseUrl, agg.name, neverSpawned(''), def, ctx.subdomainHost));
  return { name: agg.name, groups: agg.groups, model, servers };
}

const SERVER_SCOPES = ['read:servers', 'admin:server_state'];

/** The filter for one caller: filterUserModel, or its equivalent shortcut when no relevant scope is filtered. */
export function userModelFilter(held: ExpandedScopes): (full: FullUserModel) => Record<string, unknown> {
  const relevant = [...Object.keys(USER_ACCESS_MAP), ...SERVER_SCOPES];
  const uniform = relevant.every((s) => held.parsed.get(s) === undefined || held.parsed.get(s) === ALL);
  if (!uniform) return (full) => filterUserModel(held, full);
  const keys = allowedKeys(held, USER_ACCESS_MAP, { kind: 'user', name: '' });
  if (keys.size === 0) return () => ({});
  const readServers = held.parsed.get('read:servers') === ALL;
  const withState = held.parsed.get('admin:server_state') === ALL;
  // An admin may see every key: the full model is the answer (it is built per request, so it may be extended).
  const everything = Object.values(USER_ACCESS_MAP).every((ks) => ks.every((k) => keys.has(k)));
  return (full) => {
    let out: Record<string, unknown> = full.model;
    if (!everything) {
      out = {};
      for (const [k, v] of Object.entries(full.model)) if (keys.has(k)) out[k] = v;
    }
    if (!readServers) {
      if (keys.has('servers')) out.servers = {};
      return out;
    }
    const servers: Record<string, unknown> = {};
    for (const [name, m] of full.servers) {
      if (withState) servers[name] = m;
      else {
        const { state: _state, ...rest } = m;
        servers[name] = rest;
      }
    }
    out.servers = servers;
    return out;
  };
}
