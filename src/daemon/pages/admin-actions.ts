import { requireScope } from '../api/api-service.js';
import { ApiError } from '../api/http-util.js';
import type { RequestContext, Router } from '../api/router.js';
import { ALL, isScopeError } from '../auth/scopes/index.js';
import { createUsers, deleteUserEverywhere, getUserByName, setAdmin, updateUser, type UserRow } from '../db/users-repo.js';
import { spawnersOfUsers } from '../db/spawners-repo.js';
import { field } from './form-body.js';
import { userForm, type PagesDeps, type UserPrincipal } from './page-context.js';
import { page } from './page-handler.js';
import { PageError, redirect } from './respond.js';
import { requireUserScope, validServerName } from './server-views.js';

/**
 * The admin page's forms. Each checks `admin-ui` and the scope the matching REST endpoint needs, on the
 * target user (filtered roles such as `admin:users!group=x` reach only their users). Making someone an admin
 * takes being an admin: `admin:users` alone must not lift its holder to full admin (CVE-2024-41942).
 * A refused action (duplicate or invalid name, a server still running) shows the admin page again with the
 * reason above the list, as JupyterHub's admin shows the API's message, instead of leaving the page.
 */
export interface AdminForm {
  me: UserPrincipal;
  form: URLSearchParams;
}

/** Shows the admin page for the page the form came from (offset, filter, sort), with an error above the list. */
export type AdminErrorRenderer = (ctx: RequestContext, me: UserPrincipal, form: URLSearchParams, status: number, message: string) => Promise<void>;

type AdminAction = (ctx: RequestContext, deps: PagesDeps, f: AdminForm) => Promise<void>;

async function adminForm(ctx: RequestContext, deps: PagesDeps): Promise<AdminForm> {
  const { user: me, form } = await userForm(ctx, deps);
  requireScope(me, ['admin-ui']);
  return { me, form };
}

async function targetUser(ctx: RequestContext, deps: PagesDeps): Promise<UserRow> {
  const name = ctx.params.name ?? '';
  const user = await getUserByName(deps.db, name);
  if (user === null) throw new PageError(404, `No such user: ${name}`);
  return user;
}

/** Back to the page the form was on (its offset, limit, filter and sort travel as hidden fields), with a fixed message code. */
export function back(ctx: RequestContext, deps: PagesDeps, form: URLSearchParams, done: string, count?: number): void {
  const q = new URLSearchParams();
  const offset = Number(field(form, 'offset'));
  if (Number.isInteger(offset) && offset > 0) q.set('offset', String(offset));
  const limit = Number(field(form, 'limit'));
  if (Number.isInteger(limit) && limit > 0 && limit !== deps.config.JupyterHub.api_page_default_limit) q.set('limit', String(limit));
  const filter = field(form, 'name_filter').slice(0, 255);
  if (filter !== '') q.set('name_filter', filter);
  const sort = field(form, 'sort');
  if (/^-?[a-z_]{1,20}$/.test(sort)) q.set('sort', sort);
  q.set('done', done);
  if (count !== undefined) q.set('count', String(count));
  redirect(ctx.res, `${deps.hubPrefix}admin?${q.toString()}`);
}

function normalizedName(deps: PagesDeps, raw: string): string {
  return deps.authenticator.normalizeUsername(raw.trim());
}

async function addUsers(ctx: RequestContext, deps: PagesDeps, { me, form }: AdminForm): Promise<void> {
  // New users match no filter yet: adding them needs admin:users for everyone, as POST /users does.
  if (me.scopes.parsed.get('admin:users') !== ALL) throw new PageError(403, 'Adding users needs the admin:users scope.');
  const admin = field(form, 'admin') === 'on' || field(form, 'admin') === 'true';
  if (admin && !me.user.admin) throw new PageError(403, 'Only admins can make other users admins.');
  const names = [...new Set(field(form, 'usernames').split(/[\s,]+/).filter((n) => n !== '').map((n) => normalizedName(deps, n)))];
  if (names.length === 0) throw new PageError(400, 'Give at least one username.');
  if (names.length > 1000) throw new PageError(400, 'At most 1000 users at once.');
  const invalid = names.filter((n) => !deps.authenticator.validateUsername(n));
  if (invalid.length > 0) throw new PageError(400, `Invalid usernames: ${invalid.slice(0, 20).join(', ')}`);
  const fresh: string[] = [];
  for (const n of names) if ((await getUserByName(deps.db, n)) === null) fresh.push(n);
  if (fresh.length === 0) throw new PageError(409, names.length === 1 ? `User ${names[0] ?? ''} already exists` : `All ${names.length} users already exist`);
  // The authenticator first (a LocalAuthenticator may create the unix account, or refuse): no row without it.
  for (const n of fresh) await deps.authenticator.addUser(n);
  await createUsers(deps.db, fresh, { admin });
  deps.identity.invalidate();
  deps.log.info(`${me.user.name} added user(s) ${fresh.join(', ')}${admin ? ' as admins' : ''} on the admin page`);
  back(ctx, deps, form, 'added', fresh.length);
}

async function removeUser(ctx: RequestContext, deps: PagesDeps, { me, form }: AdminForm): Promise<void> {
  const target = await targetUser(ctx, deps);
  await requireUserScope(deps.db, me, 'delete:users', target);
  if (target.name === me.user.name) throw new PageError(400, 'You cannot delete yourself.');
  await deps.servers().stopAll(target);
  await deps.authenticator.deleteUser(target.name);
  // Everywhere: the servers' rows and OAuth clients go too, as with DELETE /users/{name}.
  await deleteUserEverywhere(deps.db, target.id);
  deps.identity.invalidate();
  deps.log.info(`${me.user.name} deleted user ${target.name} on the admin page`);
  back(ctx, deps, form, 'deleted');
}

async function changeAdmin(ctx: RequestContext, deps: PagesDeps, { me, form }: AdminForm): Promise<void> {
  const target = await targetUser(ctx, deps);
  await requireUserScope(deps.db, me, 'admin:users', target);
  const grant = field(form, 'admin') === 'true';
  if (!me.user.admin) throw new PageError(403, 'Only admins can change who is an admin.');
  if (target.name === me.user.name) throw new PageError(400, 'You cannot change your own admin flag here.');
  await setAdmin(deps.db, target.name, grant);
  deps.identity.invalidate();
  deps.log.info(`${me.user.name} ${grant ? 'granted' : 'revoked'} admin for ${target.name} on the admin page`);
  back(ctx, deps, form, grant ? 'admin-granted' : 'admin-revoked');
}

/** JupyterHub 3.0's "Edit User": a new name and the admin flag in one form (PATCH /users/{name}). */
async function editUser(ctx: RequestContext, deps: PagesDeps, { me, form }: AdminForm): Promise<void> {
  const target = await targetUser(ctx, deps);
  await requireUserScope(deps.db, me, 'admin:users', target);
  if (target.admin && !me.user.admin) throw new PageError(403, 'Only admins can modify other admins.');
  const newName = normalizedName(deps, field(form, 'name'));
  const rename = newName !== '' && newName !== target.name;
  const admin = field(form, 'admin') === 'on' || field(form, 'admin') === 'true';
  const adminChange = me.user.admin && target.name !== me.user.name && admin !== target.admin;
  if (rename) {
    if (!deps.authenticator.validateUsername(newName)) throw new PageError(400, `Invalid username: ${newName}`);
    if ((await getUserByName(deps.db, newName)) !== null) throw new PageError(409, `User ${newName} already exists, usernames must be unique.`);
    const names = ['', ...((await spawnersOfUsers(deps.db, [target.id])).get(target.id) ?? []).map((s) => s.name)];
    // Their routes, OAuth clients and URLs carry the old name: renaming under them would strand them.
    if (names.some((n) => !deps.servers().runtime(target.name, n).stopped)) throw new PageError(400, `Stop ${target.name}'s servers before renaming them.`);
  }
  if (!rename && !adminChange) return back(ctx, deps, form, 'unchanged');
  await updateUser(deps.db, target.id, { ...(rename ? { name: newName } : {}), ...(adminChange ? { admin } : {}) });
  deps.identity.invalidate();
  deps.log.info(`${me.user.name} edited user ${target.name}${rename ? ` (renamed to ${newName})` : ''}${adminChange ? ` (admin: ${admin})` : ''} on the admin page`);
  back(ctx, deps, form, 'edited');
}

async function serverAction(ctx: RequestContext, deps: PagesDeps, { me, form }: AdminForm, action: 'start' | 'stop'): Promise<void> {
  const target = await targetUser(ctx, deps);
  const server = field(form, 'server');
  if (server !== '' && !validServerName(server)) throw new PageError(400, 'Invalid server name');
  await requireUserScope(deps.db, me, action === 'start' ? 'servers' : 'delete:servers', target, server);
  if (action === 'start') {
    const outcome = await deps.servers().start(target, server, {});
    deps.log.info(`${me.user.name} started ${target.name}'s server ${JSON.stringify(server)} (${outcome})`);
    back(ctx, deps, form, 'started');
    return;
  }
  const outcome = await deps.servers().stop(target, server);
  deps.log.info(`${me.user.name} stopped ${target.name}'s server ${JSON.stringify(server)} (${outcome})`);
  back(ctx, deps, form, outcome === 'stopped' ? 'stopped' : 'stopping');
}

/** The errors an admin can act on (a 4xx with our message); anything else goes to the error page. */
function readable(err: unknown): { status: number; message: string } | null {
  if ((err instanceof PageError || err instanceof ApiError) && err.status >= 400 && err.status < 500) return { status: err.status, message: err.message };
  if (isScopeError(err)) return { status: err.reason === 'excess-scopes' ? 403 : 400, message: err.message };
  return null;
}

/** Registers a POST action: checks first (XSRF, admin-ui), then runs it, showing a refusal on the admin page. */
export function adminAction(router: Router, deps: PagesDeps, path: string, action: AdminAction, onError: AdminErrorRenderer): void {
  router.add('POST', path, page(deps, async (ctx) => {
    const f = await adminForm(ctx, deps);
    try {
      await action(ctx, deps, f);
    } catch (err) {
      const shown = readable(err);
      if (shown === null) throw err;
      await onError(ctx, f.me, f.form, shown.status, shown.message);
    }
  }));
}

export function registerAdminActions(router: Router, deps: PagesDeps, onError: AdminErrorRenderer): void {
  adminAction(router, deps, 'admin/users', addUsers, onError);
  adminAction(router, deps, 'admin/users/:name/delete', removeUser, onError);
  adminAction(router, deps, 'admin/users/:name/admin', changeAdmin, onError);
  adminAction(router, deps, 'admin/users/:name/edit', editUser, onError);
  adminAction(router, deps, 'admin/users/:name/start', (ctx, d, f) => serverAction(ctx, d, f, 'start'), onError);
  adminAction(router, deps, 'admin/users/:name/stop', (ctx, d, f) => serverAction(ctx, d, f, 'stop'), onError);
}
