/** What kind of JupyterHub handler answers a request, where that decides how hub answers it. */

/**
 * Whether JupyterHub's handler for a path takes API tokens (`_accept_token_auth`): its APIHandlers, MetricsHandler
 * and UserUrlHandler (`<hub>/user/...`) do, and so do hub's own `ext/` endpoints; page handlers know only the login
 * cookie, the OAuth authorize page and the health check among them. A page request that carries a token is the
 * cookie's user's (or nobody's), in what the page does and in the access log line.
 */
export function takesTokens(path: string, prefix: string): boolean {
  const base = prefix.slice(0, -'hub/'.length);
  if (!path.startsWith(prefix) && path.startsWith(`${base}user/`)) return answeredInPlace(path.slice(base.length));
  if (!path.startsWith(prefix)) return false;
  const rel = path.slice(prefix.length);
  if (rel === 'api/oauth2/authorize' || rel === 'api/health') return false;
  return rel === 'api' || rel.startsWith('api/') || rel.startsWith('ext/') || rel === 'metrics' || rel.startsWith('user/');
}

/**
 * `user/<name>/...` outside the hub's prefix (a server without a route): JupyterHub's PrefixRedirectHandler sends it
 * on to `<hub>/user/...`, where UserUrlHandler takes tokens. hub answers an API path in place instead (its client
 * gets the 424 JSON without a redirect), so such a request takes tokens too; a page is redirected, with no caller.
 */
export function answeredInPlace(rel: string): boolean {
  return rel.split('/').slice(2).includes('api');
}

/** tornado's RequestHandler.SUPPORTED_METHODS. */
export const TORNADO_METHODS = new Set(['GET', 'HEAD', 'POST', 'DELETE', 'PATCH', 'PUT', 'OPTIONS']);
