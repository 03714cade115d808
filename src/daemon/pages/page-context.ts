import type { Knex } from 'knex';
import type { HubConfig } from '../../lib/config/index.js';
import type { Logger } from '../../lib/log.js';
import type { RequestContext } from '../api/router.js';
import type { Authenticator } from '../auth/authenticators/types.js';
import type { IdentityService } from '../auth/identity.js';
import type { Principal } from '../auth/principal.js';
import type { ScopeRegistry } from '../auth/scopes/index.js';
import type { SessionManager } from '../auth/sessions.js';
import { WRITE_METHODS, XSRF_FIELD, type XsrfProtection } from '../auth/xsrf.js';
import type { UserRow } from '../db/users-repo.js';
import type { Statsd } from '../metrics/statsd.js';
import type { ServerManager } from '../spawner/server-manager.js';
import type { SpawnerObjects } from '../spawner/spawner-object.js';
import { refererVouched, xsrfRejected } from './cookie-gate.js';
import { readForm } from './form-body.js';
import { escapePath } from './next-url.js';
import { safeHtml, type PageRenderer } from './renderer.js';
import { templateDatetime } from './template-values.js';
import { getAuthState } from '../auth/auth-state.js';
import { cryptKeeperFor } from '../auth/crypt-keeper.js';
import { serverPublicUrl } from '../user-host.js';
import type { ServiceView } from './service-menu.js';
import { PageError } from './respond.js';

/** What every page handler may use. `servers` is a getter: the spawning stage may replace the manager later. */
export interface PagesDeps {
  db: Knex;
  log: Logger;
  /** JupyterHub's metric points of the pages: login.*, logout, redirects.user_after_login, csp_report. */
  statsd: Statsd;
  config: HubConfig;
  sessions: SessionManager;
  identity: IdentityService;
  registry: ScopeRegistry;
  servers: () => ServerManager;
  /** Each server's spawner object: what options_form, options_from_form and auth_state_hook get (spawner-object.ts). */
  spawnerObjects: SpawnerObjects;
  authenticator: Authenticator;
  xsrf: XsrfProtection;
  renderer: PageRenderer;
  /** JupyterHub.base_url, e.g. `/`. */
  baseUrl: string;
  /** `<base_url>hub/`. */
  hubPrefix: string;
  /** Appended to static URLs (?v=) so browsers may cache them until the hub restarts. */
  versionHash: string;
  /** Stops the hub as POST /hub/api/shutdown does; undefined where the hub cannot be stopped from a page. */
  shutdown?: (opts: { servers?: boolean; proxy?: boolean }) => void;
  /** The Services menu's entries (service-menu.ts). */
  services: () => ServiceView[];
}

export type UserPrincipal = Extract<Principal, { kind: 'user' }>;

/** Thrown by requireUser for a GET without a login: the wrapper answers with this redirect. */
export class LoginRedirect extends Error {
  readonly location: string;

  constructor(location: string) {
    super('login required');
    this.location = location;
  }
}

/**
 * The browser's logged-in user: the login cookie only, as JupyterHub's pages accept no tokens. On a write the
 * cookie counts only if it came through the XSRF gate (cookie-gate.ts).
 */
export async function pageUser(ctx: RequestContext, deps: PagesDeps): Promise<UserPrincipal | null> {
  const c = ctx.caller;
  if (c.kind === 'user' && c.token === null) return c;
  if (xsrfRejected(ctx.req) || WRITE_METHODS.has(ctx.req.method ?? 'GET')) return null;
  const found = await deps.sessions.userFromRequest(ctx.req, ctx.res);
  if (found === null) return null;
  const p = await deps.identity.forUser(found.user, found.sessionId);
  return p.kind === 'user' ? p : null;
}

export async function requireUser(ctx: RequestContext, deps: PagesDeps): Promise<UserPrincipal> {
  const p = await pageUser(ctx, deps);
  if (p !== null) return p;
  if (xsrfRejected(ctx.req)) throw new PageError(403, 'The form could not be checked (its XSRF token is missing or stale). Reload the page and try again.');
  if (ctx.req.method !== 'GET' && ctx.req.method !== 'HEAD') throw new PageError(403, 'You are not logged in.');
  throw new LoginRedirect(`${deps.hubPrefix}login?next=${encodeURIComponent(ctx.url.pathname + ctx.url.search)}`);
}

/**
 * A form POST by a logged-in user, XSRF-checked again here so no page write ever depends on one check only (but for
 * the forms whose hub-page Referer the cookie gate accepted, as JupyterHub 3.0 does).
 */
export async function userForm(ctx: RequestContext, deps: PagesDeps): Promise<{ user: UserPrincipal; form: URLSearchParams }> {
  const user = await requireUser(ctx, deps);
  const form = await readForm(ctx.req);
  const token = form.get(XSRF_FIELD) ?? (typeof ctx.req.headers['x-xsrftoken'] === 'string' ? ctx.req.headers['x-xsrftoken'] : null) ?? ctx.url.searchParams.get(XSRF_FIELD);
  if (!refererVouched(ctx.req) && !deps.xsrf.verify(ctx.req, token, user.user.cookie_id)) throw new PageError(403, 'The form could not be checked (its XSRF token is missing or stale). Reload the page and try again.');
  return { user, form };
}

/**
 * The user as templates see it (JupyterHub passes its User object; these are the fields and methods templates use).
 * `server_url(name)` is user.py's: the default server's URL with its slash, a named one's without.
 */
export function userView(user: UserRow, baseUrl: string, subdomainHost = ''): Record<string, unknown> {
  return {
    name: user.name,
    admin: user.admin,
    escaped_name: escapePath(user.name),
    json_escaped_name: JSON.stringify(user.name).slice(1, -1),
    url: serverPublicUrl(subdomainHost, baseUrl, user.name, ''),
    last_activity: templateDatetime(user.last_activity),
    server_url: (server: unknown = '') => {
      const name = typeof server === 'string' ? server : '';
      const url = serverPublicUrl(subdomainHost, baseUrl, user.name, name);
      return name === '' ? url : url.slice(0, -1);
    },
  };
}

/** The user's decrypted auth_state (null without one or without a key that opens it), as user.get_auth_state(). */
export function authStateOf(deps: PagesDeps, user: UserRow): Promise<unknown> {
  return getAuthState(deps.db, cryptKeeperFor(deps.config.CryptKeeper), user, deps.log);
}

/** JupyterHub's template namespace, then template_vars, then the page's own values. */
export function namespace(ctx: RequestContext, deps: PagesDeps, user: UserPrincipal | null, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const token = deps.xsrf.issue(ctx.req, ctx.res, user?.user.cookie_id ?? '');
  const staticUrl = (p: string, includeVersion = true): string => `${deps.hubPrefix}static/${p}${includeVersion ? `?v=${deps.versionHash}` : ''}`;
  return {
    base_url: deps.hubPrefix,
    prefix: deps.baseUrl,
    user: user === null ? null : userView(user.user, deps.baseUrl, deps.config.JupyterHub.subdomain_host),
    login_url: `${deps.hubPrefix}login`,
    logout_url: deps.authenticator.logoutUrl(deps.hubPrefix),
    login_service: deps.authenticator.loginService,
    static_url: staticUrl,
    version_hash: deps.versionHash,
    services: user === null ? [] : deps.services(),
    parsed_scopes: user === null ? [] : [...user.scopes.parsed.keys()],
    expanded_scopes: user === null ? [] : [...user.scopes.scopes],
    xsrf_token: token,
    // The token is base64url plus '.', nothing to escape.
    xsrf_form_html: () => safeHtml(`<input type="hidden" name="_xsrf" value="${token}">`),
    announcement: '',
    ...deps.config.JupyterHub.template_vars,
    ...extra,
  };
}
