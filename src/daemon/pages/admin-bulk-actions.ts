import type { RequestContext, Router } from '../api/router.js';
import { checkScope } from '../auth/scopes/index.js';
import { adminAction, back, type AdminErrorRenderer, type AdminForm } from './admin-actions.js';
import { adminUsers, readPaging } from './admin-listing.js';
import { field } from './form-body.js';
import type { PagesDeps } from './page-context.js';
import { PageError, sendHtml } from './respond.js';
import { namespace } from './page-context.js';

/**
 * JupyterHub 3.0 admin's "Start All" / "Stop All" (the default servers of the users shown, as its dashboard
 * does) and "Shutdown Hub". Start all starts them together and waits for none: a slow spawn stays pending on
 * the page, as one started alone does.
 */
async function startOrStopAll(ctx: RequestContext, deps: PagesDeps, { me, form }: AdminForm, action: 'start' | 'stop'): Promise<void> {
  const { users } = await adminUsers(deps, me, readPaging(form, deps));
  const targets = users.filter((u) => {
    const s = u.servers[0];
    if (s === undefined || s.pending !== null) return false;
    return action === 'start' ? u.can_start && !s.active : u.can_stop && s.active;
  });
  const manager = deps.servers();
  const results = await Promise.allSettled(targets.map((u) => (action === 'start' ? manager.start(u.row, '', {}) : manager.stop(u.row, ''))));
  const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${targets[i]?.name ?? '?'}: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`] : []));
  deps.log.info(`${me.user.name} ${action === 'start' ? 'started' : 'stopped'} ${targets.length - failed.length} server(s) on the admin page`);
  if (failed.length > 0) throw new PageError(400, `Could not ${action} ${failed.length} of ${targets.length} server(s): ${failed.slice(0, 5).join('; ')}`);
  back(ctx, deps, form, action === 'start' ? 'started-all' : 'stopped-all', targets.length);
}

async function shutdownHub(ctx: RequestContext, deps: PagesDeps, { me, form }: AdminForm): Promise<void> {
  if (!checkScope(me.scopes, 'shutdown', {})) throw new PageError(403, 'Shutting the hub down needs the shutdown scope.');
  const shutdown = deps.shutdown;
  if (shutdown === undefined) throw new PageError(400, 'This hub cannot be shut down from its pages.');
  const opts = { servers: field(form, 'servers') === 'on', proxy: field(form, 'proxy') === 'on' };
  deps.log.info(`Shutdown requested by ${me.user.name} on the admin page (servers: ${opts.servers}, proxy: ${opts.proxy})`);
  ctx.res.on('finish', () => setImmediate(() => shutdown(opts)));
  sendHtml(ctx.res, 202, deps.renderer.render('error.html', namespace(ctx, deps, me, {
    status_code: 202, status_message: 'Shutting down', message: 'The hub is shutting down.', extra_error_html: '',
  })));
}

export function registerAdminBulkActions(router: Router, deps: PagesDeps, onError: AdminErrorRenderer): void {
  adminAction(router, deps, 'admin/start-all', (ctx, d, f) => startOrStopAll(ctx, d, f, 'start'), onError);
  adminAction(router, deps, 'admin/stop-all', (ctx, d, f) => startOrStopAll(ctx, d, f, 'stop'), onError);
  adminAction(router, deps, 'admin/shutdown', shutdownHub, onError);
}
