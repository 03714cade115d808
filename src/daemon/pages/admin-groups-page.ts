import { requireScope } from '../api/api-service.js';
import { ApiError } from '../api/http-util.js';
import type { RequestContext, Router } from '../api/router.js';
import { checkGroupName } from '../api/models/names.js';
import { groupListFilter } from '../api/routes/groups.js';
import { ALL, checkScope } from '../auth/scopes/index.js';
import { addGroupMembers, createGroup, deleteGroup, getGroupByName, groupPage, removeGroupMembers, type GroupRecord } from '../db/groups-repo.js';
import { getUserByName } from '../db/users-repo.js';
import { readOffsetLimit } from './admin-listing.js';
import { field } from './form-body.js';
import { namespace, requireUser, userForm, type PagesDeps, type UserPrincipal } from './page-context.js';
import { page } from './page-handler.js';
import { PageError, redirect, sendHtml } from './respond.js';

/**
 * /hub/admin/groups, JupyterHub 3.0 admin's "Groups" view: the groups a page at a time (api_page_default_limit, as
 * its admin pages them through GET /groups) with their members, a form to create one, and per group forms to add
 * members (names, one per line), remove a member, and delete the group. Listing needs admin-ui and list:groups
 * (a filtered one lists only its groups, as the API does); creating and deleting admin:groups; changing members
 * `groups`, each on the group, as the REST endpoints check. Refusals (unknown user, duplicate group) show on this
 * page, and every answer comes back to the page of groups the form was sent from. JupyterHub 3.0's admin cannot
 * edit a group's properties (4.0's can): here only PUT /groups/{name}/properties does.
 */
const DONE: Readonly<Record<string, string>> = {
  created: 'Created the group.',
  deleted: 'Deleted the group.',
  added: 'Added the member(s).',
  removed: 'Removed the member.',
};

type Paging = { offset: number; limit: number };

/** The page at `p` (offset and limit said only where they are not the defaults), with a fixed message code. */
function pageUrl(deps: PagesDeps, p: Paging, done = ''): string {
  const q = new URLSearchParams();
  if (p.offset > 0) q.set('offset', String(p.offset));
  if (p.limit !== deps.config.JupyterHub.api_page_default_limit) q.set('limit', String(p.limit));
  if (done !== '') q.set('done', done);
  const query = q.toString();
  return `${deps.hubPrefix}admin/groups${query === '' ? '' : `?${query}`}`;
}

async function render(ctx: RequestContext, deps: PagesDeps, me: UserPrincipal, p: Paging, errorMessage = '', status = 200): Promise<void> {
  const only = groupListFilter(me);
  const { groups, total } = await groupPage(deps.db, { ...p, ...(only ? { onlyNames: only } : {}) });
  const shown = groups.map((g) => ({
    name: g.name,
    users: g.users,
    can_edit: checkScope(me.scopes, 'groups', { group: g.name }),
    can_delete: checkScope(me.scopes, 'admin:groups', { group: g.name }),
  }));
  const ns = namespace(ctx, deps, me, {
    groups: shown,
    total,
    offset: p.offset,
    limit: p.limit,
    prev_url: p.offset > 0 ? pageUrl(deps, { ...p, offset: Math.max(p.offset - p.limit, 0) }) : '',
    next_url: p.offset + p.limit < total ? pageUrl(deps, { ...p, offset: p.offset + p.limit }) : '',
    can_create: me.scopes.parsed.get('admin:groups') === ALL,
    manage_groups: deps.config.Authenticator.manage_groups,
    done_message: DONE[ctx.url.searchParams.get('done') ?? ''] ?? '',
    error_message: errorMessage,
  });
  sendHtml(ctx.res, status, deps.renderer.render('admin_groups.html', ns));
}

async function groupsPage(ctx: RequestContext, deps: PagesDeps): Promise<void> {
  const me = await requireUser(ctx, deps);
  requireScope(me, ['admin-ui']);
  requireScope(me, ['list:groups']);
  await render(ctx, deps, me, readOffsetLimit(ctx.url.searchParams, deps));
}

async function findGroup(ctx: RequestContext, deps: PagesDeps): Promise<GroupRecord> {
  const name = ctx.params.group ?? '';
  const group = await getGroupByName(deps.db, name);
  if (group === null) throw new PageError(404, `No such group: ${name}`);
  return group;
}

async function userIds(deps: PagesDeps, raw: string): Promise<number[]> {
  const names = [...new Set(raw.split(/[\s,]+/).filter((n) => n !== '').map((n) => deps.authenticator.normalizeUsername(n)))];
  if (names.length === 0) throw new PageError(400, 'Give at least one username.');
  const ids: number[] = [];
  const missing: string[] = [];
  for (const n of names) {
    const u = await getUserByName(deps.db, n);
    if (u === null) missing.push(n);
    else ids.push(u.id);
  }
  if (missing.length > 0) throw new PageError(400, `No such user(s): ${missing.slice(0, 20).join(', ')}`);
  return ids;
}

type GroupAction = (ctx: RequestContext, deps: PagesDeps, me: UserPrincipal, form: URLSearchParams) => Promise<string>;

const actions: Record<string, GroupAction> = {
  'admin/groups': async (_ctx, d, me, form) => {
    const name = field(form, 'name').trim();
    requireScope(me, ['admin:groups'], { group: name });
    checkGroupName(name);
    if ((await getGroupByName(d.db, name)) !== null) throw new PageError(409, `Group ${name} already exists`);
    await createGroup(d.db, name);
    d.log.info(`${me.user.name} created group ${name} on the admin page`);
    return 'created';
  },
  'admin/groups/:group/delete': async (ctx, d, me) => {
    const group = await findGroup(ctx, d);
    requireScope(me, ['admin:groups'], { group: group.name });
    await deleteGroup(d.db, group.name);
    d.log.info(`${me.user.name} deleted group ${group.name} on the admin page`);
    return 'deleted';
  },
  'admin/groups/:group/add': async (ctx, d, me, form) => {
    const group = await findGroup(ctx, d);
    requireScope(me, ['groups'], { group: group.name });
    const ids = await userIds(d, field(form, 'usernames'));
    await addGroupMembers(d.db, group.id, ids);
    d.log.info(`${me.user.name} added ${ids.length} user(s) to group ${group.name} on the admin page`);
    return 'added';
  },
  'admin/groups/:group/remove': async (ctx, d, me, form) => {
    const group = await findGroup(ctx, d);
    requireScope(me, ['groups'], { group: group.name });
    const ids = await userIds(d, field(form, 'username'));
    await removeGroupMembers(d.db, group.id, ids);
    d.log.info(`${me.user.name} removed ${field(form, 'username')} from group ${group.name} on the admin page`);
    return 'removed';
  },
};

export function registerAdminGroupsPage(router: Router, deps: PagesDeps): void {
  router.add('GET', 'admin/groups', page(deps, (ctx) => groupsPage(ctx, deps)));
  for (const [path, action] of Object.entries(actions)) {
    router.add('POST', path, page(deps, async (ctx) => {
      const { user: me, form } = await userForm(ctx, deps);
      requireScope(me, ['admin-ui']);
      // As the REST API: with Authenticator.manage_groups the authenticator owns membership.
      if (deps.config.Authenticator.manage_groups) throw new PageError(400, 'Groups are managed by the authenticator (Authenticator.manage_groups).');
      try {
        const done = await action(ctx, deps, me, form);
        deps.identity.invalidate();
        redirect(ctx.res, pageUrl(deps, readOffsetLimit(form, deps), done));
      } catch (err) {
        if (!((err instanceof PageError || err instanceof ApiError) && err.status >= 400 && err.status < 500)) throw err;
        await render(ctx, deps, me, readOffsetLimit(form, deps), err.message, err.status);
      }
    }));
  }
}
