import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import type { TlsFiles } from './spawner/spawner.js';
import type { LoadedConfig } from '../lib/config/index.js';
import { HubError } from '../lib/errors.js';
import type { Logger } from '../lib/log.js';
import { HUB_VERSION, JUPYTERHUB_API_VERSION } from '../lib/version.js';
import { openHubDatabase } from './database-stage.js';
import { redactDbUrl } from './db/db-url.js';
import { loadCookieSecret, type CookieSecret } from './auth/cookie-secret.js';
import { ApiService } from './api/api-service.js';
import type { DaemonStatus } from './api/routes/ext.js';
import { answerUnknownMethods } from './api/unknown-method.js';
import { hubConnectUrl, hubListenAddress, publicListenAddress, urlFor, type ListenAddress, type TcpAddress } from './hub-urls.js';
import { userDomain } from './user-host.js';
import { checkProxyClass, ProxyStage } from './proxy-stage.js';
import { ServicesStage } from './services/services-stage.js';
import { chooseSpawner } from './spawner/choose-spawner.js';
import { LocalServerManager } from './spawner/local-server-manager.js';
import { SpawnerObjects } from './spawner/spawner-object.js';
import { OAuthClientRegistry } from './auth/oauth/index.js';
import { WriteBatcher } from './db/write-batch.js';
import { adoptRunningServers, initSpawnersTimeoutMs } from './spawner/adopt.js';
import { freePort } from './spawner/free-port.js';
import { startActivityPoll, type ActivityPoll } from './activity-poll.js';
import { createStatsd, NO_STATSD, type Statsd } from './metrics/statsd.js';
import { createHubMetrics, type HubMetrics } from './metrics/hub-metrics.js';
import { PressureFeed } from './pressure.js';
import { InternalSsl } from './ssl/internal-ssl.js';
import { readTlsFiles, type TlsMaterialPem } from './ssl/tls-files.js';
import { prepareSocketPath, removeFile, writePidFile } from './run-files.js';
import { loadConfiguredGroups, syncConfiguredUsers } from './init-users.js';
import { createAuthenticator } from './auth/authenticators/create-authenticator.js';
import { AuthRefresher } from './auth/auth-refresh.js';
import type { UserRow } from './db/users-repo.js';
import { syncRoles } from './auth/role-sync.js';
import { syncServicesAndTokens } from './auth/config-tokens.js';
import { IdentityService } from './auth/identity.js';
import { hubCookieOptions, SessionManager } from './auth/sessions.js';
import { NoSpawnerManager, type ServerManager } from './spawner/server-manager.js';
import { createScopeRegistry, DEFAULT_REGISTRY, type ScopeRegistry } from './auth/scopes/index.js';
// --- browser auth & pages (issue 3, parts 4-5) ---
import { installBrowserAuth } from './pages/install.js';
import type { Authenticator } from './auth/authenticators/types.js';
import { authenticatorSpawnHooks } from './auth/authenticators/spawn-hooks.js';
import { cryptKeeperFor } from './auth/crypt-keeper.js';
// --- end browser auth & pages ---

/**
 * The composition root. Each stage starts in the order of the guide (config -> database -> secrets -> proxy
 * -> API -> control socket -> ready) and registers how to undo itself; stop() undoes in reverse, so a start
 * that fails half-way leaves nothing behind.
 */
export interface HubOptions {
  /** false: no proxy and no spawner (in-process API tests). Default true. */
  withProxy?: boolean;
  loaded: LoadedConfig;
  cwd: string;
  socketPath: string;
  answerYes: boolean;
  env: NodeJS.ProcessEnv;
  log: Logger;
  /**
   * Stop the daemon as SIGTERM would, with this reason and exit status (main.ts). Without it (a hub inside a
   * test process) the hub sends itself SIGTERM.
   */
  requestStop?: (why: string, exitCode: number) => void;
}

interface Undo {
  name: string;
  run: () => Promise<void>;
}

export class Hub {
  private readonly opts: HubOptions;
  private readonly undo: Undo[] = [];
  private startedAt = new Date();
  /** Where the hub listens, as this host reaches it (status, CLI): `http://127.0.0.1:8081/hub/`. */
  private hubUrl = '';
  /** JupyterHub's Hub.url: how the proxy, servers and services reach the hub (hub_connect_url / hub_connect_ip). */
  private hubConnect = '';
  proxy: ProxyStage | undefined;
  pressure: PressureFeed | undefined;
  /** POST /hub/api/shutdown may override cleanup_servers/cleanup_proxy for this one stop. */
  private cleanupServers: boolean | undefined;
  private cleanupProxy: boolean | undefined;
  /** internal_ssl: the certificate store, and the hub's own key/certificate/trust bundle. */
  ssl: { store: InternalSsl; hub: TlsMaterialPem } | undefined;
  private hubAddr: ListenAddress = { host: '127.0.0.1', port: 0 };
  private publicUrl = '';
  db: Knex | undefined;
  cookieSecret: CookieSecret | undefined;
  identity: IdentityService | undefined;
  sessions: SessionManager | undefined;
  api: ApiService | undefined;
  servers: ServerManager = new NoSpawnerManager();
  registry: ScopeRegistry = DEFAULT_REGISTRY;
  /** JupyterHub.statsd_host: the metrics client, or NO_STATSD (does nothing) when the host is empty. */
  statsd: Statsd = NO_STATSD;
  /** JupyterHub's Prometheus metrics, served at /hub/metrics. */
  readonly metrics: HubMetrics = createHubMetrics({
    runningServers: () => (this.servers instanceof LocalServerManager ? this.servers.counts().running : 0),
    totalUsers: async () => (this.db ? Number(((await this.db('users').count({ n: '*' }).first()) as { n?: unknown } | undefined)?.n ?? 0) : 0),
  });
  /** The last_activity_interval poll of the proxy (tests call pollOnce). */
  activity: ActivityPoll | undefined;
  /** --- browser auth & pages: the configured Authenticator (addUser for POST /users, spawn hooks) --- */
  authenticator: Authenticator | undefined;
  private refresher: AuthRefresher | undefined;

  /** Each server's spawner object, as hooks and the spawn pages see it (user.py's user.spawners). */
  readonly spawnerObjects: SpawnerObjects;

  constructor(opts: HubOptions) {
    this.opts = opts;
    this.spawnerObjects = new SpawnerObjects(opts.loaded.config, opts.log.child('spawner'));
  }

  get config(): LoadedConfig['config'] {
    return this.opts.loaded.config;
  }

  async start(): Promise<DaemonStatus> {
    const { log } = this.opts;
    const jh = this.config.JupyterHub;
    const startTic = performance.now();
    try {
      checkProxyClass(this.config);
      // The listen and connect URLs are config: a mistake in them stops the start before the database or the
      // cookie secret file is created (they are worked out again, for real, below).
      publicListenAddress(jh);
      hubConnectUrl(jh, hubListenAddress(jh), jh.internal_ssl);
      // app.py init_users refuses auth_state it could not store; here before any process or file is touched.
      if (this.config.Authenticator.enable_auth_state) cryptKeeperFor(this.config.CryptKeeper).checkAvailable();
      // Checked before anything is touched too; closed last, so metrics of the stopping servers still go out.
      const statsd = createStatsd(jh, log.child('statsd'));
      this.statsd = statsd;
      this.undo.push({ name: 'statsd', run: () => statsd.close() });
      // First: is another hub running on this state? Refuse before touching the database or the proxy.
      await prepareSocketPath(this.opts.socketPath, log);
      // The authenticator first: configured user names pass through it (normalised, validated) as in app.py.
      this.authenticator = await createAuthenticator(this.config, log.child('authenticator'));
      this.db = await this.startDatabase(this.authenticator);
      this.refresher = new AuthRefresher({ db: this.db, authenticator: this.authenticator, keeper: cryptKeeperFor(this.config.CryptKeeper), log: log.child('auth'), ageSeconds: this.config.Authenticator.auth_refresh_age, onUserChanged: () => this.identity?.invalidate() });
      this.cookieSecret = await loadCookieSecret({ configured: jh.cookie_secret, file: jh.cookie_secret_file, cwd: this.opts.cwd, env: this.opts.env, log });
      if (jh.internal_ssl) await this.startInternalSsl();
      const pub = publicListenAddress(jh);
      // hub_port 0 is resolved now: the proxy, started first, must know where the hub will be (its error target).
      const hubAddr = hubListenAddress(jh);
      if (hubAddr.socketPath === undefined && hubAddr.port === 0) hubAddr.port = await freePort(hubAddr.host === '0.0.0.0' ? '127.0.0.1' : hubAddr.host);
      this.hubAddr = hubAddr;
      this.hubConnect = hubConnectUrl(jh, this.hubAddr, this.ssl !== undefined);
      if (this.opts.withProxy !== false) await this.startProxy(pub);
      this.publicUrl = urlFor(pub.protocol, pub, jh.base_url);
      this.pressure = new PressureFeed(this.db, this.config);
      this.identity = new IdentityService({ db: this.db, registry: this.registry, log: log.child('auth'), activityResolutionSeconds: jh.activity_resolution });
      this.sessions = new SessionManager({
        db: this.db,
        identity: this.identity,
        secret: this.cookieSecret.secret,
        baseUrl: jh.base_url,
        maxAgeDays: jh.cookie_max_age_days,
        secure: pub.protocol === 'https',
        cookieOptions: hubCookieOptions(jh),
        refresher: this.refresher,
        log: log.child('auth'),
      });
      const api = new ApiService({ db: this.db, log: log.child('api'), baseUrl: jh.base_url, identity: this.identity, registry: this.registry, servers: this.servers, pressure: this.pressure, status: () => this.status(), config: this.config,
        shutdown: (o) => this.requestShutdown(o), sessions: this.sessions, loginUrl: () => this.oauthLoginUrl(), refresher: this.refresher, metrics: this.metrics });
      this.api = api;
      // --- browser auth & pages (issue 3, parts 4-5): authenticator, login-cookie + XSRF gate, /hub/ pages ---
      await installBrowserAuth({
        api, db: this.db, config: this.config, log, cwd: this.opts.cwd, sessions: this.sessions, identity: this.identity,
        registry: this.registry, servers: () => this.servers, spawnerObjects: this.spawnerObjects, cookieSecret: this.cookieSecret.secret, secure: pub.protocol === 'https', statsd: this.statsd,
        authenticator: this.authenticator, shutdown: (o) => this.requestShutdown(o),
      });
      // --- end browser auth & pages ---
      await this.startHubPort(api);
      if (this.proxy) await this.startSpawning();
      await this.startServices();
      await this.startControlSocket(api);
      if (jh.pid_file) {
        const pidFile = path.resolve(this.opts.cwd, jh.pid_file);
        await writePidFile(pidFile, log);
        this.undo.push({ name: 'pid file', run: () => removeFile(pidFile) });
      }
      this.startedAt = new Date();
      this.metrics.hubStartupDuration.observe((performance.now() - startTic) / 1000);
      // JupyterHub says `JupyterHub is now running at <public_url>`: where a person opens it comes first.
      log.info(`hub ${HUB_VERSION} is ready at ${this.publicUrl}: API at ${this.hubUrl}, control socket ${this.opts.socketPath}`);
      return this.status();
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  async stop(): Promise<void> {
    while (this.undo.length > 0) {
      const step = this.undo.pop();
      if (!step) break;
      try {
        await step.run();
      } catch (err) {
        this.opts.log.warn(`stopping ${step.name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  /** POST /hub/api/shutdown: stop as SIGTERM would (main.ts handles it), with this stop's cleanup choices. */
  private requestShutdown(o: { servers?: boolean; proxy?: boolean }): void {
    this.cleanupServers = o.servers;
    this.cleanupProxy = o.proxy;
    this.requestStop('Shutdown requested through the API', 0);
  }

  private requestStop(why: string, exitCode: number): void {
    const stop = this.opts.requestStop;
    setImmediate(() => (stop ? stop(why, exitCode) : process.kill(process.pid, 'SIGTERM')));
  }

  /** SIGUSR1's report (JupyterHub's log_status prints the process's ps info): one line about the process and its servers. */
  statusReport(): string {
    const mem = process.memoryUsage();
    const c = this.servers instanceof LocalServerManager ? this.servers.counts() : { spawning: 0, running: 0, stopping: 0 };
    const up = Math.round((Date.now() - this.startedAt.getTime()) / 1000);
    return `pid ${process.pid}, up ${up} s, rss ${Math.round(mem.rss / 1048576)} MiB, heap ${Math.round(mem.heapUsed / 1048576)} MiB; servers: ${c.running} running, ${c.spawning} spawning, ${c.stopping} stopping`;
  }

  status(): DaemonStatus {
    return {
      version: HUB_VERSION,
      jupyterhub_api_version: JUPYTERHUB_API_VERSION,
      pid: process.pid,
      started: this.startedAt.toISOString(),
      hub_url: this.hubUrl,
      public_url: this.publicUrl,
      socket: this.opts.socketPath,
      db_url: redactDbUrl(this.config.JupyterHub.db_url),
      config_file: this.opts.loaded.filepath,
    };
  }

  /** apihandlers/auth.py get_login_url: auto_login_oauth2_authorize skips the hub's login page. */
  private oauthLoginUrl(): string {
    const hubPrefix = `${this.config.JupyterHub.base_url}hub/`;
    if (this.config.Authenticator.auto_login_oauth2_authorize && this.authenticator) return this.authenticator.loginUrl(hubPrefix);
    return `${hubPrefix}login`;
  }

  private async startDatabase(authenticator: Authenticator): Promise<Knex> {
    const jh = this.config.JupyterHub;
    const db = await openHubDatabase({
      dbUrl: jh.db_url,
      dbKwargs: jh.db_kwargs,
      debugDb: jh.debug_db,
      cwd: this.opts.cwd,
      resetDb: jh.reset_db,
      upgradeDb: jh.upgrade_db,
      answerYes: this.opts.answerYes || jh.answer_yes,
      configFile: this.opts.loaded.filepath,
      log: this.opts.log.child('db'),
    });
    this.undo.push({ name: 'database', run: () => db.destroy() });
    // Custom scopes are validated before anything uses them; a bad one stops the start with a clear error.
    if (Object.keys(jh.custom_scopes).length > 0) this.registry = createScopeRegistry({ customScopes: jh.custom_scopes });
    for (const w of this.registry.warnings) this.opts.log.warn(w);
    // app.py's order: init_users, init_groups, init_api_tokens, init_role_assignment.
    await syncConfiguredUsers(db, this.config, authenticator, this.opts.log);
    await loadConfiguredGroups(db, this.config, authenticator, this.opts.log);
    await syncServicesAndTokens(db, this.config, authenticator, this.opts.log);
    await syncRoles(db, this.config, this.registry, authenticator, this.opts.log);
    return db;
  }

  private async startInternalSsl(): Promise<void> {
    const jh = this.config.JupyterHub;
    const store = await InternalSsl.init({
      location: jh.internal_certs_location, cwd: this.opts.cwd, trustedAltNames: jh.trusted_alt_names, recreate: jh.recreate_internal_certs,
      externalAuthorities: jh.external_ssl_authorities, subdomainHost: jh.subdomain_host, log: this.opts.log.child('ssl'),
    });
    if (!store.proxyApi || !store.proxyClient) {
      throw new HubError('CONFIG_INVALID', 'internal_ssl needs keys for proxy-api-ca and proxy-client-ca to issue the proxy its certificates', { hint: 'Give their keys in JupyterHub.external_ssl_authorities, or let hub create them.' });
    }
    this.ssl = { store, hub: await readTlsFiles(store.hub) };
  }

  /** What the spawn sequence needs under internal_ssl: a certificate per spawn, and the hub's client identity. */
  private spawnSsl(ssl: { store: InternalSsl; hub: TlsMaterialPem }): { issue(name: string, user?: string): Promise<TlsFiles>; agent: https.Agent } {
    const sp = this.config.Spawner;
    const sub = this.config.JupyterHub.subdomain_host;
    return {
      // user.py: with subdomain_host the server's certificate also names its user's host (`DNS:<name>.<domain>`).
      issue: (name, user) => ssl.store.issueServerCert({ name, altNames: [...sp.ssl_alt_names, ...(sub !== '' && user !== undefined ? [`DNS:${userDomain(sub, user)}`] : [])], includeLocal: sp.ssl_alt_names_include_local }),
      agent: new https.Agent({ keepAlive: true, ...ssl.hub }),
    };
  }

  private async startProxy(pub: TcpAddress): Promise<void> {
    const proxy = new ProxyStage({
      config: this.config,
      explicit: this.opts.loaded.explicit,
      publicAddr: pub,
      hubUrl: this.hubConnect,
      ...(this.ssl && this.ssl.store.proxyApi && this.ssl.store.proxyClient
        ? { tls: { apiSsl: this.ssl.store.proxyApi, clientSsl: this.ssl.store.proxyClient, hub: this.ssl.hub } }
        : {}),
      // JupyterHub's file, relative to the working directory as in proxy.py: a proxy that JupyterHub (or an
      // earlier hub) left running in this directory is found there, and adopted or stopped.
      ...(this.config.ConfigurableHTTPProxy.pid_file ? { pidFile: path.resolve(this.opts.cwd, this.config.ConfigurableHTTPProxy.pid_file) } : {}),
      env: this.opts.env,
      log: this.opts.log.child('proxy'),
      metrics: this.metrics,
    });
    await proxy.start();
    this.proxy = proxy;
    this.undo.push({ name: 'proxy', run: () => proxy.stop(this.cleanupProxy ?? this.config.JupyterHub.cleanup_proxy) });
  }

  /** Spawner and server manager; servers that survived a hub restart are adopted, not respawned. */
  private async startSpawning(): Promise<void> {
    const proxy = this.proxy;
    const db = this.db;
    if (!proxy || !db) return;
    // proxy.py add_hub_route: the target is Hub.host, the connect URL's origin.
    await proxy.routeHub(new URL(this.hubConnect).origin);
    const log = this.opts.log.child('spawner');
    const configDir = this.opts.loaded.filepath ? path.dirname(this.opts.loaded.filepath) : this.opts.cwd;
    const spawner = await chooseSpawner(this.config, log, path.join(path.dirname(this.opts.socketPath), 'logs'), configDir);
    const hooks = this.authenticator ? { hooks: authenticatorSpawnHooks(this.authenticator, { db, keeper: cryptKeeperFor(this.config.CryptKeeper), log }) } : {};
    // Authenticator.refresh_pre_spawn: a forced refresh_user before every spawn; a failed one refuses it.
    const refresher = this.refresher;
    const preSpawn = this.config.Authenticator.refresh_pre_spawn && refresher?.active ? { refreshPreSpawn: async (u: UserRow) => (await refresher.refresh(u, null, true)) !== null } : {};
    const manager = new LocalServerManager({ db, writes: new WriteBatcher(db), config: this.config, log, statsd: this.statsd, metrics: this.metrics, spawner, proxy, oauth: new OAuthClientRegistry(db, this.identity), objects: this.spawnerObjects, hubApiUrl: this.hubApiUrl(), env: this.opts.env, ...hooks, ...preSpawn, ...(this.ssl ? { ssl: this.spawnSsl(this.ssl) } : {}) });
    // JupyterHub logs it as critical and exits with status 1 (after its cleanup), for a supervisor to restart it.
    manager.onFatal = (reason) => {
      this.opts.log.error(reason);
      this.requestStop(reason, 1);
    };
    this.servers = manager;
    this.api?.setProxy(proxy);
    this.pressure?.attach(manager);
    if (this.api) this.api.setServers(manager);
    this.undo.push({ name: 'servers', run: () => manager.shutdown(this.cleanupServers ?? this.config.JupyterHub.cleanup_servers) });
    const initTic = performance.now();
    await adoptRunningServers(manager, { db, spawner, proxy, config: this.config, log, timeoutMs: initSpawnersTimeoutMs(this.config.JupyterHub.init_spawners_timeout) });
    this.metrics.initSpawnersDuration.observe((performance.now() - initTic) / 1000);
    const jh = this.config.JupyterHub;
    const activity = startActivityPoll({ db, client: proxy.client, intervalSeconds: jh.last_activity_interval, activeUserWindowSeconds: jh.active_user_window, statsd: this.statsd, metrics: this.metrics, log });
    this.activity = activity;
    this.undo.push({ name: 'activity poll', run: async () => activity.stop() });
  }

  /** objects.py Hub.api_url: how spawned servers and services reach the hub's API. */
  private hubApiUrl(): string {
    return `${this.hubConnect}api`;
  }

  /** JupyterHub.services: routes for those with a url; managed ones started now and stopped before the proxy. */
  private async startServices(): Promise<void> {
    if (!this.db || this.config.JupyterHub.services.length === 0) return;
    const services = new ServicesStage({
      db: this.db, config: this.config, log: this.opts.log.child('services'), proxy: this.proxy, env: this.opts.env, cwd: this.opts.cwd,
      hubApiUrl: this.hubApiUrl(), ...(this.ssl ? { ssl: this.spawnSsl(this.ssl) } : {}),
    });
    this.undo.push({ name: 'services', run: () => services.stop() });
    await services.start();
    this.api?.setServiceUrls(() => services.urls());
  }

  private async startHubPort(api: ApiService): Promise<void> {
    const addr = this.hubAddr;
    // Under internal_ssl every peer of the hub port (proxy, servers, services) shows a certificate of ours.
    const listener = api.listener('tcp');
    const server = this.ssl
      ? https.createServer({ ...this.ssl.hub, requestCert: true, rejectUnauthorized: true }, listener)
      : http.createServer(listener);
    answerUnknownMethods(server, listener);
    if (addr.socketPath !== undefined) {
      await this.listenUnix(server, addr.socketPath);
      this.hubUrl = this.config.JupyterHub.hub_bind_url;
      this.opts.log.info(`Hub API listening on ${addr.socketPath}; private Hub API connect url ${this.hubConnect}`);
      return;
    }
    await listen(server, () => server.listen(addr.port, addr.host), `the hub API on ${addr.host}:${addr.port}`);
    this.undo.push({ name: 'hub API', run: () => closeServer(server) });
    const bound = server.address() as AddressInfo;
    this.hubUrl = urlFor(this.ssl ? 'https' : 'http', { host: addr.host, port: bound.port }, `${this.config.JupyterHub.base_url}hub/`);
    if (new URL(this.hubUrl).origin !== new URL(this.hubConnect).origin) this.opts.log.info(`Private Hub API connect url ${this.hubConnect}`);
  }

  /** hub_bind_url unix+http://: as tornado's bind_unix_socket, a stale socket file is replaced and the new one is 0600. */
  private async listenUnix(server: http.Server, socketPath: string): Promise<void> {
    const st = await fs.lstat(socketPath).catch(() => undefined);
    if (st && !st.isSocket()) {
      throw new HubError('CONFIG_INVALID', `JupyterHub.hub_bind_url: ${socketPath} exists and is not a socket`, { hint: 'Remove that file or choose another socket path.' });
    }
    if (st) await removeFile(socketPath);
    const oldMask = process.umask(0o177);
    try {
      await listen(server, () => server.listen(socketPath), `the hub API on ${socketPath}`);
    } finally {
      process.umask(oldMask);
    }
    this.undo.push({
      name: 'hub API',
      run: async () => {
        await closeServer(server);
        await removeFile(socketPath);
      },
    });
  }

  private async startControlSocket(api: ApiService): Promise<void> {
    const socketPath = this.opts.socketPath;
    const listener = api.listener('socket');
    const server = http.createServer(listener);
    answerUnknownMethods(server, listener);
    // umask 0177 while binding: the socket is born 0600, with no moment in which others could connect.
    const oldMask = process.umask(0o177);
    try {
      await listen(server, () => server.listen(socketPath), `the control socket ${socketPath}`);
    } finally {
      process.umask(oldMask);
    }
    await fs.chmod(socketPath, 0o600);
    this.undo.push({
      name: 'control socket',
      run: async () => {
        await closeServer(server);
        await removeFile(socketPath);
      },
    });
  }
}

async function listen(server: http.Server, start: () => void, what: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const hint =
        err.code === 'EADDRINUSE' ? 'Another process uses that address: stop it, or choose another port in the config.'
        : err.code === 'EACCES' ? 'Ports below 1024 need root or CAP_NET_BIND_SERVICE; choose a higher port.'
        : undefined;
      reject(new HubError('DAEMON_START_FAILED', `cannot listen for ${what}: ${err.code ?? err.message}`, hint ? { hint } : {}));
    });
    server.once('listening', () => resolve());
    start();
  });
}

async function closeServer(server: http.Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  // Keep-alive clients would hold close() open; in-flight requests get a moment, then are cut.
  const timer = setTimeout(() => server.closeAllConnections(), 2000);
  await closed;
  clearTimeout(timer);
}
