import type { HubClient } from './hub-client.js';
import { asTokenList, asUserPage, type TokenModel, type UserModel, type ServerModel } from './models.js';

/** Typed calls of JupyterHub's API (and hub's /hub/ext/) that the commands share. */
const PAGE = 200;

/** Follows JupyterHub's pagination until the end, so `ls` is complete whatever the page limits are. */
export async function listUsers(client: HubClient, q: { nameFilter?: string; state?: string } = {}): Promise<UserModel[]> {
  const users: UserModel[] = [];
  let offset = 0;
  for (;;) {
    const params = new URLSearchParams({ offset: String(offset), limit: String(PAGE) });
    if (q.nameFilter) params.set('name_filter', q.nameFilter);
    if (q.state) params.set('state', q.state);
    const page = asUserPage(await client.get(`/hub/api/users?${params}`, { headers: { accept: 'application/jupyterhub-pagination+json' } }));
    users.push(...page.items);
    if (!page.next || page.items.length === 0) return users;
    offset = page.next.offset;
  }
}

export async function listTokens(client: HubClient, q: { user?: string } = {}): Promise<TokenModel[]> {
  if (q.user) return asTokenList(await client.get(`/hub/api/users/${encodeURIComponent(q.user)}/tokens`));
  return asTokenList(await client.get('/hub/ext/tokens'));
}

export interface ServerRow extends ServerModel {
  user: string;
}

export function serversOf(users: UserModel[], includeStopped: boolean): ServerRow[] {
  return users.flatMap((u) =>
    Object.values(u.servers)
      .filter((s) => includeStopped || s.stopped !== true)
      .map((s) => ({ ...s, user: u.name })),
  );
}
