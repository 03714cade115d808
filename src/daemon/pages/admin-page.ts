import { requireScope } from '../api/api-service.js';
import type { RequestContext, Router } from '../api/router.js';
import { ALL, checkScope } from '../auth/scopes/index.js';
import { registerAdminActions, type AdminErrorRenderer } from './admin-actions.js';
import { registerAdminBulkActions } from './admin-bulk-actions.js';
import { registerAdminGroupsPage } from './admin-groups-page.js';
import { adminUsers, readPaging, type AdminPaging } from './admin-listing.js';
import { authStateOf, namespace, requireUser, userView, type PagesDeps, type UserPrincipal } from './page-context.js';
import { HUB_VERSION } from '../../lib/version.js';
import { page } from './page-handler.js';
import { sendHtml } from './respond.js';

/**
 * /hub/admin (needs `admin-ui`): users a page at a time (searchable, sortable) with their servers, and forms to
 * add users, edit (rename, admin) and delete them, start and stop each server or all shown default servers,
 * open a running server (admin_access), and shut the hub down; groups are on /hub/admin/groups. Each button
 * appears only when the viewer's scopes allow that action on that user; the actions check again
 * (admin-actions.ts), so a hand-made form gains nothing.
 */
const DONE_MESSAGES: Readonly<Record<string, string>> = {
  added: 'Added {count} user(s).',
  deleted: 'Deleted the user.',
  edited: 'Saved the user.',
  unchanged: 'Nothing to change.',
  started: 'The server is starting.',
  stopped: 'The server stopped.',
  stopping: 'The server is stopping.',
  'started-all': 'Started {count} server(s).',
  'stopped-all': 'Stopped {count} server(s).',
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

function pageUrl(deps: PagesDeps, p: AdminPaging, change: Partial<AdminPaging>): string {
  const n = { ...p, ...change };
  const q = new URLSearchParams({ offset: String(Math.max(n.offset, 0)), limit: String(n.limit) });
  if (n.nameFilter !== '') q.set('name_filter', n.nameFilter);
  if (n.sort !== '') q.set('sort', n.sort);
  return `${deps.hubPrefix}admin?${q.toString()}`;
}

/** Column header links: a click sorts by the column, a second click reverses, from the first page. */
function sortLinks(deps: PagesDeps, p: AdminPaging): Record<string, { url: string; state: string }> {
  const out: Record<string, { url: string; state: string }> = {};
  for (const column of ['name', 'admin', 'last_activity']) {
    const state = p.sort === column ? 'ascending' : p.sort === `-${column}` ? 'descending' : 'none';
    out[column] = { url: pageUrl(deps, p, { offset: 0, sort: state === 'ascending' ? `-${column}` : column }), state };
  }
  return out;
}

export async function renderAdmin(ctx: RequestContext, deps: PagesDeps, me: UserPrincipal, p: AdminPaging, extra: Record<string, unknown> = {}, status = 200): Promise<void> {
  const { users, total } = await adminUsers(deps, me, p);
  const jh = deps.config.JupyterHub;
  const ns = namespace(ctx, deps, me, {
    // pages.py AdminHandler's values, for an admin.html of JupyterHub's (base_url stays the hub's prefix).
    current_user: userView(me.user, deps.baseUrl, jh.subdomain_host),
    auth_state: await authStateOf(deps, me.user),
    named_server_limit_per_user: jh.named_server_limit_per_user,
    server_version: `${HUB_VERSION} ${deps.versionHash}`,
    api_page_limit: jh.api_page_default_limit,
    users: users.map(({ row: _row, ...u }) => u),
    total,
    offset: p.offset,
    limit: p.limit,
    name_filter: p.nameFilter,
    sort: p.sort,
    sort_links: sortLinks(deps, p),
    prev_url: p.offset > 0 ? pageUrl(deps, p, { offset: p.offset - p.limit }) : '',
    next_url: p.offset + p.limit < total ? pageUrl(deps, p, { offset: p.offset + p.limit }) : '',
    done_message: doneMessage(ctx.url),
    error_message: '',
    can_add_users: me.scopes.parsed.get('admin:users') === ALL,
    can_make_admins: me.user.admin,
    can_shutdown: checkScope(me.scopes, 'shutdown', {}),
    can_list_groups: checkScope(me.scopes, 'read:groups', {}) || me.scopes.parsed.has('read:groups'),
    allow_named_servers: deps.config.JupyterHub.allow_named_servers,
    admin_access: deps.config.JupyterHub.admin_access,
    cleanup_servers: deps.config.JupyterHub.cleanup_servers,
    cleanup_proxy: deps.config.JupyterHub.cleanup_proxy,
    ...extra,
  });
  sendHtml(ctx.res, status, deps.renderer.render('admin.html', ns));
}

async function adminPage(ctx: RequestContext, deps: PagesDeps): Promise<void> {
  const me = await requireUser(ctx, deps);
  requireScope(me, ['admin-ui']);
  await renderAdmin(ctx, deps, me, readPaging(ctx.url.searchParams, deps));
}

export function registerAdminPage(router: Router, deps: PagesDeps): void {
  router.add('GET', 'admin', page(deps, (ctx) => adminPage(ctx, deps)));
  const onError: AdminErrorRenderer = (ctx, me, form, status, message) => renderAdmin(ctx, deps, me, readPaging(form, deps), { error_message: message }, status);
  registerAdminActions(router, deps, onError);
  registerAdminBulkActions(router, deps, onError);
  registerAdminGroupsPage(router, deps);
}
