import http from 'node:http';
import { isHubError, type ErrorCode } from '../../lib/errors.js';
import { ApiError } from '../api/http-util.js';
import { defaultCsp } from '../api/hub-headers.js';
import type { Handler, RequestContext } from '../api/router.js';
import { isScopeError } from '../auth/scopes/index.js';
import { ServerError } from '../spawner/server-manager.js';
import { LoginRedirect, namespace, pageUser, type PagesDeps } from './page-context.js';
import { PageError, redirect, securityHeaders, sendHtml } from './respond.js';

/**
 * Wraps a page handler: security headers on every answer, and errors become HTML pages (`<status>.html` if an
 * admin provides one, else error.html) instead of the API's JSON. Messages shown are ours, escaped by the
 * template; unexpected errors show a generic text and go to the log with their stack.
 */
const HUB_ERROR_STATUS: Partial<Record<ErrorCode, number>> = {
  USAGE: 400, CONFIG_INVALID: 500, NOT_FOUND: 404, CONFLICT: 409, FORBIDDEN: 403, NOT_IMPLEMENTED: 501,
};

function classify(err: unknown): { status: number; message: string; extraHtml: string } {
  if (err instanceof PageError) return { status: err.status, message: err.message, extraHtml: err.extraHtml };
  if (err instanceof ApiError || err instanceof ServerError) return { status: err.status, message: err.message, extraHtml: '' };
  if (isScopeError(err)) return { status: err.reason === 'excess-scopes' ? 403 : 400, message: err.message, extraHtml: '' };
  if (isHubError(err)) {
    const status = HUB_ERROR_STATUS[err.code] ?? 500;
    return { status, message: status >= 500 ? 'The hub failed to do this; the hub log says why.' : err.message, extraHtml: '' };
  }
  return { status: 500, message: 'The hub failed to do this; the hub log says why.', extraHtml: '' };
}

export async function renderErrorPage(ctx: RequestContext, deps: PagesDeps, status: number, message: string, extraHtml = ''): Promise<void> {
  const user = await pageUser(ctx, deps).catch(() => null);
  const ns = namespace(ctx, deps, user, {
    status_code: status,
    status_message: http.STATUS_CODES[status] ?? 'Unknown HTTP Error',
    message,
    extra_error_html: extraHtml,
  });
  const name = deps.renderer.has(`${status}.html`) ? `${status}.html` : 'error.html';
  sendHtml(ctx.res, status, deps.renderer.render(name, ns));
}

export function page(deps: PagesDeps, handler: Handler): Handler {
  return async (ctx) => {
    securityHeaders(ctx.res, defaultCsp(deps.config.JupyterHub, false));
    try {
      await handler(ctx);
    } catch (err) {
      if (ctx.res.headersSent) {
        deps.log.error(`${ctx.req.method} ${ctx.url.pathname} failed after the answer began: ${err instanceof Error ? err.message : String(err)}`);
        ctx.res.destroy();
        return;
      }
      if (err instanceof LoginRedirect) {
        redirect(ctx.res, err.location);
        return;
      }
      const { status, message, extraHtml } = classify(err);
      if (status >= 500) deps.log.error(`${ctx.req.method} ${ctx.url.pathname} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      await renderErrorPage(ctx, deps, status, message, extraHtml);
    }
  };
}
