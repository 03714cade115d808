/**
 * The public listener: routes each request by longest prefix to its target with http-proxy-3 (HTTP and
 * websockets), prefixes not stripped, X-Forwarded-* added, errors answered as CHP answers them, activity
 * recorded per route. It holds no policy: the route table is filled through the REST API (proxy-api.ts).
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createProxyServer, type ProxyServer as HttpProxy } from 'http-proxy-3';
import { EXPECTED_NETWORK_ERRORS, errnoCode } from '../../lib/errors.js';
import type { Logger } from '../../lib/log.js';
import { createBackendAgents, destroyBackendAgents, type BackendAgents } from './backend-agents.js';
import { trackWsActivity } from './proxy-activity.js';
import { rejectUpgrade, sendErrorPage, type ErrorPageContext } from './proxy-error-page.js';
import type { ClientTlsMaterial, TlsMaterial } from './proxy-tls.js';
import { routingPath } from './request-path.js';
import type { RouteEntry, RouteTable } from './route-table.js';
import { WebForwarder } from './web-forward.js';

export interface ProxyServerOptions {
  routes: RouteTable;
  log: Logger;
  /** The request's host becomes the first path segment (JupyterHub with subdomain_host). */
  hostRouting?: boolean;
  /** Add X-Forwarded-For/-Port/-Proto/-Host (default true, as CHP without --no-x-forward). */
  xfwd?: boolean;
  /** JupyterHub: `<hub>/hub/error`; the proxy fetches `<errorTarget>/<code>?url=<url>`. */
  errorTarget?: string;
  /** Idle timeout of the client's socket per request, ms (CHP --timeout). */
  timeout?: number;
  /** How long to wait for the backend's response, ms (CHP --proxy-timeout). */
  proxyTimeout?: number;
  /** Idle keep-alive of client connections, ms (CHP 4.6+ --keep-alive-timeout, default 5000). */
  keepAliveTimeout?: number;
  tls?: TlsMaterial;
  /** --client-ssl-*: the proxy's certificate and trust towards https backends. */
  clientTls?: ClientTlsMaterial;
}

export const HEALTH_PATH = '/_chp_healthz';
const HEALTH_BODY = JSON.stringify({ status: 'OK' });

export class ProxyServer {
  readonly server: http.Server | https.Server;
  /** Websockets only; plain HTTP goes through `web` (see web-forward.ts for why). */
  private readonly proxy: HttpProxy;
  private readonly web: WebForwarder;
  private readonly agents: BackendAgents;
  private readonly upgraded = new Set<Duplex>();
  private readonly errorPages: ErrorPageContext;
  private readonly hostRouting: boolean;

  constructor(private readonly opts: ProxyServerOptions) {
    this.hostRouting = opts.hostRouting ?? false;
    this.agents = createBackendAgents(opts.clientTls);
    this.proxy = createProxyServer({ xfwd: opts.xfwd ?? true, ws: true, timeout: opts.timeout, proxyTimeout: opts.proxyTimeout });
    // http-proxy-3 re-emits client socket errors of websockets here; without a listener they would throw.
    this.proxy.on('error', (err) => opts.log.debug(`proxy socket error: ${err.message}`));
    this.web = new WebForwarder({
      agents: this.agents,
      xfwd: opts.xfwd ?? true,
      timeout: opts.timeout,
      proxyTimeout: opts.proxyTimeout,
      onError: (err, req, res) => this.fail(503, req, res, err),
    });
    this.errorPages = {
      errorTarget: opts.errorTarget,
      agents: this.agents,
      onErrorTargetFailure: (err) => opts.log.error(`Failed to get custom error page from ${opts.errorTarget ?? ''}: ${err.message}`),
    };
    const handler = (req: IncomingMessage, res: ServerResponse): void => this.handleWeb(req, res);
    // requestTimeout 0: Node's default (300 s for the whole request) would cut long uploads through the proxy;
    // headersTimeout still guards against clients that never finish their headers.
    const serverOptions = { requestTimeout: 0 };
    this.server = opts.tls ? https.createServer({ ...opts.tls, ...serverOptions }, handler) : http.createServer(serverOptions, handler);
    this.server.keepAliveTimeout = opts.keepAliveTimeout ?? 5000;
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.handleUpgrade(req, socket, head));
  }

  listen(port: number, host?: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /**
   * Stops accepting, lets requests in flight finish for up to `graceMs`, then cuts what is left. Websockets
   * are cut at once: they would never finish by themselves.
   */
  async close(graceMs = 2000): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    for (const socket of this.upgraded) socket.destroy();
    const timer = setTimeout(() => this.server.closeAllConnections(), graceMs);
    await closed;
    clearTimeout(timer);
    destroyBackendAgents(this.agents);
  }

  private route(req: IncomingMessage): RouteEntry | number {
    const path = routingPath(req, this.hostRouting);
    if (path === undefined) return 400;
    return this.opts.routes.match(path) ?? 404;
  }

  private handleWeb(req: IncomingMessage, res: ServerResponse): void {
    if (req.url === HEALTH_PATH) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(HEALTH_BODY);
      return;
    }
    const route = this.route(req);
    if (typeof route === 'number') {
      this.fail(route, req, res, undefined);
      return;
    }
    this.web.forward(req, res, route.targetUrl, route);
  }

  private handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const route = this.route(req);
    if (typeof route === 'number') {
      this.logFailure(route, req, undefined);
      rejectUpgrade(route, socket);
      return;
    }
    this.upgraded.add(socket);
    socket.once('close', () => this.upgraded.delete(socket));
    const secure = route.targetUrl.protocol === 'https:' || route.targetUrl.protocol === 'wss:';
    this.proxy.ws(req, socket, head, { target: route.targetUrl, agent: secure ? this.agents.https : this.agents.http }, this.onWsError);
    trackWsActivity(socket, route);
  }

  private readonly onWsError = (err: Error, req: IncomingMessage, socket: ServerResponse | Socket): void => {
    if (socket instanceof http.ServerResponse) return;
    this.logFailure(503, req, err);
    // Once the 101 went out the client speaks websocket: a status line would be garbage, so just cut it.
    if (socket.bytesWritten === 0) rejectUpgrade(503, socket);
    else socket.destroy();
  };

  private fail(code: number, req: IncomingMessage, res: ServerResponse, err: Error | undefined): void {
    this.logFailure(code, req, err);
    sendErrorPage(code, req, res, this.errorPages);
  }

  /** Expected network errors are one line; anything else brings its stack, it is our problem. */
  private logFailure(code: number, req: IncomingMessage, err: Error | undefined): void {
    const url = (req.url ?? '').split('?', 1)[0];
    let detail = '';
    if (err !== undefined) detail = EXPECTED_NETWORK_ERRORS.has(errnoCode(err) ?? '') ? err.message : (err.stack ?? err.message);
    const line = `${code} ${req.method ?? 'GET'} ${url} ${detail}`.trimEnd();
    if (code >= 500) this.opts.log.error(line);
    else this.opts.log.warn(line);
  }
}
