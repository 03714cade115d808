import { requireScope } from '../api/api-service.js';
import type { RequestContext, Router } from '../api/router.js';
import { ALL } from '../auth/scopes/index.js';
import { createUsers, deleteUser, getUserByName, setAdmin, type UserRow } from '../db/users-repo.js';
import { field } from './form-body.js';
import { userForm, type PagesDeps, type UserPrincipal } from './page-context.js';
import { page } from './page-handler.js';
import { PageError, redirect } from './respond.js';
import { requireUserScope, validServerName } from './server-views.js';

/**
 * The admin page's forms. Each checks `admin-ui` and the scope the matching REST endpoint needs, on the
 * target user (filtered roles such as `admin:users!group=x` reach only their users). Making someone an admin
 * takes being an admin: `admin:users` alone must not lift its holder to full admin (CVE-2024-41942).
 */
async function adminForm(ctx: RequestContext, deps: PagesDeps): Promise<{ me: UserPrincipal; form: URLSearchParams }> {
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

/** Back to the page the form was on (its offset and filter travel as hidden fields), with a fixed message code. */
function back(ctx: RequestContext, deps: PagesDeps, form: URLSearchParams, done: string, count?: number): void {
  const q = new URLSearchParams();
  const offset = Number(field(form, 'offset'));
  if (Number.isInteger(offset) && offset > 0) q.set('offset', String(offset));
  const filter = field(form, 'name_filter').slice(0, 255);
  if (filter !== '') q.set('name_filter', filter);
  q.set('done', done);
  if (count !== undefined) q.set('count', String(count));
  redirect(ctx.res, `${deps.hubPrefix}admin?${q.toString()}`);
}

async function addUsers(ctx: RequestContext, deps: PagesDeps): Promise<void> {
  const { me, form } = await adminForm(ctx, deps);
  // New users match no filter yet: adding them needs admin:users for everyone, as POST /users does.
  if (me.scopes.parsed.get('admin:users') !== ALL) throw new PageError(403, 'Adding users needs the admin:users scope.');
  const admin = field(form, 'admin') === 'on' || field(form, 'admin') === 'true';
  if (admin && !me.user.admin) throw new PageError(403, 'Only admins can make other users admins.');
  const names = [...new Set(field(form, 'usernames').split(/[\s,]+/).filter((n) => n !== '').map((n) => deps.authenticator.normalizeUsername(n)))];
  if (names.length === 0) throw new PageError(400, 'Give at least one username.');
  if (names.length > 1000) throw new PageError(400, 'At most 1000 users at once.');
  const invalid = names.filter((n) => !deps.authenticator.validateUsername(n));
  if (invalid.length > 0) throw new PageError(400, `Invalid usernames: ${invalid.slice(0, 20).join(', ')}`);
  const fresh: string[] = [];
  for (const n of names) if ((await getUserByName(deps.db, n)) === null) fresh.push(n);
  if (fresh.length === 0) throw new PageError(409, `All ${names.length} users already exist`);
  // The authenticator first (a LocalAuthenticator may create the unix account, or refuse): no row without it.
  for (const n of fresh) await deps.authenticator.addUser(n);
  await createUsers(deps.db, fresh, { admin });
  deps.identity.invalidate();
  deps.log.info(`${me.user.name} added user(s) ${fresh.join(', ')}${admin ? ' as admins' : ''} on the admin page`);
  back(ctx, deps, form, 'added', fresh.length);
}

async function removeUser(ctx: RequestContext, deps: PagesDeps): Promise<void> {
  const { me, form } = await adminForm(ctx, deps);
  const target = await targetUser(ctx, deps);
  await requireUserScope(deps.db, me, 'delete:users', target);
  if (target.name === me.user.name) throw new PageError(400, 'You cannot delete yourself.');
  await deps.servers().stopAll(target);
  await deps.authenticator.deleteUser(target.name);
  await deleteUser(deps.db, target.name);
  deps.identity.invalidate();
  deps.log.info(`${me.user.name} deleted user ${target.name} on the admin page`);
  back(ctx, deps, form, 'deleted');
}

async function changeAdmin(ctx: RequestContext, deps: PagesDeps): Promise<void> {
  const { me, form } = await adminForm(ctx, deps);
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

async function serverAction(ctx: RequestContext, deps: PagesDeps, action: 'start' | 'stop'): Promise<void> {
  const { me, form } = await adminForm(ctx, deps);
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

export function registerAdminActions(router: Router, deps: PagesDeps): void {
  router.add('POST', 'admin/users', page(deps, (ctx) => addUsers(ctx, deps)));
  router.add('POST', 'admin/users/:name/delete', page(deps, (ctx) => removeUser(ctx, deps)));
  router.add('POST', 'admin/users/:name/admin', page(deps, (ctx) => changeAdmin(ctx, deps)));
  router.add('POST', 'admin/users/:name/start', page(deps, (ctx) => serverAction(ctx, deps, 'start')));
  router.add('POST', 'admin/users/:name/stop', page(deps, (ctx) => serverAction(ctx, deps, 'stop')));
}
