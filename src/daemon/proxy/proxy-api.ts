/**
 * configurable-http-proxy's REST API on its own listener, reply for reply (lib/configproxy.js):
 *   GET    /api/routes[?inactive_since=ISO]  200 {prefix: {target, ...data, last_activity}}   400 bad timestamp
 *   GET    /api/routes/<prefix>              200 route | 404 (empty)   (`/api/routes/` means all routes)
 *   POST   /api/routes/<prefix>  {target,..} 201 (empty)  400 not JSON / target not a string
 *   DELETE /api/routes/<prefix>              204 | 404
 *   other methods 405, other paths 404; `Authorization: token <t>` checked after routing, wrong -> 403.
 * Prefixes arrive URL-encoded and are stored decoded and canonical (`/user/a/` is `/user/a`).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../lib/log.js';
import type { ApiTlsMaterial } from './proxy-tls.js';
import { parseTarget, routeJson, type RouteData, type RouteTable } from './route-table.js';

export interface ProxyApiOptions {
  routes: RouteTable;
  log: Logger;
  /** CONFIGPROXY_AUTH_TOKEN; when empty the API is open, as CHP's (which warns at startup). */
  authToken?: string;
  /** CHP has no limit; a route is a few hundred bytes, so anything near this is not a route. */
  maxBodyBytes?: number;
  /** --api-ssl-*: HTTPS, and with requestCert only clients whose certificate chains to `ca`. */
  tls?: ApiTlsMaterial;
}

const API_PATH = '/api/routes';
const TOKEN_RE = /token\s+(\S+)/;

/**
 * The request's path as sent, as CHP reads it (legacy url.parse): dot segments are kept. The URL parser would
 * resolve them, and `POST /api/routes/user/..` (the route of a user named `..`) would replace the root route, the
 * hub's, sending every visitor's login to that user's server. Kept, `/user/..` is a literal segment no browser
 * request ever matches, since request paths are resolved before routing (request-path.ts).
 */
function rawPathname(reqUrl: string): string {
  const end = reqUrl.search(/[?#]/);
  const target = end === -1 ? reqUrl : reqUrl.slice(0, end);
  // absolute-form (`POST http://proxy/api/routes/...`): the path is what follows the authority.
  const absolute = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(target);
  return absolute === null ? target : target.slice(absolute[0].length) || '/';
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function fail(res: ServerResponse, code: number, message?: string): void {
  if (res.writableEnded) return;
  res.writeHead(code);
  res.end(message ?? http.STATUS_CODES[code]);
}

function sendJson(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** CHP reads `inactiveSince` first, then the older `inactive_since`; an empty value means no filter (5.x). */
export function parseInactiveSince(search: URLSearchParams): number | undefined | 'invalid' {
  const raw = search.get('inactiveSince') || search.get('inactive_since');
  if (!raw) return undefined;
  const ts = Date.parse(raw);
  return Number.isFinite(ts) ? ts : 'invalid';
}

function isRouteData(value: unknown): value is RouteData {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { target?: unknown }).target === 'string';
}

export class ProxyApi {
  readonly server: http.Server | https.Server;
  private readonly tokenDigest: Buffer | undefined;

  constructor(private readonly opts: ProxyApiOptions) {
    this.tokenDigest = opts.authToken ? digest(opts.authToken) : undefined;
    const handler = (req: IncomingMessage, res: ServerResponse): void => this.handle(req, res);
    this.server = opts.tls ? https.createServer(opts.tls, handler) : http.createServer(handler);
    // A refused client certificate ends in the handshake, before any request: one line, no stack.
    this.server.on('tlsClientError', (err: Error) => opts.log.warn(`API TLS handshake refused: ${err.message}`));
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

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    res.on('finish', () => this.logResponse(req, res));
    const url = new URL(req.url ?? '/', 'http://api.invalid');
    const pathname = rawPathname(req.url ?? '/');
    if (pathname !== API_PATH && !pathname.startsWith(`${API_PATH}/`)) return fail(res, 404);
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'POST' && method !== 'DELETE') return fail(res, 405, 'Method not supported');
    let prefix: string | undefined;
    try {
      prefix = pathname.length > API_PATH.length ? decodeURIComponent(pathname.slice(API_PATH.length)) : undefined;
    } catch {
      return fail(res, 400, 'Route prefix is not valid percent-encoding');
    }
    if (!this.authorized(req)) {
      res.writeHead(403);
      res.end();
      return;
    }
    if (method === 'GET') this.get(res, prefix, url.searchParams);
    else if (method === 'POST') this.post(req, res, prefix ?? '/');
    // CHP never answers a DELETE without a prefix (it throws); the root route is what it would name.
    else this.delete(res, prefix ?? '/');
  }

  private authorized(req: IncomingMessage): boolean {
    if (this.tokenDigest === undefined) return true;
    const token = TOKEN_RE.exec(req.headers.authorization ?? '')?.[1];
    return token !== undefined && timingSafeEqual(digest(token), this.tokenDigest);
  }

  private get(res: ServerResponse, prefix: string | undefined, search: URLSearchParams): void {
    if (prefix !== undefined && prefix !== '/') {
      const entry = this.opts.routes.get(prefix);
      if (entry === undefined) return fail(res, 404, '');
      return sendJson(res, routeJson(entry));
    }
    const inactiveSince = parseInactiveSince(search);
    if (inactiveSince === 'invalid') {
      const raw = search.get('inactiveSince') || search.get('inactive_since');
      return fail(res, 400, `Invalid datestamp '${raw ?? ''}' must be ISO8601.`);
    }
    sendJson(res, this.opts.routes.toJson(inactiveSince));
  }

  private post(req: IncomingMessage, res: ServerResponse, prefix: string): void {
    this.readBody(req, res, (body) => {
      let data: unknown;
      try {
        data = JSON.parse(body) || {};
      } catch (err) {
        return fail(res, 400, `Body not valid JSON: ${String(err)}`);
      }
      if (!isRouteData(data)) {
        this.opts.log.warn(`Bad POST data for ${prefix}: target missing or not a string`);
        return fail(res, 400, "Must specify 'target' as string");
      }
      if (parseTarget(data.target) === undefined) return fail(res, 400, `Route target '${data.target}' is not an http(s) URL`);
      const entry = this.opts.routes.add(prefix, data);
      this.opts.log.info(`Route added ${entry.prefix} -> ${entry.target}`);
      res.writeHead(201);
      res.end();
    });
  }

  private delete(res: ServerResponse, prefix: string): void {
    const entry = this.opts.routes.get(prefix);
    if (entry === undefined) return fail(res, 404, '');
    this.opts.routes.remove(prefix);
    this.opts.log.info(`Route removed ${entry.prefix}`);
    res.writeHead(204);
    res.end();
  }

  private readBody(req: IncomingMessage, res: ServerResponse, done: (body: string) => void): void {
    const limit = this.opts.maxBodyBytes ?? 1024 * 1024;
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > limit) return fail(res, 413, `Body larger than ${limit} bytes`);
      done(Buffer.concat(chunks).toString('utf8'));
    });
  }

  private logResponse(req: IncomingMessage, res: ServerResponse): void {
    const line = `${res.statusCode} ${req.method ?? ''} ${(req.url ?? '').split('?', 1)[0]}`;
    if (res.statusCode < 400) this.opts.log.info(line);
    else if (res.statusCode < 500) this.opts.log.warn(line);
    else this.opts.log.error(line);
  }
}
