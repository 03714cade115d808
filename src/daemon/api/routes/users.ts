import type { Knex } from 'knex';
import { ApiError, isoZ, sendJson } from '../http-util.js';
import type { Router } from '../router.js';
import { requireScope, type ApiDeps } from '../api-service.js';
import { scopeFilterFor } from '../../auth/scopes/index.js';
import { getUserByName, listUsers, type UserRow } from '../../db/users-repo.js';
import { groupsOfUsers } from '../../db/groups-repo.js';
import { rolesOfUsers } from '../../db/roles-repo.js';
import { parsePaging, paginated } from '../pagination.js';

/** JupyterHub's user model, as far as the foundation knows users (servers arrive with spawning). */
export interface UserModel {
  kind: 'user';
  name: string;
  admin: boolean;
  roles: string[];
  groups: string[];
  server: string | null;
  pending: string | null;
  created: string | null;
  last_activity: string | null;
  servers: Record<string, unknown>;
}

export async function userModels(db: Knex, users: UserRow[]): Promise<UserModel[]> {
  const ids = users.map((u) => u.id);
  const [groups, roles] = await Promise.all([groupsOfUsers(db, ids), rolesOfUsers(db, ids)]);
  return users.map((u) => ({
    kind: 'user',
    name: u.name,
    admin: u.admin,
    roles: roles.get(u.id) ?? [],
    groups: groups.get(u.id) ?? [],
    server: null,
    pending: null,
    created: isoZ(u.created),
    last_activity: isoZ(u.last_activity),
    servers: {},
  }));
}

export function registerUserRoutes(router: Router, deps: ApiDeps): void {
  router.add('GET', 'api/users', async (ctx) => {
    requireScope(ctx.caller, ['list:users']);
    const paging = parsePaging(ctx.url, ctx.req.headers.accept);
    const nameFilter = ctx.url.searchParams.get('name_filter') ?? undefined;
    const { rows, total } = await listUsers(deps.db, { offset: paging.offset, limit: paging.limit, nameFilter });
    // A filtered list:users (e.g. !group=x) sees only those users, as JupyterHub post-filters.
    const visible = scopeFilterFor(ctx.caller.scopes, 'list:users');
    const items = await userModels(deps.db, rows.filter((u) => visible({ kind: 'user', name: u.name })));
    sendJson(ctx.res, 200, paginated(items, total, paging, ctx.url));
  });

  router.add('GET', 'api/users/:name', async (ctx) => {
    const name = ctx.params.name ?? '';
    requireScope(ctx.caller, ['read:users', 'read:users:name'], { user: name });
    const user = await getUserByName(deps.db, name);
    if (!user) throw new ApiError(404, `No such user: ${name}`);
    const [model] = await userModels(deps.db, [user]);
    sendJson(ctx.res, 200, model);
  });
}
