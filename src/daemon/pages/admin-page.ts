import { requireScope } from '../api/api-service.js';
import type { RequestContext, Router } from '../api/router.js';
import { ALL, checkScope, scopeFilterFor } from '../auth/scopes/index.js';
import { groupsOfUsers } from '../db/groups-repo.js';
import { listUsers, type UserRow } from '../db/users-repo.js';
import { registerAdminActions } from './admin-actions.js';
import { namespace, requireUser, type PagesDeps, type UserPrincipal } from './page-context.js';
import { page } from './page-handler.js';
import { sendHtml } from './respond.js';
import { serversOf } from './server-views.js';

/**
 * /hub/admin (needs `admin-ui`): users a page at a time with their servers, and forms to add users, start and
 * stop servers, grant or revoke admin, delete users. Each button appears only when the viewer's scopes allow
 * that action on that user; the actions check again (admin-actions.ts), so a hand-made form gains nothing.
 */
const DONE_MESSAGES: Readonly<Record<string, string>> = {
  added: 'Added {count} user(s).',
  deleted: 'Deleted the user.',
  started: 'The server is starting.',
  stopped: 'The server stopped.',
  stopping: 'The server is stopping.',
  'admin-granted': 'The user is now an admin.',
  'admin-revoked': 'The user is no longer an admin.',
};

/** A message for `?done=<code>&count=<n>`: fixed texts only, so nothing a link carries is echoed. */
function doneMessage(url: URL): string {
  const text = DONE_MESSAGES[url.searchParams.get('done') ?? ''];
  if (text === undefined) return '';
  const count = Number(url.searchParams.get('count') ?? '0');
  return text.replace('{count}', Number.isInteger(count) && count >= 0 ? String(count) : '0');
}

function paging(url: URL, deps: PagesDeps): { offset: number; limit: number; nameFilter: string } {
  const jh = deps.config.JupyterHub;
  const num = (key: string, fallback: number): number => {
    const raw = url.searchParams.get(key);
    const n = raw === null || raw === '' ? NaN : Number(raw);
    return Number.isInteger(n) && n >= 0 ? n : fallback;
  };
  const limit = Math.min(Math.max(num('limit', jh.api_page_default_limit), 1), jh.api_page_max_limit);
  return { offset: num('offset', 0), limit, nameFilter: (url.searchParams.get('name_filter') ?? '').slice(0, 255) };
}

function rights(me: UserPrincipal, user: UserRow, groups: string[]): Record<string, boolean> {
  const target = { user: user.name, userGroups: groups };
  return {
    can_start: checkScope(me.scopes, 'servers', target),
    can_stop: checkScope(me.scopes, 'delete:servers', target),
    can_delete: checkScope(me.scopes, 'delete:users', target) && user.name !== me.user.name,
    can_edit_admin: checkScope(me.scopes, 'admin:users', target) && me.user.admin && user.name !== me.user.name,
  };
}

async function adminPage(ctx: RequestContext, deps: PagesDeps): Promise<void> {
  const me = await requireUser(ctx, deps);
  requireScope(me, ['admin-ui']);
  const p = paging(ctx.url, deps);
  const { rows, total } = await listUsers(deps.db, { offset: p.offset, limit: p.limit, nameFilter: p.nameFilter });
  const visible = scopeFilterFor(me.scopes, 'list:users');
  const groups = await groupsOfUsers(deps.db, rows.map((u) => u.id));
  const shown = rows.filter((u) => visible({ kind: 'user', name: u.name, groups: groups.get(u.id) ?? [] }));
  const servers = await serversOf(deps.db, shown, deps.servers(), { baseUrl: deps.baseUrl, hubPrefix: deps.hubPrefix, subdomainHost: deps.config.JupyterHub.subdomain_host });
  const users = shown.map((u) => ({
    name: u.name,
    admin: u.admin,
    last_activity: u.last_activity?.toISOString() ?? null,
    groups: groups.get(u.id) ?? [],
    servers: servers.get(u.id) ?? [],
    ...rights(me, u, groups.get(u.id) ?? []),
  }));
  const query = (offset: number): string => {
    const q = new URLSearchParams({ offset: String(Math.max(offset, 0)), limit: String(p.limit) });
    if (p.nameFilter !== '') q.set('name_filter', p.nameFilter);
    return `${deps.hubPrefix}admin?${q.toString()}`;
  };
  const ns = namespace(ctx, deps, me, {
    users,
    total,
    offset: p.offset,
    limit: p.limit,
    name_filter: p.nameFilter,
    prev_url: p.offset > 0 ? query(p.offset - p.limit) : '',
    next_url: p.offset + p.limit < total ? query(p.offset + p.limit) : '',
    done_message: doneMessage(ctx.url),
    can_add_users: me.scopes.parsed.get('admin:users') === ALL,
    can_make_admins: me.user.admin,
    allow_named_servers: deps.config.JupyterHub.allow_named_servers,
    admin_access: true,
  });
  sendHtml(ctx.res, 200, deps.renderer.render('admin.html', ns));
}

export function registerAdminPage(router: Router, deps: PagesDeps): void {
  router.add('GET', 'admin', page(deps, (ctx) => adminPage(ctx, deps)));
  registerAdminActions(router, deps);
}
