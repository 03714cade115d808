/**
 * Plain HTTP requests are forwarded here on node:http directly; websockets stay on http-proxy-3.
 *
 * Why not http-proxy-3's `web()` for these too: on the 2-core machines of issue #4 the proxy process is the
 * bottleneck at ~1 core, and per request http-proxy-3 parses the target and the request URL with the WHATWG
 * parser, copies the headers three times, pipes even a bodyless GET (so the backend request leaves one tick
 * late), runs its pass arrays and sets response headers one by one. Measured with bench/proxy-bench.ts
 * (proxy CPU per request): ~120 us through web(), ~75 us through this file.
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
import http, { type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
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
  /** The backend's response arrived (before it is relayed). */
  onResponse?: (proxyRes: IncomingMessage, res: ServerResponse) => void;
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
}

const SSL_PROTOCOL = /^https|wss/;
/** Characters the WHATWG URL parser leaves alone in a path and query; anything else takes the exact path. */
const PLAIN_URL = /^\/(?!\/)[\w\-.~!$&()*+,;=:@/%?]*(?<!\?)$/;
const DOT_SEGMENT = /\/(?:\.|%2e){1,2}(?:[/?]|$)/i;
const PORT_IN_HOST = /:(\d+)/;
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
  return {
    request: https_ ? https.request : http.request,
    agent: https_ ? agents.https : agents.http,
    hostname,
    port: target.port === '' ? (secure ? 443 : 80) : Number(target.port),
    secure,
    basePath: normalisedPath(target.pathname + target.search),
  };
}

function appendForwarded(headers: OutgoingHttpHeaders, name: string, value: string): void {
  const existing = headers[name];
  headers[name] = existing ? `${String(existing)},${value}` : value;
}

function backendHeaders(req: IncomingMessage, xfwd: boolean): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = { ...req.headers };
  if ((req.method === 'DELETE' || req.method === 'OPTIONS') && !headers['content-length']) {
    headers['content-length'] = '0';
    delete headers['transfer-encoding'];
  }
  // A client-declared trailer makes a Node backend wait for trailers that never come (node-http-proxy#1647).
  delete headers.trailer;
  headers.connection = 'keep-alive';
  if (xfwd) {
    const encrypted = req.socket instanceof TLSSocket && req.socket.encrypted;
    const host = req.headers.host;
    appendForwarded(headers, 'x-forwarded-for', req.socket.remoteAddress ?? '');
    appendForwarded(headers, 'x-forwarded-port', PORT_IN_HOST.exec(host ?? '')?.[1] ?? (encrypted ? '443' : '80'));
    appendForwarded(headers, 'x-forwarded-proto', encrypted ? 'https' : 'http');
    headers['x-forwarded-host'] = req.headers['x-forwarded-host'] || host || '';
  }
  return headers;
}

/** http-proxy-3's outgoing passes (removeChunked, setConnection, writeHeaders, writeStatusCode) in one go. */
function relayHead(req: IncomingMessage, res: ServerResponse, proxyRes: IncomingMessage): void {
  const headers = proxyRes.headers;
  delete headers['transfer-encoding'];
  if (req.httpVersion === '1.0') headers.connection = req.headers.connection || 'close';
  else if (!headers.connection) headers.connection = req.headers.connection || 'keep-alive';
  res.writeHead(proxyRes.statusCode ?? 502, proxyRes.statusMessage || undefined, headers);
}

export class WebForwarder {
  /** Keyed by the route's URL object: replacing a route's target replaces the object, so no stale entry is used. */
  private readonly backends = new WeakMap<URL, Backend>();

  constructor(private readonly opts: WebForwardOptions) {}

  forward(req: IncomingMessage, res: ServerResponse, target: URL): void {
    let backend = this.backends.get(target);
    if (backend === undefined) {
      backend = describeBackend(target, this.opts.agents);
      this.backends.set(target, backend);
    }
    const { opts } = this;
    if (opts.timeout) req.socket.setTimeout(opts.timeout);
    const headers = backendHeaders(req, opts.xfwd);
    const proxyReq = backend.request({
      hostname: backend.hostname,
      port: backend.port,
      method: req.method,
      path: joinPaths(backend.basePath, normalisedPath(req.url ?? '/')),
      headers,
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
    });
    proxyReq.on('response', (proxyRes) => {
      opts.onResponse?.(proxyRes, res);
      if (!res.headersSent) relayHead(req, res, proxyRes);
      if (res.writableEnded) proxyRes.resume();
      else proxyRes.pipe(res);
    });
    // Without a length or chunked encoding an HTTP/1.1 request has no body: send the backend request now
    // instead of waiting for the (empty) body to end a tick later, as piping would.
    const length = headers['content-length'];
    if (headers['transfer-encoding'] === undefined && (length === undefined || length === '0')) {
      proxyReq.end();
      req.resume();
    } else {
      req.pipe(proxyReq);
    }
  }
}
