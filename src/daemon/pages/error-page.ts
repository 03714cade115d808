import http from 'node:http';
import type { Router } from '../api/router.js';
import { namespace, pageUser, type PagesDeps } from './page-context.js';
import { page } from './page-handler.js';
import { PageError, sendHtml } from './respond.js';

/**
 * /hub/error/<code>: the page the proxy shows when a user's server is unreachable (its error target). Answered
 * with 200, as JupyterHub does: the proxy sends it on under its own status code.
 */
export function registerErrorPage(router: Router, deps: PagesDeps): void {
  router.add('GET', 'error/:code', page(deps, async (ctx) => {
    const raw = ctx.params.code ?? '';
    const status = /^\d{3}$/.test(raw) ? Number(raw) : NaN;
    if (!(status >= 100 && status <= 599)) throw new PageError(404, 'No such error page');
    const home = `${deps.hubPrefix}home`;
    const messageHtml = status === 503 ? `Your server appears to be down. Try restarting it <a href="${home}">from the hub</a>` : '';
    const user = await pageUser(ctx, deps);
    const ns = namespace(ctx, deps, user, {
      status_code: status,
      status_message: http.STATUS_CODES[status] ?? 'Unknown HTTP Error',
      message: '',
      message_html: messageHtml,
      logo_url: home,
    });
    const name = deps.renderer.has(`${status}.html`) ? `${status}.html` : 'error.html';
    sendHtml(ctx.res, 200, deps.renderer.render(name, ns));
  }));
}
