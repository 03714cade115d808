import type { Knex } from 'knex';
import { requireScope } from '../api/api-service.js';
import { needsGroups } from '../auth/scopes/index.js';
import type { Principal } from '../auth/principal.js';
import { listGroupsOfUser } from '../db/groups-repo.js';
import { spawnersOfUsers } from '../db/spawners-repo.js';
import type { UserRow } from '../db/users-repo.js';
import type { ServerManager, ServerRuntime } from '../spawner/server-manager.js';
import { SPAWN_ATTRIBUTES, type HookSpawner } from '../spawner/spawner-object.js';
import { serverPublicUrl } from '../user-host.js';
import { isDotSegment } from '../auth/authenticators/username-rules.js';
import { escapePath, hasControlChars } from './next-url.js';

/** A server as the home and admin pages show it: the spawner row joined with its live state. */
export interface ServerView {
  name: string;
  active: boolean;
  ready: boolean;
  pending: string | null;
  last_activity: string | null;
  started: string | null;
  url: string;
  spawn_url: string;
}

export interface ViewUrls {
  baseUrl: string;
  hubPrefix: string;
  /** JupyterHub.subdomain_host: a server's url is then on its user's host (user.py `server_url`). */
  subdomainHost: string;
}

export function serverView(user: UserRow, name: string, servers: ServerManager, urls: ViewUrls, row?: { last_activity: Date | null; started: Date | null }): ServerView {
  const rt = servers.runtime(user.name, name);
  const userPart = escapePath(user.name);
  return {
    name,
    active: !rt.stopped,
    ready: rt.ready,
    pending: rt.pending,
    last_activity: row?.last_activity?.toISOString() ?? null,
    started: row?.started?.toISOString() ?? null,
    url: serverPublicUrl(urls.subdomainHost, urls.baseUrl, user.name, name),
    spawn_url: `${urls.hubPrefix}spawn/${userPart}${name === '' ? '' : `/${escapePath(name)}`}`,
  };
}

/**
 * A server's spawner as templates get it (JupyterHub passes its Spawner object as `spawner`): the attributes hooks
 * see, and the state JupyterHub's templates test (ready, active, pending).
 */
export function spawnerTemplateView(s: HookSpawner, rt: ServerRuntime): Record<string, unknown> {
  const attributes = Object.fromEntries(SPAWN_ATTRIBUTES.map((name) => [name, s[name]]));
  return { ...attributes, name: s.name, user: { ...s.user }, user_options: s.user_options, ready: rt.ready, active: !rt.stopped, pending: rt.pending };
}

/** Every user's servers, default first, in one query. */
export async function serversOf(db: Knex, users: readonly UserRow[], servers: ServerManager, urls: ViewUrls): Promise<Map<number, ServerView[]>> {
  const rows = await spawnersOfUsers(db, users.map((u) => u.id));
  const out = new Map<number, ServerView[]>();
  for (const user of users) {
    const own = rows.get(user.id) ?? [];
    const byName = new Map(own.map((s) => [s.name, s]));
    const names = ['', ...own.map((s) => s.name).filter((n) => n !== '').sort()];
    out.set(user.id, names.map((n) => serverView(user, n, servers, urls, byName.get(n))));
  }
  return out;
}

/** requireScope for a user or one of their servers, loading the user's groups only when a held filter needs them. */
export async function requireUserScope(db: Knex, caller: Principal, scope: string, user: UserRow, server?: string): Promise<void> {
  const target = server === undefined ? { user: user.name } : { server: `${user.name}/${server}` };
  const userGroups = needsGroups(caller.scopes, scope) ? await listGroupsOfUser(db, user.id) : undefined;
  requireScope(caller, [scope], userGroups === undefined ? target : { ...target, userGroups });
}

/** A server name a user may choose: JupyterHub forbids '/', and hub keeps names short and printable. */
export function validServerName(name: string): boolean {
  return name !== '' && name.length <= 255 && !name.includes('/') && !isDotSegment(name) && !hasControlChars(name) && name === name.trim();
}
