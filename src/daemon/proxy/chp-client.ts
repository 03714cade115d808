/**
 * How the hub drives any CHP-compatible proxy (ours or a real configurable-http-proxy) over its REST API,
 * with JupyterHub's ConfigurableHTTPProxy semantics: routes it adds carry `jupyterhub: true`, getAllRoutes
 * drops routes without that key and returns `{routespec: {routespec, target, data}}`, delete of a missing
 * route only warns, and calls are retried with exponential backoff for up to 30 s when the proxy is not
 * reachable (a proxy being restarted) or answers 5xx.
 */
import type http from 'node:http';
import { HubError, errnoCode } from '../../lib/errors.js';
import { silentLogger, type Logger } from '../../lib/log.js';
import { retryWithBackoff } from './backoff.js';
import { chpPathForUrl, routespecFromChpPath, routespecToChpPath, validateRoutespec } from './chp-routespec.js';
import { ServerSideError, createAgent, isRetryable, isTlsFailure, send, type ApiResponse, type Transport } from './chp-transport.js';

export interface ChpClientOptions {
  /** e.g. http://127.0.0.1:8001 (JupyterHub's ConfigurableHTTPProxy.api_url). */
  apiUrl: string;
  /** CONFIGPROXY_AUTH_TOKEN, sent as `Authorization: token ...`. */
  authToken: string;
  /** JupyterHub with subdomain_host: routespecs start with the host. */
  hostRouting?: boolean;
  /** Per request (JupyterHub: 10 s). */
  requestTimeoutMs?: number;
  /** How long to keep retrying an unreachable proxy (JupyterHub: 30 s). */
  retryDeadlineMs?: number;
  /** internal_ssl: the CAs the proxy API's certificate is checked against (hub-ca_trust.crt). */
  ca?: string | Buffer;
  /** internal_ssl: the hub's client certificate and key (hub-internal), which the API requires. */
  cert?: string | Buffer;
  key?: string | Buffer;
  log?: Logger;
}

/** JupyterHub's route shape. `data` keeps CHP's `last_activity` (ISO string), which the activity poll reads. */
export interface ProxyRoute {
  routespec: string;
  target: string;
  data: Record<string, unknown>;
}

/** A route as CHP's API returns it. */
export type ChpRoute = Record<string, unknown> & { target: string; last_activity?: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isChpRoute(value: unknown): value is ChpRoute {
  return isObject(value) && typeof value.target === 'string';
}

export class ChpClient {
  private readonly base: string;
  private readonly transport: Transport;
  private readonly hostRouting: boolean;
  private readonly log: Logger;

  constructor(private readonly opts: ChpClientOptions) {
    const url = new URL(opts.apiUrl);
    this.base = url.href.replace(/\/+$/, '');
    this.transport = { agent: createAgent(url, { ca: opts.ca, cert: opts.cert, key: opts.key }), authToken: opts.authToken, timeoutMs: opts.requestTimeoutMs ?? 10_000 };
    this.hostRouting = opts.hostRouting ?? false;
    this.log = opts.log ?? silentLogger;
  }

  async addRoute(routespec: string, target: string, data: Record<string, unknown> = {}): Promise<void> {
    const path = routespecToChpPath(routespec, this.hostRouting);
    await this.call('POST', path, JSON.stringify({ ...data, target, jupyterhub: true }), [201]);
  }

  /** A route that is already gone is the goal reached: warned about, not an error (as JupyterHub). */
  async deleteRoute(routespec: string): Promise<void> {
    const path = routespecToChpPath(routespec, this.hostRouting);
    const res = await this.call('DELETE', path, undefined, [204, 404]);
    if (res.status === 404) this.log.warn(`Route ${routespec} already deleted`);
  }

  async getAllRoutes(): Promise<Record<string, ProxyRoute>> {
    const all: Record<string, ProxyRoute> = {};
    for (const [chpPath, chpData] of Object.entries(await this.getRawRoutes())) {
      const routespec = routespecFromChpPath(chpPath, this.hostRouting);
      // Routes without the key were not added by a hub (CHP's --default-target, other tenants): not ours.
      if (!('jupyterhub' in chpData)) continue;
      all[routespec] = toProxyRoute(routespec, chpData);
    }
    return all;
  }

  async getRoute(routespec: string): Promise<ProxyRoute | undefined> {
    const spec = validateRoutespec(routespec, this.hostRouting);
    const path = routespecToChpPath(spec, this.hostRouting);
    // `GET /api/routes/` lists every route in CHP, so the root route can only be read from the list.
    if (path === '/') return (await this.getAllRoutes())[spec];
    const res = await this.call('GET', path, undefined, [200, 404]);
    if (res.status === 404) return undefined;
    const chpData = this.parse(res, `GET ${path}`);
    if (!isChpRoute(chpData) || !('jupyterhub' in chpData)) return undefined;
    return toProxyRoute(spec, chpData);
  }

  /** CHP's own table, every route, `last_activity` included; `inactiveSince` filters on the proxy side. */
  async getRawRoutes(opts: { inactiveSince?: Date } = {}): Promise<Record<string, ChpRoute>> {
    const query = opts.inactiveSince ? `?inactive_since=${encodeURIComponent(opts.inactiveSince.toISOString())}` : '';
    const res = await this.call('GET', '', undefined, [200], query);
    const body = this.parse(res, 'GET /api/routes');
    if (!isObject(body)) throw new HubError('API_ERROR', `proxy API ${this.base} did not return a route table`);
    const routes: Record<string, ChpRoute> = {};
    for (const [path, route] of Object.entries(body)) if (isChpRoute(route)) routes[path] = route;
    return routes;
  }

  /** One attempt, no retry: true when the API answers with our token; for readiness polls. */
  async ping(): Promise<boolean> {
    try {
      const res = await send(this.transport, 'GET', new URL(`${this.base}/api/routes`));
      if (res.status >= 500) return false;
      this.check(res, 'GET /api/routes', [200]);
      return true;
    } catch (err) {
      if (isRetryable(err)) return false;
      throw this.tlsError(err) ?? err;
    }
  }

  /** Frees the pooled connections; the client must not be used afterwards. */
  close(): void {
    this.transport.agent.destroy();
  }

  get agent(): http.Agent {
    return this.transport.agent;
  }

  private async call(method: string, path: string, body: string | undefined, expected: number[], query = ''): Promise<ApiResponse> {
    const url = new URL(`${this.base}/api/routes${chpPathForUrl(path)}${query}`);
    // The URL parser resolves dot segments, so the route of a user named `..` (`/user/..`) would go out as
    // `/api/routes/`, replacing the hub's own route with that user's server. The path is sent exactly as written,
    // as JupyterHub's tornado client sends it to CHP (which stores `/user/..` as a literal segment).
    const rawPath = `${new URL(this.base).pathname.replace(/\/+$/, '')}/api/routes${chpPathForUrl(path)}${query}`;
    const what = `${method} /api/routes${path}`;
    const deadlineMs = this.opts.retryDeadlineMs ?? 30_000;
    try {
      return await retryWithBackoff(
        async () => {
          const res = await send(this.transport, method, url, body, rawPath);
          if (res.status >= 500) throw new ServerSideError(res, `proxy API ${what}`);
          return this.check(res, what, expected);
        },
        (err) => {
          const retry = isRetryable(err);
          if (retry) this.log.warn(`proxy API ${what} failed (${describe(err)}), retrying`);
          return retry;
        },
        { deadlineMs },
      );
    } catch (err) {
      if (!isRetryable(err)) throw this.tlsError(err) ?? err;
      throw new HubError('API_ERROR', `proxy API at ${this.base} failed for ${Math.round(deadlineMs / 1000)} s: ${describe(err)}`, {
        hint: 'is the proxy running? Check ConfigurableHTTPProxy.api_url and the proxy log',
        cause: err,
      });
    }
  }

  private tlsError(err: unknown): HubError | undefined {
    if (!isTlsFailure(err)) return undefined;
    return new HubError('API_ERROR', `TLS handshake with the proxy API at ${this.base} failed: ${err instanceof Error ? err.message : String(err)}`, {
      hint: 'under internal_ssl hub and proxy need certificates from the same store (internal_certs_location); `hub generate-certs` lists them',
      cause: err,
    });
  }

  private check(res: ApiResponse, what: string, expected: number[]): ApiResponse {
    if (expected.includes(res.status)) return res;
    if (res.status === 403) {
      throw new HubError('FORBIDDEN', `proxy API at ${this.base} rejected the hub's token: CONFIGPROXY_AUTH_TOKEN differs between hub and proxy`, {
        hint: 'give hub and proxy the same CONFIGPROXY_AUTH_TOKEN, or let the hub start the proxy itself',
      });
    }
    throw new HubError('API_ERROR', `proxy API ${what} answered ${res.status}: ${res.body.slice(0, 200)}`);
  }

  private parse(res: ApiResponse, what: string): unknown {
    try {
      return JSON.parse(res.body) as unknown;
    } catch {
      throw new HubError('API_ERROR', `proxy API ${what} returned something that is not JSON: ${res.body.slice(0, 100)}`);
    }
  }
}

function describe(err: unknown): string {
  return errnoCode(err) ?? (err instanceof Error ? err.message : String(err));
}

/** ConfigurableHTTPProxy._reformat_routespec: target and the jupyterhub marker leave the data. */
function toProxyRoute(routespec: string, chpData: ChpRoute): ProxyRoute {
  const { target, jupyterhub: _marker, ...data } = chpData;
  return { routespec, target, data };
}
