import { checkScope, scopeFilterFor } from '../auth/scopes/index.js';
import { groupsOfUsers } from '../db/groups-repo.js';
import { listUsers, type ListUsersOptions, type UserRow } from '../db/users-repo.js';
import type { PagesDeps, UserPrincipal } from './page-context.js';
import { serversOf, type ServerView } from './server-views.js';

/**
 * The admin page's list of users, a page at a time: read from the query string for the page, and from the
 * hidden fields of a form for the actions that act on "the users shown" (start all, stop all).
 */
export interface AdminPaging {
  offset: number;
  limit: number;
  nameFilter: string;
  /** `name`, `-name`, `admin`, `-admin`, `last_activity`, `-last_activity`, or '' for the order users were added. */
  sort: string;
}

const SORT_COLUMNS = new Set(['name', 'admin', 'last_activity']);

/** `offset` and `limit` of a listing page: api_page_default_limit by default, at most api_page_max_limit. */
export function readOffsetLimit(params: URLSearchParams, deps: PagesDeps): { offset: number; limit: number } {
  const jh = deps.config.JupyterHub;
  const num = (key: string, fallback: number): number => {
    const raw = params.get(key);
    const n = raw === null || raw === '' ? NaN : Number(raw);
    return Number.isInteger(n) && n >= 0 ? n : fallback;
  };
  return { offset: num('offset', 0), limit: Math.min(Math.max(num('limit', jh.api_page_default_limit), 1), jh.api_page_max_limit) };
}

export function readPaging(params: URLSearchParams, deps: PagesDeps): AdminPaging {
  const sort = params.get('sort') ?? '';
  return {
    ...readOffsetLimit(params, deps),
    nameFilter: (params.get('name_filter') ?? '').slice(0, 255),
    sort: SORT_COLUMNS.has(sort.replace(/^-/, '')) ? sort : '',
  };
}

function order(sort: string): ListUsersOptions['order'] {
  if (sort === '') return undefined;
  const column = sort.replace(/^-/, '');
  if (column !== 'name' && column !== 'admin' && column !== 'last_activity') return undefined;
  return { column, desc: sort.startsWith('-') };
}

export interface AdminUserView {
  row: UserRow;
  name: string;
  admin: boolean;
  last_activity: string | null;
  groups: string[];
  servers: ServerView[];
  can_start: boolean;
  can_stop: boolean;
  can_delete: boolean;
  can_edit_admin: boolean;
  can_edit: boolean;
  can_access: boolean;
}

function rights(me: UserPrincipal, user: UserRow, groups: string[]): Pick<AdminUserView, 'can_start' | 'can_stop' | 'can_delete' | 'can_edit_admin' | 'can_edit' | 'can_access'> {
  const target = { user: user.name, userGroups: groups };
  const adminUsers = checkScope(me.scopes, 'admin:users', target);
  return {
    can_start: checkScope(me.scopes, 'servers', target),
    can_stop: checkScope(me.scopes, 'delete:servers', target),
    can_delete: checkScope(me.scopes, 'delete:users', target) && user.name !== me.user.name,
    can_edit_admin: adminUsers && me.user.admin && user.name !== me.user.name,
    can_edit: adminUsers && (me.user.admin || !user.admin),
    // JupyterHub 3.0's "access server" button: admin_access is RBAC's access:servers now.
    can_access: checkScope(me.scopes, 'access:servers', target),
  };
}

/** The users of one admin page the viewer may list, with their servers and what the viewer may do to each. */
export async function adminUsers(deps: PagesDeps, me: UserPrincipal, p: AdminPaging): Promise<{ users: AdminUserView[]; total: number }> {
  const sortOrder = order(p.sort);
  const { rows, total } = await listUsers(deps.db, { offset: p.offset, limit: p.limit, nameFilter: p.nameFilter, ...(sortOrder ? { order: sortOrder } : {}) });
  const visible = scopeFilterFor(me.scopes, 'list:users');
  const groups = await groupsOfUsers(deps.db, rows.map((u) => u.id));
  const shown = rows.filter((u) => visible({ kind: 'user', name: u.name, groups: groups.get(u.id) ?? [] }));
  const servers = await serversOf(deps.db, shown, deps.servers(), { baseUrl: deps.baseUrl, hubPrefix: deps.hubPrefix, subdomainHost: deps.config.JupyterHub.subdomain_host });
  const users = shown.map((u) => ({
    row: u,
    name: u.name,
    admin: u.admin,
    last_activity: u.last_activity?.toISOString() ?? null,
    groups: groups.get(u.id) ?? [],
    servers: servers.get(u.id) ?? [],
    ...rights(me, u, groups.get(u.id) ?? []),
  }));
  return { users, total };
}
