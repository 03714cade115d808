/**
 * The `handler` label of jupyterhub_request_duration_seconds, as JupyterHub writes it: the module and class
 * of the tornado handler that answered (metrics.py prometheus_log_method), e.g.
 * `jupyterhub.apihandlers.users.UserListAPIHandler`. Dashboards and alerts written for JupyterHub (the
 * jupyterhub/grafana-dashboards panels, for one) select on these names, so hub reports the class JupyterHub
 * 3.0 routes the same URL to (its default_handlers tables). Routes JupyterHub does not have (the form posts
 * of hub's own pages, `ext/...`) are `hub.<route pattern>`: still one label per route, never a raw path.
 */

const API = 'jupyterhub.apihandlers';
const PAGES = 'jupyterhub.handlers';

/** Router pattern (relative to `<base_url>hub/`, parameters as `:name`) -> JupyterHub handler class. */
const BY_PATTERN: ReadonlyMap<string, string> = new Map([
  ['', `${PAGES}.pages.RootHandler`],
  ['home', `${PAGES}.pages.HomeHandler`],
  ['admin', `${PAGES}.pages.AdminHandler`],
  ['spawn', `${PAGES}.pages.SpawnHandler`],
  ['spawn/:user', `${PAGES}.pages.SpawnHandler`],
  ['spawn/:user/:server', `${PAGES}.pages.SpawnHandler`],
  ['spawn-pending/:user', `${PAGES}.pages.SpawnPendingHandler`],
  ['spawn-pending/:user/:server', `${PAGES}.pages.SpawnPendingHandler`],
  ['token', `${PAGES}.pages.TokenPageHandler`],
  ['error/:code', `${PAGES}.pages.ProxyErrorHandler`],
  ['health', `${PAGES}.pages.HealthCheckHandler`],
  ['api/health', `${PAGES}.pages.HealthCheckHandler`],
  ['login', `${PAGES}.login.LoginHandler`],
  ['logout', `${PAGES}.login.LogoutHandler`],
  ['metrics', `${PAGES}.metrics.MetricsHandler`],
  ['api/metrics', `${PAGES}.metrics.MetricsHandler`],
  ['logo', `${PAGES}.static.LogoHandler`],
  ['security/csp-report', `${PAGES}.base.CSPReportHandler`],
  ['api', `${API}.hub.RootAPIHandler`],
  ['api/info', `${API}.hub.InfoAPIHandler`],
  ['api/shutdown', `${API}.hub.ShutdownAPIHandler`],
  ['api/proxy', `${API}.proxy.ProxyAPIHandler`],
  ['api/services', `${API}.services.ServiceListAPIHandler`],
  ['api/services/:name', `${API}.services.ServiceAPIHandler`],
  ['api/groups', `${API}.groups.GroupListAPIHandler`],
  ['api/groups/:name', `${API}.groups.GroupAPIHandler`],
  ['api/groups/:name/users', `${API}.groups.GroupUsersAPIHandler`],
  // Not in 3.0; the class later JupyterHub versions serve it with.
  ['api/groups/:name/properties', `${API}.groups.GroupEditPropertiesAPIHandler`],
  ['api/authorizations/cookie/:name', `${API}.auth.CookieAPIHandler`],
  ['api/authorizations/cookie/:name/:value', `${API}.auth.CookieAPIHandler`],
  ['api/authorizations/token', `${API}.auth.TokenAPIHandler`],
  ['api/authorizations/token/:token', `${API}.auth.TokenAPIHandler`],
  ['api/oauth2/authorize', `${API}.auth.OAuthAuthorizeHandler`],
  ['api/oauth2/token', `${API}.auth.OAuthTokenHandler`],
  ['api/user', `${API}.users.SelfAPIHandler`],
  ['api/users', `${API}.users.UserListAPIHandler`],
  ['api/users/:name', `${API}.users.UserAPIHandler`],
  ['api/users/:name/server', `${API}.users.UserServerAPIHandler`],
  ['api/users/:name/servers/:server', `${API}.users.UserServerAPIHandler`],
  ['api/users/:name/server/progress', `${API}.users.SpawnProgressAPIHandler`],
  ['api/users/:name/servers/:server/progress', `${API}.users.SpawnProgressAPIHandler`],
  ['api/users/:name/tokens', `${API}.users.UserTokenListAPIHandler`],
  ['api/users/:name/tokens/:id', `${API}.users.UserTokenAPIHandler`],
  ['api/users/:name/activity', `${API}.users.ActivityAPIHandler`],
  ['api/users/:name/admin-access', `${API}.users.UserAdminAccessAPIHandler`],
]);

/** Requests outside the router (JupyterHub: its catch-all handlers). */
export const HANDLER_NOT_FOUND = `${PAGES}.base.Template404`;
export const HANDLER_STATIC = `${PAGES}.static.CacheControlStaticFilesHandler`;
/** `<base_url>user/...` and `<base_url>hub/user/...` as the hub answers them. */
export const HANDLER_USER_URL = `${PAGES}.base.UserUrlHandler`;
export const HANDLER_USER_REDIRECT = `${PAGES}.base.UserRedirectHandler`;
/** Paths outside `<base_url>hub/` that are sent there (`/` -> `/hub/`, `/hub` -> `/hub/`). */
export const HANDLER_PREFIX_REDIRECT = `${PAGES}.base.PrefixRedirectHandler`;

/** The label for a route of the hub's router, by its pattern (`:name*`, a parameter that may be empty, as `:name`). */
export function handlerName(pattern: string): string {
  if (pattern.startsWith('static/')) return HANDLER_STATIC;
  const plain = pattern.replace(/\*(?=\/|$)/g, '');
  return BY_PATTERN.get(plain) ?? `hub.${plain}`;
}
