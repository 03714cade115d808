import http from 'node:http';
import type { HubMetrics } from '../metrics/hub-metrics.js';
import type { Knex } from 'knex';
import type { Logger } from '../../lib/log.js';
import { EXPECTED_NETWORK_ERRORS, errnoCode } from '../../lib/errors.js';
import { dbFailure } from '../db/db-errors.js';
import { ApiError, commonHeaders, sendError } from './http-util.js';
import { hubHeaders, type HeaderSetter } from './hub-headers.js';
import { Router, type Handler, type Match, type RequestContext } from './router.js';
import { IdentityService } from '../auth/identity.js';
import type { Principal } from '../auth/principal.js';
import type { ServerManager } from '../spawner/server-manager.js';
import type { PressureFeed } from '../pressure.js';
import { authorize, type ScopeRegistry, type ScopeTarget } from '../auth/scopes/index.js';
import { registerInfoRoutes } from './routes/info.js';
import { registerUserRoutes } from './routes/users.js';
import { registerTokenRoutes } from './routes/tokens.js';
import { registerExtRoutes, type DaemonStatus } from './routes/ext.js';
import type { HubConfig } from '../../lib/config/index.js';
import { registerProxyRoutes, type ProxyControl } from './routes/proxy.js';
import { registerShutdownRoutes, type ShutdownOptions } from './routes/shutdown.js';
import { registerUserWriteRoutes } from './routes/user-writes.js';
import { registerActivityRoutes } from './routes/activity.js';
import { registerServerRoutes } from './routes/servers.js';
import { registerProgressRoutes } from './routes/progress.js';
import { registerGroupRoutes } from './routes/groups.js';
import { registerGroupMemberRoutes } from './routes/group-members.js';
import { registerServiceRoutes } from './routes/services.js';
import { registerOAuthRoutes } from './routes/oauth.js';
import { registerWhoamiRoutes } from './routes/whoami.js';
import { registerAuthorizationRoutes } from './routes/authorizations.js';
import type { AuthRefresher } from '../auth/auth-refresh.js';
import type { ConfirmPageRenderer } from '../auth/oauth/confirm-page.js';
import type { SessionManager } from '../auth/sessions.js';
import { logRequests, noteCaller, type AccessLogOptions } from './access-log.js';
import { takesTokens, TORNADO_METHODS } from './handler-kinds.js';
import { HANDLER_NOT_FOUND, HANDLER_PREFIX_REDIRECT, HANDLER_USER_REDIRECT, HANDLER_USER_URL, handlerName } from '../metrics/handler-names.js';

/**
 * One API, two doors (GUIDE decision 1): the same router serves the hub's TCP port (callers authenticate
 * with tokens) and the control socket (the caller is the operator; the socket's 0600 mode is the check).
 * On the TCP door every path lives under `<base_url>hub/`; on the socket always under `/hub/`, so the CLI and
 * `curl --unix-socket` need not know base_url.
 */
export interface ApiDeps {
  db: Knex;
  log: Logger;
  baseUrl: string;
  identity: IdentityService;
  registry: ScopeRegistry;
  servers: ServerManager;
  pressure: PressureFeed;
  status: () => DaemonStatus;
  /** The loaded configuration (named servers, page limits, username rules, services, admin_access...). */
  config: HubConfig;
  /** The proxy the hub drives; undefined until one is configured (the /proxy endpoints then answer 503). */
  proxy?: ProxyControl;
  /** Stops the hub gracefully (POST /shutdown); undefined where the hub cannot be stopped from the API. */
  shutdown?: (opts: ShutdownOptions) => void;
  /** Browser login sessions (the OAuth authorize endpoint and the deprecated cookie lookup need them). */
  sessions?: SessionManager;
  /**
   * Where OAuth authorize sends a browser that is not logged in (`next` is added): the login page, or with
   * Authenticator.auto_login_oauth2_authorize the authenticator's own login_url.
   */
  loginUrl?: () => string;
  /** The OAuth confirm page (JupyterHub's oauth.html), rendered by the pages once they are installed. */
  oauthConfirmPage?: ConfirmPageRenderer;
  /** The url each service is served at (port 0 resolved), once the services are started. */
  serviceUrls?: () => ReadonlyMap<string, string>;
  /** Authenticator.refresh_user with auth_refresh_age, run on the user behind each request. */
  refresher?: AuthRefresher;
  /** JupyterHub's Prometheus metrics: /hub/metrics serves them, every TCP request is timed into them. */
  metrics?: HubMetrics;
}

/** Other ways to authenticate a TCP request (the login cookie): tried after tokens, in order. */
/** `res`: where a stale login cookie is cleared (base.py _user_for_cookie clears it in the response). */
export type RequestAuthenticator = (req: http.IncomingMessage, url: URL, res: http.ServerResponse) => Promise<Principal | null>;

export class ApiService {
  readonly router = new Router();
  readonly authenticators: RequestAuthenticator[] = [];
  /** Handles paths outside `<base_url>hub/` on the TCP door (the pages install it). */
  outsideHub: Handler | undefined;
  /**
   * Tried on the TCP door for a hub path no route has, before the 404 (JupyterHub.extra_handlers, which tornado
   * lists after the default handlers). `rel` is the path after `<base_url>hub`; `authenticate` finds the caller
   * on demand. Resolves false when nothing matched.
   */
  fallback: ((ctx: RequestContext, rel: string, authenticate: () => Promise<Principal>) => Promise<boolean>) | undefined;
  /**
   * Answers an error of a hub page path (under `<base_url>hub/`, outside `api/`) on the TCP door as the HTML error
   * page, as JupyterHub's page handlers and its Template404 do (the pages install it); the API keeps its JSON.
   */
  pageError: ((ctx: RequestContext, status: number, message: string) => Promise<void>) | undefined;
  private readonly deps: ApiDeps;
  private readonly headers: HeaderSetter;

  constructor(deps: ApiDeps) {
    this.deps = deps;
    this.headers = hubHeaders(deps.config.JupyterHub);
    registerInfoRoutes(this.router, deps);
    registerUserRoutes(this.router, deps);
    registerTokenRoutes(this.router, deps);
    registerExtRoutes(this.router, deps);
    registerUserWriteRoutes(this.router, deps);
    registerActivityRoutes(this.router, deps);
    registerServerRoutes(this.router, deps);
    registerProgressRoutes(this.router, deps);
    registerGroupRoutes(this.router, deps);
    registerGroupMemberRoutes(this.router, deps);
    registerServiceRoutes(this.router, deps);
    registerProxyRoutes(this.router, deps);
    registerShutdownRoutes(this.router, deps);
    registerOAuthRoutes(this.router, deps);
    registerWhoamiRoutes(this.router, deps);
    registerAuthorizationRoutes(this.router, deps);
  }

  /** The spawner arrives after the API is built (it needs the hub's bound port). */
  setServers(servers: ServerManager): void {
    this.deps.servers = servers;
  }

  setProxy(proxy: ProxyControl): void {
    this.deps.proxy = proxy;
  }

  setOAuthConfirmPage(render: ConfirmPageRenderer): void {
    this.deps.oauthConfirmPage = render;
  }

  /** Managed services whose url had port 0 got a free port at start: the models show the url in use. */
  setServiceUrls(urls: () => ReadonlyMap<string, string>): void {
    this.deps.serviceUrls = urls;
  }

  /** Each started service's url in use; empty before the services stage ran (or without services). */
  serviceUrls(): ReadonlyMap<string, string> {
    return this.deps.serviceUrls?.() ?? new Map<string, string>();
  }

  /** The request listener for one door. */
  listener(door: 'socket' | 'tcp'): http.RequestListener {
    const prefix = door === 'socket' ? '/hub/' : `${this.deps.baseUrl}hub/`;
    const metrics = door === 'tcp' ? this.deps.metrics : undefined;
    const access: AccessLogOptions = {
      log: this.deps.log.child('log'),
      door,
      trustedDownstreamIps: this.deps.config.JupyterHub.trusted_downstream_ips,
      // JupyterHub's StaticFileHandler (static files, the logo) and HealthCheckHandler.
      quiet: (path) => path.startsWith(`${prefix}static/`) || path === `${prefix}logo` || path === `${prefix}health` || path === `${prefix}api/health`,
    };
    return (req, res) => {
      if (metrics) timeRequest(metrics, req, res);
      logRequests(req, res, access);
      void this.handle(req, res, door, prefix);
    };
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse, door: 'socket' | 'tcp', prefix: string): Promise<void> {
    commonHeaders(res);
    // tornado_settings.headers and JupyterHub's default CSP: for the browser-facing door only.
    if (door === 'tcp') this.headers(res, (req.url ?? '').startsWith(`${prefix}api/`));
    try {
      const url = requestUrl(req, door);
      const path = url.pathname;
      const away = door === 'tcp' ? this.hubHostRedirect(req) : null;
      if (away !== null) {
        res.writeHead(302, { location: away, 'content-length': 0 });
        res.end();
        return;
      }
      if (!TORNADO_METHODS.has(req.method ?? 'GET')) {
        await this.refuseMethod(req, res, url, door, prefix);
        return;
      }
      // JupyterHub routes `<base_url>hub` to tornado's addslash: a permanent redirect to `<base_url>hub/`.
      if (door === 'tcp' && path === prefix.slice(0, -1)) {
        res.writeHead(301, { location: prefix + url.search, 'content-length': 0 });
        res.end();
        return;
      }
      // Tornado matches no route with an empty segment: /hub//api/... must not reach api/... past the cookie
      // gate's checks, which look at the path as written.
      if (path.startsWith(prefix) && path.includes('//')) throw new ApiError(404, `no such path ${path}`);
      // Outside /hub/ (only the TCP door): /user/... without a route, /user-redirect/, prefix redirects; and
      // /hub/user/... and /hub/user-redirect/..., where those requests land so that the hub's login cookie (path
      // /hub/) is sent.
      if (!(path + '/').startsWith(prefix) || path.startsWith(`${prefix}user/`) || path.startsWith(`${prefix}user-redirect/`)) {
        if (door === 'tcp' && this.outsideHub) {
          handlerLabels.set(req, outsideHubHandlerName(path, prefix));
          const caller = await this.authenticate(req, res, url, takesTokens(path, prefix));
          await this.outsideHub({ req, res, url, params: {}, caller, door });
          return;
        }
        throw new ApiError(404, `no such path ${path}`);
      }
      const tokens = takesTokens(path, prefix);
      let match: Match | null;
      try {
        match = this.router.match(req.method ?? 'GET', path.slice(prefix.length));
      } catch (err) {
        // A 405 of a route that exists: tornado's handler identified the caller in prepare() first (the log says who);
        // a refusal on the way (a cookie write without XSRF token) leaves the 405 as it is.
        if (door === 'tcp') await this.authenticate(req, res, url, tokens).catch(() => undefined);
        throw err;
      }
      if (match) handlerLabels.set(req, handlerName(match.pattern));
      if (!match) {
        const ctx: RequestContext = { req, res, url, params: {}, caller: IdentityService.anonymous, door };
        if (door === 'tcp' && this.fallback && (await this.fallback(ctx, path.slice(prefix.length - 1), () => this.authenticate(req, res, url, true)))) return;
        // JupyterHub's API404 and Template404 identify the caller too (for the log line), and still answer 404.
        if (door === 'tcp') await this.authenticate(req, res, url, tokens).catch(() => undefined);
        throw new ApiError(404, `no such path ${path}`);
      }
      const caller = door === 'socket' ? this.deps.identity.operator : await this.authenticate(req, res, url, tokens);
      noteCaller(req, caller);
      const ctx: RequestContext = { req, res, url, params: match.params, caller, door };
      await match.handler(ctx);
    } catch (caught) {
      // A database another program locked, or made read-only: 503 with what to fix, not a 500 and the SQL.
      const db = dbFailure(caught);
      if (db) this.deps.log.error(`${req.method} ${req.url}: ${db.message}; ${db.hint ?? ''}`);
      const err = db ? new ApiError(503, `${db.message}; try again later`) : caught;
      if (err instanceof ApiError) {
        if (door === 'tcp' && this.pageError && !res.headersSent && isPagePath(req, prefix)) {
          await this.pageError({ req, res, url: pageUrl(req), params: {}, caller: IdentityService.anonymous, door }, err.status, err.message);
          return;
        }
        sendError(res, err);
        return;
      }
      const code = errnoCode(err);
      if (code && EXPECTED_NETWORK_ERRORS.has(code)) this.deps.log.warn(`${req.method} ${req.url}: ${code}`);
      else this.deps.log.error(`${req.method} ${req.url} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      if (!res.headersSent) sendError(res, new ApiError(500, 'internal error; see the hub log'));
      else res.destroy();
    }
  }

  /**
   * tornado's RequestHandler._execute: a method outside SUPPORTED_METHODS is a 405 from every handler, the 404
   * handler and redirects included (JSON on the API, the error page elsewhere). Only an extra_handlers handler may
   * take it, as a tornado handler may widen its SUPPORTED_METHODS.
   */
  private async refuseMethod(req: http.IncomingMessage, res: http.ServerResponse, url: URL, door: 'socket' | 'tcp', prefix: string): Promise<void> {
    const path = url.pathname;
    const ctx: RequestContext = { req, res, url, params: {}, caller: IdentityService.anonymous, door };
    const hubPath = path.startsWith(prefix) && !path.includes('//');
    if (door === 'tcp' && hubPath && this.fallback && (await this.fallback(ctx, path.slice(prefix.length - 1), () => this.authenticate(req, res, url, true)))) return;
    const api = path === `${prefix}api` || path.startsWith(`${prefix}api/`);
    if (door === 'tcp' && this.pageError && !api) await this.pageError(ctx, 405, 'Method Not Allowed');
    else sendError(res, new ApiError(405, 'Method Not Allowed'));
  }

  /** The caller, noted for the access log; `tokens`: whether API tokens count here, or only the login cookie. */
  private async authenticate(req: http.IncomingMessage, res: http.ServerResponse, url: URL, tokens: boolean): Promise<Principal> {
    const caller = await this.findCaller(req, res, url, tokens);
    noteCaller(req, caller);
    return caller;
  }

  private async findCaller(req: http.IncomingMessage, res: http.ServerResponse, url: URL, tokens: boolean): Promise<Principal> {
    const token = tokens ? tokenOf(req, url) : '';
    if (token) return this.refreshed(req, (await this.deps.identity.fromToken(token)) ?? IdentityService.anonymous);
    for (const auth of this.authenticators) {
      const p = await auth(req, url, res);
      if (p) return p;
    }
    return IdentityService.anonymous;
  }

  /**
   * With subdomain_host, a request that reached the hub on a user's (or the services') host goes to the same path
   * on the hub's own host, as JupyterHub 4.1 does: the hub's cookies are host-only, and a page on a user's host is
   * that user's to script. Requests on any other host (the hub's, or its internal address) are served.
   */
  private hubHostRedirect(req: http.IncomingMessage): string | null {
    const subdomainHost = this.deps.config.JupyterHub.subdomain_host;
    if (subdomainHost === '') return null;
    const hub = new URL(subdomainHost);
    const host = (req.headers.host ?? '').toLowerCase().replace(/:\d+$/, '');
    return host.endsWith(`.${hub.hostname}`) ? `${hub.origin}${req.url ?? '/'}` : null;
  }

  /**
   * JupyterHub's get_current_user -> refresh_auth for token users: one whose refresh fails is nobody for this
   * request, and one the refresh changed gets the token's scopes worked out again. (Login-cookie users are
   * refreshed where the cookie is read, sessions.ts.)
   */
  private async refreshed(req: http.IncomingMessage, p: Principal): Promise<Principal> {
    const r = this.deps.refresher;
    if (r === undefined || !r.active || p.kind !== 'user' || p.token === null) return p;
    const user = await r.refresh(p.user, req);
    if (user === null) return IdentityService.anonymous;
    return user === p.user ? p : ((await this.deps.identity.fromToken(tokenOf(req))) ?? IdentityService.anonymous);
  }
}

function pageUrl(req: http.IncomingMessage): URL {
  try {
    return new URL(req.url ?? '/', 'http://hub.invalid');
  } catch {
    return new URL('http://hub.invalid/');
  }
}

/**
 * A hub page (not an API path, nor a path outside the hub's prefix, which pages handle themselves). The OAuth
 * authorize endpoint counts as a page although it lives under api/: a browser lands there, and JupyterHub's
 * OAuthAuthorizeHandler is a page handler (BaseHandler), so its refusals (no access to the service or server,
 * unknown client, a forged confirm form) are the HTML error page, not JSON.
 */
function isPagePath(req: http.IncomingMessage, prefix: string): boolean {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  if (path === `${prefix}api/oauth2/authorize`) return true;
  return path.startsWith(prefix) && !path.startsWith(`${prefix}api/`) && path !== `${prefix}api`;
}

/** The API token of a request: `Authorization: token|bearer ...`, else `?token=`. */
function tokenOf(req: http.IncomingMessage, url = new URL(req.url ?? '/', 'http://hub')): string {
  const m = /^(?:token|bearer)\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return m?.[1] ?? url.searchParams.get('token') ?? '';
}

/**
 * `@needs_scope(...)`: the caller must hold one of the scopes for the target, or the request ends here with
 * JupyterHub's 403 (or 404 when a filtered scope hides the target).
 */
export function requireScope(caller: Principal, anyOf: readonly string[], target: ScopeTarget = {}): void {
  const decision = authorize(caller.scopes, anyOf, target);
  if (!decision.allowed) throw new ApiError(decision.status, decision.message);
}

/**
 * jupyterhub_request_duration_seconds{method,handler,code}: labelled with the JupyterHub handler class of the
 * route that answered (metrics/handler-names.ts); a 404 without a route is JupyterHub's Template404, anything
 * else without a route (extra_handlers, a redirect to the hub's host) `other`: a bounded set, never a raw path.
 */
const handlerLabels = new WeakMap<http.IncomingMessage, string>();

/** The handler JupyterHub has for a path outside `<base_url>hub/`'s own routes (see handle()). */
function outsideHubHandlerName(path: string, hubPrefix: string): string {
  const base = hubPrefix.slice(0, -'hub/'.length);
  const rel = path.startsWith(hubPrefix) ? path.slice(hubPrefix.length) : path.slice(base.length);
  if (rel.startsWith('user/')) return HANDLER_USER_URL;
  if (rel.startsWith('user-redirect/')) return HANDLER_USER_REDIRECT;
  return HANDLER_PREFIX_REDIRECT;
}

function timeRequest(metrics: HubMetrics, req: http.IncomingMessage, res: http.ServerResponse): void {
  const tic = performance.now();
  res.once('finish', () => {
    metrics.requestDuration.labels({ method: req.method ?? 'GET', handler: handlerLabels.get(req) ?? (res.statusCode === 404 ? HANDLER_NOT_FOUND : 'other'), code: String(res.statusCode) })
      .observe((performance.now() - tic) / 1000);
  });
}

/** The full URL as the client addressed it (JupyterHub puts it in pagination links); a bad Host is a 400. */
function requestUrl(req: http.IncomingMessage, door: 'socket' | 'tcp'): URL {
  const host = door === 'socket' ? 'hub' : (req.headers.host ?? 'localhost');
  try {
    return new URL(req.url ?? '/', `http://${host}`);
  } catch {
    throw new ApiError(400, 'malformed request URL or Host header');
  }
}
