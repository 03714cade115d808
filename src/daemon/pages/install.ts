import path from 'node:path';
import type { Knex } from 'knex';
import type { HubConfig } from '../../lib/config/index.js';
import type { Logger } from '../../lib/log.js';
import { HUB_VERSION } from '../../lib/version.js';
import { HubError } from '../../lib/errors.js';
import type { ApiService } from '../api/api-service.js';
import { initExistingUsers } from '../auth/authenticators/init-existing-users.js';
import type { Authenticator } from '../auth/authenticators/types.js';
import type { IdentityService } from '../auth/identity.js';
import type { ScopeRegistry } from '../auth/scopes/index.js';
import type { SessionManager } from '../auth/sessions.js';
import { XsrfProtection } from '../auth/xsrf.js';
import type { Statsd } from '../metrics/statsd.js';
import type { ServerManager } from '../spawner/server-manager.js';
import { registerAdminPage } from './admin-page.js';
import { assetDirs, hubTemplateNames } from './assets.js';
import { cookieGate } from './cookie-gate.js';
import { registerCspReport } from './csp-report.js';
import { registerErrorPage } from './error-page.js';
import { renderErrorPage } from './page-handler.js';
import { securityHeaders } from './respond.js';
import { defaultCsp } from '../api/hub-headers.js';
import { oauthConfirmRenderer } from './oauth-confirm-page.js';
import { registerHomePage } from './home-page.js';
import { registerLoginPages } from './login-page.js';
import { registerLogoutPage } from './logout-page.js';
import type { PagesDeps } from './page-context.js';
import { PageRenderer } from './renderer.js';
import { registerRootPage } from './root-page.js';
import { registerStaticRoutes } from './static-routes.js';
import { registerTokenPage } from './token-page.js';
import { registerSpawnPages } from './spawn-page.js';
import { installExtraHandlers } from './extra-handlers.js';
import { outsideHubHandler } from './user-url.js';
import { displayedServices } from './service-menu.js';
import type { SpawnerObjects } from '../spawner/spawner-object.js';

/**
 * Browser-facing authentication, wired into the hub in one call: the configured Authenticator (told about
 * every existing user, as JupyterHub's init_users does), the login cookie as a request authenticator with the
 * XSRF gate in front of every cookie-authenticated write, and the pages under `<base_url>hub/`.
 */
export interface BrowserAuthDeps {
  api: ApiService;
  db: Knex;
  config: HubConfig;
  log: Logger;
  cwd: string;
  sessions: SessionManager;
  identity: IdentityService;
  registry: ScopeRegistry;
  servers: () => ServerManager;
  spawnerObjects: SpawnerObjects;
  cookieSecret: Buffer;
  /** Made before the database stage, which passes configured names through it (app.py init_users). */
  authenticator: Authenticator;
  /** The public side is https: cookies get the Secure flag. */
  secure: boolean;
  statsd: Statsd;
  /** The admin page's "Shut down the hub" (the same as POST /hub/api/shutdown). */
  shutdown?: (opts: { servers?: boolean; proxy?: boolean }) => void;
}

export async function installBrowserAuth(d: BrowserAuthDeps): Promise<void> {
  const jh = d.config.JupyterHub;
  const log = d.log.child('pages');
  const authenticator = d.authenticator;
  await initExistingUsers(d.db, authenticator, { deleteInvalid: d.config.Authenticator.delete_invalid_users, log: d.log.child('authenticator') });
  const hubPrefix = `${jh.base_url}hub/`;
  const xsrf = new XsrfProtection({
    secret: d.cookieSecret, path: hubPrefix, secure: d.secure, maxAgeSeconds: jh.cookie_max_age_days * 86_400, cookieKwargs: jh.tornado_settings.xsrf_cookie_kwargs,
  });
  const dirs = assetDirs(jh.data_files_path === '' ? '' : path.resolve(d.cwd, jh.data_files_path));
  const templatePaths = jh.template_paths.map((p) => path.resolve(d.cwd, p));
  const renderer = new PageRenderer({
    templatePaths,
    defaultDir: dirs.templates,
    environmentOptions: jh.jinja_environment_options,
    log,
  });
  checkTemplates(renderer, jh.data_files_path === '' ? '' : dirs.templates, templatePaths);
  const deps: PagesDeps = {
    db: d.db, log, statsd: d.statsd, config: d.config, sessions: d.sessions, identity: d.identity, registry: d.registry, servers: d.servers, spawnerObjects: d.spawnerObjects,
    authenticator, xsrf, renderer, baseUrl: jh.base_url, hubPrefix,
    versionHash: `${HUB_VERSION}-${Date.now().toString(36)}`,
    ...(d.shutdown ? { shutdown: d.shutdown } : {}),
    services: () => displayedServices(d.config, d.api.serviceUrls()),
  };
  d.api.authenticators.push(cookieGate({ sessions: d.sessions, identity: d.identity, xsrf, hubPrefix, forwardedHostHeader: jh.forwarded_host_header, log }));
  const r = d.api.router;
  registerRootPage(r, deps);
  registerLoginPages(r, deps);
  registerLogoutPage(r, deps);
  registerHomePage(r, deps);
  registerTokenPage(r, deps);
  registerSpawnPages(r, deps);
  d.api.outsideHub = outsideHubHandler(deps);
  d.api.pageError = async (ctx, status, message) => {
    securityHeaders(ctx.res, defaultCsp(jh, false));
    await renderErrorPage(ctx, deps, status, message);
  };
  registerAdminPage(r, deps);
  registerErrorPage(r, deps);
  d.api.setOAuthConfirmPage(oauthConfirmRenderer(deps));
  registerCspReport(r, deps);
  registerStaticRoutes(r, deps, dirs);
  installExtraHandlers(d.api, deps, jh.extra_handlers, d.log.child('extra_handlers'));
}

/** Every page template must load: a bad data_files_path or template_paths entry is a config error at start. */
function checkTemplates(renderer: PageRenderer, dataTemplates: string, templatePaths: readonly string[]): void {
  const bad = renderer.problem(hubTemplateNames());
  if (bad === null) return;
  // nunjucks names the file it could not parse; a missing one is looked for in every directory.
  const fromPaths = templatePaths.some((p) => bad.message.includes(p));
  const option = dataTemplates !== '' && !fromPaths ? 'JupyterHub.data_files_path' : 'JupyterHub.template_paths';
  const hint = option === 'JupyterHub.data_files_path'
    ? `data_files_path must hold hub's own templates/ and static/ (it is ${path.dirname(dataTemplates)}; JupyterHub's data files do not work with hub). Remove it, and put only the pages you change in JupyterHub.template_paths.`
    : `Fix ${bad.name} in ${templatePaths.join(', ')} or remove it there; hub's own templates serve the pages you do not override.`;
  throw new HubError('CONFIG_INVALID', `${option}: the page template ${bad.name} cannot be used: ${bad.message.slice(0, 300)}`, { hint });
}
