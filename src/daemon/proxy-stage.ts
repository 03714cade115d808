import { randomBytes } from 'node:crypto';
import type { HubConfig } from '../lib/config/index.js';
import { HubError } from '../lib/errors.js';
import type { Logger } from '../lib/log.js';
import { ChpClient } from './proxy/chp-client.js';
import { ProxyProcess } from './proxy/proxy-process.js';
import { defaultProxyCommand } from './proxy/proxy-args.js';
import { parseExtraRoutes } from './proxy/extra-routes.js';
import type { ProxyRoutes } from './spawner/ports.js';
import type { TcpAddress } from './hub-urls.js';
import { reservePort } from './spawner/free-port.js';
import type { TlsFiles } from './ssl/internal-ssl.js';
import { resolveClassRef } from '../lib/config/class-ref.js';
import type { HubMetrics } from './metrics/hub-metrics.js';
import type { Histogram } from './metrics/prometheus.js';

/**
 * JupyterHub.proxy_class: hub drives every proxy through configurable-http-proxy's REST API, so only that class
 * exists; a custom one (a module or a class from a JS config) would be silently unused, so it is refused.
 */
export function checkProxyClass(config: HubConfig): void {
  const value = config.JupyterHub.proxy_class;
  if (resolveClassRef('Proxy', value).kind === 'builtin') return;
  const shown = typeof value === 'function' ? (value.name || 'a class') : value;
  throw new HubError('CONFIG_INVALID', `JupyterHub.proxy_class ${shown}: hub supports only configurable-http-proxy (it drives the proxy through CHP's REST API)`, {
    hint: 'Remove proxy_class; run a CHP-compatible proxy with ConfigurableHTTPProxy.command, or start it yourself and set ConfigurableHTTPProxy.should_start: false, api_url and auth_token.',
  });
}

// Ours prints `INFO:`, a real CHP `info:` (winston colours the level when it writes to a terminal).
// eslint-disable-next-line no-control-regex
const ROUTE_CHECK_LINE = /\[ConfigProxy\] (?:\x1b\[\d+m)?info(?:\x1b\[\d+m)?: 200 GET \/api\/routes\/?\s*$/i;

/**
 * The proxy's output goes into the hub's log at info, but for its answer to the route check that the hub makes every
 * check_running_interval (5 s): CHP logs every API request at info, and JupyterHub reads the routes only every
 * last_activity_interval (5 min), so relayed at info those lines would be most of a quiet hub's log. They go at
 * debug; anything else the proxy says (route changes, errors, a failed GET) stays at info.
 */
export function relayProxyLine(log: Logger, line: string): void {
  if (ROUTE_CHECK_LINE.test(line)) log.debug(`[proxy] ${line}`);
  else log.info(`[proxy] ${line}`);
}

/**
 * The proxy, its own process by default (GUIDE decision 2), driven through configurable-http-proxy's REST API,
 * so `ConfigurableHTTPProxy.command` may name a real CHP instead of ours. The stage keeps the routes it was
 * asked for, checks the proxy every check_running_interval, and if it died (or lost routes) restarts it and
 * puts every route back. With cleanup_proxy off the proxy is left running at stop and adopted at next start.
 */
export interface ProxyStageOptions {
  config: HubConfig;
  explicit: Set<string>;
  publicAddr: TcpAddress;
  /** The hub's connect URL (`http://127.0.0.1:8081/hub/`): the proxy's error target. */
  hubUrl: string;
  /** ConfigurableHTTPProxy.pid_file, resolved; none when it is empty (JupyterHub then writes none either). */
  pidFile?: string;
  env: NodeJS.ProcessEnv;
  log: Logger;
  /** internal_ssl: the proxy's API and backend certificates, and the hub's own for talking to the API. */
  tls?: { apiSsl: TlsFiles; clientSsl: TlsFiles; hub: { key: Buffer; cert: Buffer; ca: Buffer } };
  /** Prometheus: check_routes and user-route add/delete durations, as JupyterHub times them. */
  metrics?: HubMetrics;
}

export class ProxyStage implements ProxyRoutes {
  private readonly o: ProxyStageOptions;
  private readonly wanted = new Map<string, { target: string; data: Record<string, unknown> }>();
  private process: ProxyProcess | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** The check under way, if any. */
  private checking: Promise<void> | undefined;
  private readonly extraRoutes: Map<string, string>;
  client!: ChpClient;
  authToken: string;

  constructor(o: ProxyStageOptions) {
    this.o = o;
    this.extraRoutes = parseExtraRoutes(o.config, o.log);
    const configured = o.config.ConfigurableHTTPProxy.auth_token;
    // JupyterHub generates a token when none is configured and it starts the proxy itself.
    this.authToken = configured || randomBytes(32).toString('hex');
    if (!configured && !o.config.ConfigurableHTTPProxy.should_start) {
      throw new HubError('CONFIG_INVALID', 'the proxy is not started by the hub (ConfigurableHTTPProxy.should_start: false) but no auth token is set', {
        hint: 'Set CONFIGPROXY_AUTH_TOKEN (or ConfigurableHTTPProxy.auth_token) to the token the running proxy uses.',
      });
    }
  }

  /** Where the proxy's API listens (port 0 in the config becomes a free port when we start the proxy). */
  apiUrl = '';

  async start(): Promise<void> {
    const chp = this.o.config.ConfigurableHTTPProxy;
    const api = new URL(chp.api_url);
    // Port 0 in the config: the hub picks the port and hands it to the proxy process, which binds it a moment
    // later. Another process may take it in between (EADDRINUSE); then the hub picks again, a few times.
    const pickApi = chp.should_start && api.port === '0';
    const pickPublic = chp.should_start && this.o.publicAddr.port === 0;
    for (let attempt = 1; ; attempt++) {
      const picked: Array<() => void> = [];
      const pick = async (host: string): Promise<number> => {
        const r = await reservePort(host);
        picked.push(r.release);
        return r.port;
      };
      if (pickApi) api.port = String(await pick(api.hostname));
      if (pickPublic) this.o.publicAddr.port = await pick(this.o.publicAddr.host);
      let addrInUse = false;
      try {
        await this.startOnce(chp, api, (line) => {
          if (line.includes('EADDRINUSE')) addrInUse = true;
        });
        break;
      } catch (err) {
        if (!addrInUse || !(pickApi || pickPublic) || attempt >= 3) throw err;
        this.o.log.warn(`the proxy could not bind the port the hub picked for it (another process took it first); picking again (${attempt + 1} of 3)`);
      } finally {
        for (const release of picked) release();
      }
    }
    await this.afterStart(chp);
  }

  private async startOnce(chp: HubConfig['ConfigurableHTTPProxy'], api: URL, watch: (line: string) => void): Promise<void> {
    if (this.o.tls) api.protocol = 'https:';
    this.apiUrl = api.toString().replace(/\/$/, '');
    this.client = new ChpClient({ ...(this.o.tls?.hub ?? {}), apiUrl: this.apiUrl, authToken: this.authToken, hostRouting: this.o.config.JupyterHub.subdomain_host !== '', log: this.o.log });
    if (chp.should_start) {
      const command = this.o.explicit.has('ConfigurableHTTPProxy.command') ? chp.command : defaultProxyCommand();
      this.process = new ProxyProcess({
        ip: this.o.publicAddr.host,
        port: this.o.publicAddr.port,
        apiIp: api.hostname,
        apiPort: Number(api.port || 80),
        authToken: this.authToken,
        errorTarget: `${this.o.hubUrl}error`,
        hostRouting: this.o.config.JupyterHub.subdomain_host !== '',
        ...(this.o.config.JupyterHub.ssl_key ? { sslKey: this.o.config.JupyterHub.ssl_key } : {}),
        ...(this.o.config.JupyterHub.ssl_cert ? { sslCert: this.o.config.JupyterHub.ssl_cert } : {}),
        logLevel: chp.debug ? 'debug' : chp.log_level,
        command,
        env: this.o.env,
        ...(this.o.pidFile === undefined ? {} : { pidFile: this.o.pidFile }),
        adopt: true,
        ...(this.o.tls ? { apiSsl: this.o.tls.apiSsl, clientSsl: this.o.tls.clientSsl, clientTls: this.o.tls.hub } : {}),
        output: (line) => {
          watch(line);
          relayProxyLine(this.o.log, line);
        },
        log: this.o.log,
      });
      await this.process.start();
    }
  }

  /** Proxy.extra_routes and the check timer, once the proxy answers. */
  private async afterStart(chp: HubConfig['ConfigurableHTTPProxy']): Promise<void> {
    // Proxy.extra_routes are kept like the hub's own: re-added by every check (data {extra: true}, as JupyterHub).
    for (const [spec, target] of this.extraRoutes) {
      this.o.log.info(`Adding extra route ${spec} -> ${target}`);
      await this.addRoute(spec, target, { extra: true });
    }
    const every = Math.max(1, chp.check_running_interval) * 1000;
    this.timer = setInterval(() => void this.check(), every);
    this.timer.unref();
  }

  /** The catch-all route to the hub, once the hub's port is bound (it may be port 0 until then). */
  async routeHub(target: string): Promise<void> {
    await this.addRoute(this.o.config.JupyterHub.hub_routespec, target, { hub: true });
  }

  async addRoute(routespec: string, target: string, data: Record<string, unknown>): Promise<void> {
    this.wanted.set(routespec, { target, data });
    await this.timed(data, this.o.metrics?.proxyAddDuration, () => this.client.addRoute(routespec, target, data));
  }

  async deleteRoute(routespec: string): Promise<void> {
    const data = this.wanted.get(routespec)?.data ?? {};
    this.wanted.delete(routespec);
    await this.timed(data, this.o.metrics?.proxyDeleteDuration, () => this.client.deleteRoute(routespec));
  }

  /** A user's route change, timed into the histogram with status success/failure; other routes untimed. */
  private async timed(data: Record<string, unknown>, h: Histogram | undefined, op: () => Promise<void>): Promise<void> {
    if (!h || typeof data.user !== 'string') return op();
    const tic = performance.now();
    try {
      await op();
      h.labels({ status: 'success' }).observe((performance.now() - tic) / 1000);
    } catch (err) {
      h.labels({ status: 'failure' }).observe((performance.now() - tic) / 1000);
      throw err;
    }
  }

  /** The periodic check: a failure is logged, and the next interval tries again. */
  async check(): Promise<void> {
    try {
      await this.checkRoutes();
    } catch (err) {
      this.o.log.warn(`checking the proxy: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /**
   * JupyterHub's check_routes: restart a dead proxy, re-add what is missing or wrong, drop stale user routes.
   * One at a time: a caller arriving during a check shares it, and its failure.
   */
  private checkRoutes(): Promise<void> {
    this.checking ??= this.checkOnce().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async checkOnce(): Promise<void> {
    const tic = performance.now();
    try {
      if (this.process && !this.process.isRunning()) {
        this.o.log.warn('the proxy is not running; restarting it and restoring its routes');
        await this.process.start();
      }
      const have = await this.client.getAllRoutes();
      for (const [spec, want] of this.wanted) {
        if (have[spec]?.target !== want.target) await this.client.addRoute(spec, want.target, want.data);
      }
      for (const spec of Object.keys(have)) {
        if (!this.wanted.has(spec)) await this.client.deleteRoute(spec);
      }
    } finally {
      this.o.metrics?.checkRoutesDuration.observe((performance.now() - tic) / 1000);
    }
  }

  /** GET /hub/api/proxy: the hub's routes in the proxy, as JupyterHub's get_all_routes gives them ({routespec, target, data}). */
  async getRoutes(): Promise<Record<string, unknown>> {
    return this.client.getAllRoutes();
  }

  /** POST /hub/api/proxy: make the proxy's routes match ours now; a proxy that does not answer is the caller's error to see. */
  async sync(): Promise<void> {
    await this.checkRoutes();
  }

  /** PATCH /hub/api/proxy: a new proxy took over at apiUrl (with token); talk to it and give it our routes. */
  async reconfigure(apiUrl?: string, token?: string): Promise<void> {
    if (apiUrl) this.apiUrl = apiUrl.replace(/\/$/, '');
    if (token) this.authToken = token;
    this.client.close();
    this.client = new ChpClient({ ...(this.o.tls?.hub ?? {}), apiUrl: this.apiUrl, authToken: this.authToken, hostRouting: this.o.config.JupyterHub.subdomain_host !== '', log: this.o.log });
    await this.checkRoutes();
  }

  async stop(cleanup: boolean): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.process) {
      if (cleanup) await this.process.stop();
      else this.process.release();
    }
    this.client?.close();
  }
}
