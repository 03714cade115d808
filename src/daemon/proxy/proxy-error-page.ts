/**
 * What the proxy answers when it cannot proxy: 404 (no route), 503 (backend unreachable), 400 (undecodable
 * path), 500. As CHP: with an error target (JupyterHub sets `<hub>/hub/error`), `GET <target>/<code>?url=<url>`
 * is fetched and relayed with our status code and its content-type/-encoding; without one, or when the error
 * target fails too, a small built-in HTML page is sent.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import type { BackendAgents } from './backend-agents.js';

/** A hub that does not answer its error page within this time must not leave the user waiting. */
const ERROR_TARGET_TIMEOUT_MS = 10_000;

const MESSAGES: Record<number, string> = {
  400: 'The request URL could not be decoded',
  404: 'No service is registered at this URL',
  503: 'The upstream service is unavailable',
};

export function builtinErrorPage(code: number): string {
  const title = `${code}: ${http.STATUS_CODES[code] ?? 'Proxy Error'}`;
  const message = MESSAGES[code] ?? 'The proxy could not handle this request';
  return `<!DOCTYPE html>\n<html>\n<head><meta charset="utf-8" /><title>${title}</title></head>\n<body>\n<h1>${title}</h1>\n<p>${message}</p>\n</body>\n</html>\n`;
}

function sendBuiltin(code: number, res: ServerResponse): void {
  if (res.writableEnded || res.destroyed) return;
  if (res.headersSent) {
    // The backend died mid-response: a second status line is impossible, cutting the stream is honest.
    res.destroy();
    return;
  }
  res.writeHead(code, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end(builtinErrorPage(code));
}

export function errorTargetUrl(errorTarget: string, code: number, originalUrl: string): URL {
  const url = new URL(errorTarget.endsWith('/') ? errorTarget : `${errorTarget}/`);
  url.pathname += String(code);
  url.searchParams.set('url', originalUrl);
  return url;
}

export interface ErrorPageContext {
  errorTarget: string | undefined;
  agents: BackendAgents;
  onErrorTargetFailure: (err: Error) => void;
}

export function sendErrorPage(code: number, req: IncomingMessage, res: ServerResponse, ctx: ErrorPageContext): void {
  if (res.writableEnded || res.destroyed) return;
  if (ctx.errorTarget === undefined || res.headersSent) {
    sendBuiltin(code, res);
    return;
  }
  const url = errorTargetUrl(ctx.errorTarget, code, req.url ?? '/');
  const secure = url.protocol === 'https:';
  const upstreamReq = (secure ? https : http).request(url, { method: 'GET', agent: secure ? ctx.agents.https : ctx.agents.http });
  upstreamReq.setTimeout(ERROR_TARGET_TIMEOUT_MS, () => upstreamReq.destroy(new Error(`no answer from ${url.origin} in ${ERROR_TARGET_TIMEOUT_MS} ms`)));
  let relayed = false;
  upstreamReq.on('response', (upstream) => {
    upstream.on('end', () => (relayed = true));
    if (res.writableEnded || res.destroyed) {
      upstream.resume();
      return;
    }
    for (const key of ['content-type', 'content-encoding']) {
      const value = upstream.headers[key];
      if (value !== undefined) res.setHeader(key, value);
    }
    res.writeHead(code);
    upstream.pipe(res);
  });
  upstreamReq.on('error', (err) => {
    ctx.onErrorTargetFailure(err);
    sendBuiltin(code, res);
  });
  // The user gave up: stop fetching a page nobody will read.
  res.on('close', () => {
    if (!relayed) upstreamReq.destroy();
  });
  upstreamReq.end();
}

/** A websocket upgrade that cannot be proxied gets a plain HTTP status line, not raw page bytes (CHP's habit). */
export function rejectUpgrade(code: number, socket: Duplex): void {
  if (socket.destroyed) return;
  if (socket.writable) socket.end(`HTTP/1.1 ${code} ${http.STATUS_CODES[code] ?? 'Error'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  else socket.destroy();
}
