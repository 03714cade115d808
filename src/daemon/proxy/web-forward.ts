/**
 * Plain HTTP requests are forwarded here on node:http directly; websockets stay on http-proxy-3.
 *
 * Why not http-proxy-3's `web()` for these too: on the 2-core machines of issue #4 the proxy process is the
 * bottleneck at ~1 core, and per request http-proxy-3 parses the target and the request URL with the WHATWG
 * parser, copies the headers three times, pipes even a bodyless GET (so the backend request leaves one tick
 * late), runs its pass arrays and sets response headers one by one. Measured with bench/proxy-bench.ts
 * (proxy CPU per request, 100 routes, 10 connections): ~125 us through web(), ~50 us through this file, of
 * which about half is the two socket writes every proxy pays; throughput ~2.5x. What is left is node:http's
 * own client and server; proxy-web-forward.test.ts sends the same requests through both and compares.
 *
 * What reaches the backend and the client is http-proxy-3's (1.23) behaviour, pass for pass, because CHP 5.x
 * is built on it and JupyterHub relies on it: Host preserved; X-Forwarded-For/-Port/-Proto appended to what
 * the client sent and X-Forwarded-Host set if absent (xfwd); `trailer` dropped; DELETE/OPTIONS without a
 * length get `content-length: 0`; the target's path and query prefixed to the request's (urlJoin); the
 * response's `transfer-encoding` dropped (Node re-frames) and `connection` filled in as http-proxy does;
 * --timeout on the client socket, --proxy-timeout on the backend request (503); a client that goes away
 * aborts the backend request; a client reset is not reported as a backend failure. One difference on purpose,
 * as before this file: the client's `Connection` header is never forwarded (it would close the pooled socket).
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { TLSSocket } from 'node:tls';
import type { BackendAgents } from './backend-agents.js';

export interface WebForwardOptions {
  agents: BackendAgents;
  xfwd: boolean;
  /** Idle timeout of the client's socket, ms (CHP --timeout). */
  timeout: number | undefined;
  /** How long to wait for the backend, ms (CHP --proxy-timeout). */
  proxyTimeout: number | undefined;
  /** Any failure to reach the backend; the caller answers 503. Not called for a client that hung up. */
  onError: (err: Error, req: IncomingMessage, res: ServerResponse) => void;
}

/** Where a route's activity is recorded (a RouteEntry). */
export interface Activity {
  lastActivity: number;
}

/** What a request needs from its route's target, computed once per target URL. */
interface Backend {
  request: typeof http.request;
  agent: http.Agent;
  hostname: string;
  port: number;
  secure: boolean;
  /** The target's path and query, as http-proxy-3 prefixes them. */
  basePath: string;
  /** What node:http would send as Host for this target when the client sent none. */
  hostHeader: string;
}

const SSL_PROTOCOL = /^https|wss/;
/** Characters the WHATWG URL parser leaves alone in a path and query; anything else takes the exact path. */
const PLAIN_URL = /^\/(?!\/)[\w\-.~!$&()*+,;=:@/%?]*(?<!\?)$/;
const DOT_SEGMENT = /\/(?:\.|%2e){1,2}(?:[/?]|$)/i;
const PORT_IN_HOST = /:(\d+)/;
const FORWARDED = new Set(['x-forwarded-for', 'x-forwarded-port', 'x-forwarded-proto', 'x-forwarded-host']);
const BASE = 'http://base.invalid';

/** http-proxy-3's getPath: the pathname and search of `url` as the WHATWG parser normalises them. */
export function normalisedPath(url: string): string {
  if (url === '' || url.startsWith('?')) return url;
  // Fast path: a URL with no dot segment and only characters the parser keeps parses to itself.
  if (PLAIN_URL.test(url) && !DOT_SEGMENT.test(url)) return url;
  const u = new URL(url.startsWith('//') ? BASE + url : url, BASE);
  return u.pathname + u.search;
}

/** http-proxy-3's urlJoin for (target path, request path): queries joined with `&`, one slash at the seam. */
export function joinPaths(base: string, path: string): string {
  // The usual case, with the same result as the loop below.
  if (base === '/' && path.startsWith('/') && !path.startsWith('/?') && !path.endsWith('?')) return path;
  const queries: string[] = [];
  let joined = '';
  for (let seg of [base, path]) {
    const q = seg.indexOf('?');
    if (q !== -1) {
      if (q + 1 < seg.length) queries.push(seg.slice(q + 1));
      seg = seg.slice(0, q);
    }
    if (seg === '') continue;
    if (joined.endsWith('/')) joined += seg.startsWith('/') ? seg.slice(1) : seg;
    else joined += seg.startsWith('/') ? seg : `/${seg}`;
  }
  return queries.length > 0 ? `${joined}?${queries.join('&')}` : joined;
}

function describeBackend(target: URL, agents: BackendAgents): Backend {
  const secure = SSL_PROTOCOL.test(target.protocol);
  const https_ = target.protocol === 'https:';
  const hostname = target.hostname.startsWith('[') && target.hostname.endsWith(']') ? target.hostname.slice(1, -1) : target.hostname;
  const port = target.port === '' ? (secure ? 443 : 80) : Number(target.port);
  const defaultPort = https_ ? 443 : 80;
  return {
    request: https_ ? https.request : http.request,
    agent: https_ ? agents.https : agents.http,
    hostname,
    port,
    secure,
    basePath: normalisedPath(target.pathname + target.search),
    hostHeader: port === defaultPort ? target.hostname : `${target.hostname}:${port}`,
  };
}

/** `x-forwarded-for: a` + `b` -> `a,b`, as http-proxy-3 (no space). */
function forwarded(existing: string | string[] | undefined, value: string): string {
  return existing ? `${String(existing)},${value}` : value;
}

/**
 * The backend request's headers as a flat [name, value, ...] list: node:http writes such a list as is, where
 * an object would first be copied header by header into the request's own map (measurably slower here).
 * Same content as http-proxy-3's object: the request's headers (duplicates already joined by Node's parser,
 * names lower case), minus `trailer` and the client's `connection`.
 */
function backendHeaders(req: IncomingMessage, xfwd: boolean, backend: Backend): string[] {
  const h = req.headers;
  const raw: string[] = [];
  const noLength = (req.method === 'DELETE' || req.method === 'OPTIONS') && !h['content-length'];
  for (const name in h) {
    const value = h[name];
    if (value === undefined || name === 'connection' || name === 'trailer') continue;
    if (xfwd && FORWARDED.has(name)) continue; // written below, appended to
    if (noLength && name === 'transfer-encoding') continue;
    if (typeof value === 'string') raw.push(name, value);
    else for (const v of value) raw.push(name, v);
  }
  // node:http adds Host itself only for an object of headers; a client without one (HTTP/1.0) gets the target's.
  if (h.host === undefined) raw.push('host', backend.hostHeader);
  if (noLength) raw.push('content-length', '0');
  raw.push('connection', 'keep-alive');
  if (xfwd) {
    const encrypted = req.socket instanceof TLSSocket && req.socket.encrypted;
    raw.push('x-forwarded-for', forwarded(h['x-forwarded-for'], req.socket.remoteAddress ?? ''));
    raw.push('x-forwarded-port', forwarded(h['x-forwarded-port'], PORT_IN_HOST.exec(h.host ?? '')?.[1] ?? (encrypted ? '443' : '80')));
    raw.push('x-forwarded-proto', forwarded(h['x-forwarded-proto'], encrypted ? 'https' : 'http'));
    raw.push('x-forwarded-host', String(h['x-forwarded-host'] || h.host || ''));
  }
  return raw;
}

/** Whether the request has a body: an HTTP/1.1 request without length or chunked encoding has none. */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * http-proxy-3's outgoing passes (removeChunked, setConnection, writeHeaders, writeStatusCode) in one go.
 * With a Content-Length the head is written at once (the cheap way); without one, headers are set one by one
 * as http-proxy-3 does, so that Node still chooses the framing at the first write: an empty body then goes
 * out as `Content-Length: 0`, not as an empty chunked body.
 */
function relayHead(req: IncomingMessage, res: ServerResponse, proxyRes: IncomingMessage): void {
  const headers = proxyRes.headers;
  delete headers['transfer-encoding'];
  if (req.httpVersion === '1.0') headers.connection = req.headers.connection || 'close';
  else if (!headers.connection) headers.connection = req.headers.connection || 'keep-alive';
  const status = proxyRes.statusCode ?? 502;
  if (headers['content-length'] !== undefined) {
    res.writeHead(status, proxyRes.statusMessage || undefined, headers);
    return;
  }
  res.statusCode = status;
  if (proxyRes.statusMessage) res.statusMessage = proxyRes.statusMessage;
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) res.setHeader(name, value);
  }
}

export class WebForwarder {
  /** Keyed by the route's URL object: replacing a route's target replaces the object, so no stale entry is used. */
  private readonly backends = new WeakMap<URL, Backend>();

  constructor(private readonly opts: WebForwardOptions) {}

  /**
   * `activity` is the route's: its `lastActivity` is set for every request body chunk and when a response
   * with a status below 300 has been sent, as CHP records it (see proxy-activity.ts).
   */
  forward(req: IncomingMessage, res: ServerResponse, target: URL, activity: Activity): void {
    let backend = this.backends.get(target);
    if (backend === undefined) {
      backend = describeBackend(target, this.opts.agents);
      this.backends.set(target, backend);
    }
    const { opts } = this;
    if (opts.timeout) req.socket.setTimeout(opts.timeout);
    const proxyReq = backend.request({
      hostname: backend.hostname,
      port: backend.port,
      method: req.method,
      path: joinPaths(backend.basePath, normalisedPath(req.url ?? '/')),
      headers: backendHeaders(req, opts.xfwd, backend),
      agent: backend.agent,
      ...(backend.secure ? { rejectUnauthorized: true } : {}),
    });
    if (opts.proxyTimeout) proxyReq.setTimeout(opts.proxyTimeout, () => proxyReq.destroy());
    const onError = (err: Error): void => {
      // The client hung up: nobody is left to show a page to, and it is not the backend's failure.
      if (req.socket.destroyed && (err as NodeJS.ErrnoException).code === 'ECONNRESET') {
        proxyReq.destroy();
        return;
      }
      opts.onError(err, req, res);
    };
    req.on('error', onError);
    proxyReq.on('error', onError);
    res.on('close', () => {
      if (!res.writableFinished) proxyReq.destroy();
      else if (res.statusCode < 300) activity.lastActivity = Date.now();
    });
    proxyReq.on('response', (proxyRes) => {
      // A backend that dies mid-response would leave the client's response open forever: cut it too.
      proxyRes.on('close', () => {
        if (!proxyRes.complete) res.destroy();
      });
      if (!res.headersSent) relayHead(req, res, proxyRes);
      if (res.writableEnded) proxyRes.resume();
      else proxyRes.pipe(res);
    });
    if (hasBody(req)) {
      req.on('data', () => (activity.lastActivity = Date.now()));
      req.pipe(proxyReq);
    } else {
      // Send the backend request now instead of a tick later, when the (empty) body has ended, as piping would.
      proxyReq.end();
      req.resume();
    }
  }
}
