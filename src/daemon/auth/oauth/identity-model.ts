/**
 * The models an OAuth client learns about the token's owner (`GET /hub/api/user`, and the deprecated
 * `/authorizations/token/...`): JupyterHub's `user_model` / `service_model` (apihandlers/base.py), filtered by the
 * caller's scopes. Identification scopes are always added for these endpoints (any token may identify its owner),
 * so a token that can do nothing else still learns `kind`, `name`, `admin` and `groups`.
 *
 * For a service JupyterHub builds the model from the ORM row, which has no url, command, info or display: those
 * come out empty (`''`, pid 0), and only `prefix` is read from the service's server row.
 */
import type { Knex } from 'knex';
import { isoZ } from '../../api/http-util.js';
import { progressUrl, serverUrl, userUrl } from '../../api/models/urls.js';
import { listGroupsOfUser } from '../../db/groups-repo.js';
import { listRolesOfService, listRolesOfUser } from '../../db/roles-repo.js';
import { asRows, readNullableString } from '../../db/row.js';
import type { ServiceRow } from '../../db/services-repo.js';
import { spawnersOfUsers, type SpawnerRow } from '../../db/spawners-repo.js';
import type { UserRow } from '../../db/users-repo.js';
import type { ServerManager } from '../../spawner/server-manager.js';
import { filterServiceModel, filterUserModel, identifyScopes, toExpandedScopes, type ExpandedScopes, type Model, type ScopeOwner } from '../scopes/index.js';

export interface ModelDeps {
  db: Knex;
  servers: ServerManager;
  baseUrl: string;
  /** JupyterHub.subdomain_host ('' without subdomains): server URLs are then absolute on the user's host. */
  subdomainHost: string;
}

/** The caller's scopes plus what identifying `owner` needs, and which of those were added (whoami hides them). */
export function withIdentify(held: ExpandedScopes, owner: ScopeOwner): { scopes: ExpandedScopes; added: Set<string> } {
  const added = new Set(identifyScopes(owner).filter((s) => !held.scopes.has(s)));
  if (added.size === 0) return { scopes: held, added };
  return { scopes: toExpandedScopes([...held.scopes, ...added]), added };
}

function serverModel(d: ModelDeps, user: string, sp: SpawnerRow): Model {
  const rt = d.servers.runtime(user, sp.name);
  return {
    name: sp.name,
    last_activity: isoZ(sp.last_activity),
    started: isoZ(sp.started),
    pending: rt.pending,
    ready: rt.ready,
    stopped: rt.stopped,
    url: serverUrl(d.baseUrl, user, sp.name, d.subdomainHost),
    user_options: sp.user_options,
    progress_url: progressUrl(d.baseUrl, user, sp.name),
    state: rt.state,
  };
}

export async function userModel(d: ModelDeps, user: UserRow, held: ExpandedScopes): Promise<Record<string, unknown>> {
  const [groups, roles, spawners] = await Promise.all([
    listGroupsOfUser(d.db, user.id), listRolesOfUser(d.db, user.id), spawnersOfUsers(d.db, [user.id]),
  ]);
  const mine = spawners.get(user.id) ?? [];
  const defaultRt = mine.some((s) => s.name === '') ? d.servers.runtime(user.name, '') : null;
  const servers = new Map<string, Model>();
  for (const sp of mine) if (!d.servers.runtime(user.name, sp.name).stopped) servers.set(sp.name, serverModel(d, user.name, sp));
  const model: Model = {
    kind: 'user',
    name: user.name,
    admin: user.admin,
    roles: roles.map((r) => r.name),
    groups,
    server: defaultRt?.ready ? userUrl(d.baseUrl, user.name, d.subdomainHost) : null,
    pending: defaultRt?.pending ?? null,
    created: isoZ(user.created),
    last_activity: isoZ(user.last_activity),
    // The placeholder JupyterHub's user_model leaves (only the single-user GET fills it in).
    auth_state: null,
  };
  return filterUserModel(held, { name: user.name, groups, model, servers });
}

export async function serviceModel(d: ModelDeps, service: ServiceRow, held: ExpandedScopes): Promise<Record<string, unknown>> {
  const roles = await listRolesOfService(d.db, service.id);
  const server = asRows(await d.db('services').leftJoin('servers', 'servers.id', 'services._server_id')
    .where('services.id', service.id).select('servers.base_url as base_url'))[0];
  const model: Model = {
    kind: 'service',
    name: service.name,
    roles: roles.map((r) => r.name),
    admin: service.admin,
    url: '',
    prefix: server === undefined ? '' : (readNullableString(server, 'base_url') ?? ''),
    command: '',
    pid: 0,
    info: '',
    display: '',
  };
  return filterServiceModel(held, service.name, model);
}
