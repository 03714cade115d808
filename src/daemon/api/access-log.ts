/**
 * One line per request, as JupyterHub's log_request (log.py) writes it:
 * `200 GET /hub/api/users (admin@10.0.0.5) 3.21ms`, a redirect with ` -> <Location>`. The level follows the
 * status: 2xx/3xx info, 4xx warning, 5xx error; successful static files, health checks and 304s debug (unless
 * they took a second or more). Secrets are scrubbed from what is logged as JupyterHub scrubs them: query
 * parameters whose name contains token, auth, key, code or state, and the value in /authorizations/cookie|token/
 * (and, beyond JupyterHub, the same inside a parameter that is itself a URL, such as a login redirect's `next`).
 * The control socket's requests (the admin CLI, `hub top` polling) are debug unless they change something.
 */
import type http from 'node:http';
import type { Logger } from '../../lib/log.js';
import { principalName, type Principal } from '../auth/principal.js';
import { clientAddress } from '../pages/client-address.js';

const SCRUB_PARAM_KEYS = ['token', 'auth', 'key', 'code', 'state'];
const SECRET_PATH = /\/api\/authorizations\/(?:cookie|token)\//;

/** log.py _scrub_uri. */
export function scrubUri(uri: string): string {
  const q = uri.indexOf('?');
  let path = q === -1 ? uri : uri.slice(0, q);
  if (SECRET_PATH.test(path)) path = `${path.slice(0, path.lastIndexOf('/'))}/[secret]`;
  if (q === -1) return path;
  const parts = uri.slice(q + 1).split('&').map((part) => {
    const eq = part.indexOf('=');
    if (eq === -1) return part;
    const key = part.slice(0, eq);
    if (SCRUB_PARAM_KEYS.some((s) => key.includes(s))) return `${key}=[secret]`;
    return `${key}=${scrubNested(part.slice(eq + 1))}`;
  });
  return `${path}?${parts.join('&')}`;
}

/**
 * A value that is itself a URL with a query (`next=%2Fhub%2Fhome%3Ftoken%3D...`, as a redirect to the login page
 * carries it) is scrubbed too; JupyterHub logs those as they are, token and all.
 */
function scrubNested(value: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
  if (!decoded.includes('?')) return value;
  const scrubbed = scrubUri(decoded);
  return scrubbed === decoded ? value : encodeURIComponent(scrubbed);
}

/** Who the request was made as, for the line: set once the request is authenticated. */
const callers = new WeakMap<http.IncomingMessage, Principal>();

export function noteCaller(req: http.IncomingMessage, caller: Principal): void {
  callers.set(req, caller);
}

export interface AccessLogOptions {
  log: Logger;
  door: 'socket' | 'tcp';
  trustedDownstreamIps: readonly string[];
  /** Successful requests of this path are debug-level (static files, health checks). */
  quiet: (path: string) => boolean;
}

/**
 * The Location sent. Headers given to writeHead as an object are written straight into the head, not kept where
 * getHeader finds them, so the head as sent (`_header`, the string node:http wrote) is read instead.
 */
function locationOf(res: http.ServerResponse): string | undefined {
  const set = res.getHeader('location');
  if (set !== undefined) return String(set);
  const head = (res as unknown as { _header?: unknown })._header;
  return typeof head === 'string' ? /\r\nlocation: *([^\r\n]*)/i.exec(head)?.[1] : undefined;
}

export function logRequests(req: http.IncomingMessage, res: http.ServerResponse, o: AccessLogOptions): void {
  const tic = performance.now();
  res.once('finish', () => {
    const ms = performance.now() - tic;
    const status = res.statusCode;
    const uri = req.url ?? '/';
    const path = uri.split('?', 1)[0] ?? '/';
    const method = req.method ?? 'GET';
    let level: 'debug' | 'info' | 'warn' | 'error';
    if (status === 304 || (status < 300 && o.quiet(path))) level = 'debug';
    else if (status < 400) level = 'info';
    else if (status < 500) level = 'warn';
    else level = 'error';
    if (o.door === 'socket' && level === 'info' && (method === 'GET' || method === 'HEAD')) level = 'debug';
    if (ms >= 1000 && level === 'debug') level = 'info';
    const caller = callers.get(req);
    const user = caller === undefined || caller.kind === 'anonymous' ? '' : principalName(caller);
    const ip = o.door === 'socket' ? 'unix' : clientAddress(req, o.trustedDownstreamIps);
    const target = status === 301 || status === 302 ? locationOf(res) : undefined;
    const location = target === undefined ? '' : ` -> ${scrubUri(target)}`;
    o.log[level](`${status} ${method} ${scrubUri(uri)}${location} (${user}@${ip}) ${ms.toFixed(2)}ms`);
  });
}
