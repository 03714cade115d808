import type http from 'node:http';

/**
 * How hub pages answer. Every HTML answer carries JupyterHub's Content-Security-Policy (frame-ancestors 'self':
 * no clickjacking of the admin page; or the one in tornado_settings.headers) plus nosniff; pages that show
 * secrets are never cached.
 */
export class PageError extends Error {
  readonly status: number;
  /** Extra trusted HTML under the message (a link home); never built from request input. */
  readonly extraHtml: string;

  constructor(status: number, message: string, extraHtml = '') {
    super(message);
    this.status = status;
    this.extraHtml = extraHtml;
  }
}

/**
 * `csp` is the default policy (hub-headers.ts); on the hub port the response already carries it, or the one
 * configured in tornado_settings.headers, which must not be replaced here.
 */
export function securityHeaders(res: http.ServerResponse, csp: string): void {
  if (!res.hasHeader('content-security-policy')) res.setHeader('Content-Security-Policy', csp);
  res.setHeader('X-Content-Type-Options', 'nosniff');
}

export function sendHtml(res: http.ServerResponse, status: number, html: string, opts: { noStore?: boolean } = {}): void {
  const body = Buffer.from(html, 'utf8');
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Length', body.length);
  if (opts.noStore) res.setHeader('Cache-Control', 'no-store');
  res.end(res.req?.method === 'HEAD' ? undefined : body);
}

/** A 302 to a URL we built ourselves (or validated with next-url.ts): never one taken straight from a request. */
export function redirect(res: http.ServerResponse, location: string, status = 302): void {
  res.statusCode = status;
  res.setHeader('Location', location);
  res.setHeader('Content-Length', 0);
  res.end();
}
