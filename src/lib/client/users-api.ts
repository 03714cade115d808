import type { HubClient } from './hub-client.js';
import { asNameList, asUser, asUserPage, type UserModel } from './models.js';
import { apiPath, orNotFound, userPath } from './paths.js';
import { HubError } from '../errors.js';

/** Typed calls of JupyterHub's user API, plus hub's block list under /hub/ext/. */
const PAGE = 200;
const PAGINATED = { accept: 'application/jupyterhub-pagination+json' };
const LIST_HINT = 'hub users ls lists the users.';

export type UserState = 'active' | 'ready' | 'inactive';
export type UserSortKey = 'name' | 'last_activity' | 'created';
/** A key, or `-key` for descending (JupyterHub 5's `sort` syntax). */
export type UserSort = UserSortKey | `-${UserSortKey}`;
export const USER_SORTS: readonly UserSort[] = ['name', '-name', 'last_activity', '-last_activity', 'created', '-created'];

export interface UserQuery {
  nameFilter?: string;
  state?: UserState;
  sort?: UserSort;
  includeStoppedServers?: boolean;
}

/**
 * Follows JupyterHub's pagination until the end, so a listing is complete whatever the page limits are
 * (100,000 users are 500 requests on one keep-alive connection). `sort` is passed on for daemons that
 * sort (JupyterHub 5's API) and applied here again, so the order holds against any daemon.
 */
export async function listUsers(client: HubClient, q: UserQuery = {}): Promise<UserModel[]> {
  const users: UserModel[] = [];
  let offset = 0;
  for (;;) {
    const params = new URLSearchParams({ offset: String(offset), limit: String(PAGE) });
    if (q.nameFilter) params.set('name_filter', q.nameFilter);
    if (q.state) params.set('state', q.state);
    if (q.sort && q.sort.replace('-', '') !== 'created') params.set('sort', q.sort);
    if (q.includeStoppedServers) params.set('include_stopped_servers', '1');
    const page = asUserPage(await client.get(apiPath('users', params), { headers: PAGINATED }));
    users.push(...page.items);
    if (!page.next || page.items.length === 0) return q.sort ? sortUsers(users, q.sort) : users;
    offset = page.next.offset;
  }
}

export function sortUsers(users: UserModel[], sort: UserSort): UserModel[] {
  const desc = sort.startsWith('-');
  const key = sort.replace('-', '') as UserSortKey;
  const sign = desc ? -1 : 1;
  return [...users].sort((a, b) => {
    if (key === 'name') return sign * a.name.localeCompare(b.name);
    const x = a[key];
    const y = b[key];
    // Never-active users go last in either direction: they are not "oldest" or "newest".
    if (x === y) return a.name.localeCompare(b.name);
    if (x === null) return 1;
    if (y === null) return -1;
    return sign * (Date.parse(x) - Date.parse(y));
  });
}

export async function getUser(client: HubClient, name: string, opts: { includeStoppedServers?: boolean } = {}): Promise<UserModel> {
  const q = opts.includeStoppedServers ? '?include_stopped_servers=1' : '';
  return asUser(await orNotFound(client.get(`${userPath(name)}${q}`), `no such user: ${name}`, LIST_HINT));
}

/**
 * POST /users creates the names that do not exist yet and answers with those; when every name exists it
 * answers 409. Both are success for `hub users add` (idempotent), so the caller learns which were new.
 */
export async function createUsers(client: HubClient, names: string[], admin: boolean): Promise<{ created: UserModel[]; existing: string[] }> {
  const res = await client.post(apiPath('users'), { usernames: names, admin }, { accept: [409] });
  if (res.status === 409) return { created: [], existing: names };
  if (!Array.isArray(res.body)) throw new HubError('API_ERROR', 'the hub answered POST /users with something that is not a list of users');
  const created = res.body.map(asUser);
  const made = new Set(created.map((u) => u.name));
  return { created, existing: names.filter((n) => !made.has(n)) };
}

export async function deleteUser(client: HubClient, name: string): Promise<void> {
  await orNotFound(client.delete(userPath(name)), `no such user: ${name}`, LIST_HINT);
}

export async function patchUser(client: HubClient, name: string, change: { name?: string; admin?: boolean }): Promise<UserModel> {
  const res = await orNotFound(client.patch(userPath(name), change), `no such user: ${name}`, LIST_HINT);
  return asUser(res.body);
}

export async function blockUser(client: HubClient, name: string): Promise<void> {
  await orNotFound(client.post(`/hub/ext/users/${encodeURIComponent(name)}/block`), `no such user: ${name}`, LIST_HINT);
}

export async function unblockUser(client: HubClient, name: string): Promise<void> {
  await orNotFound(client.delete(`/hub/ext/users/${encodeURIComponent(name)}/block`), `no such user: ${name}`, LIST_HINT);
}

export async function listBlocked(client: HubClient): Promise<string[]> {
  return asNameList(await client.get('/hub/ext/blocked'));
}
