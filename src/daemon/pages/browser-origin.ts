import type http from 'node:http';
import type { TLSSocket } from 'node:tls';

/**
 * Where the browser thinks it is: JupyterHub's get_browser_protocol (Forwarded proto=, then X-Scheme or
 * X-Forwarded-Proto, then the connection itself) and the host it asked for (JupyterHub.forwarded_host_header, else
 * Host; the first of a comma-separated list).
 */
export function browserProtocol(req: http.IncomingMessage): 'http' | 'https' {
  const forwarded = req.headers.forwarded;
  if (forwarded) {
    for (const field of (forwarded.split(',')[0] ?? '').split(';')) {
      const [k, v] = field.split('=', 2).map((s) => s.trim().toLowerCase());
      if (k === 'proto' && (v === 'http' || v === 'https')) return v;
    }
  }
  const header = req.headers['x-scheme'] ?? req.headers['x-forwarded-proto'];
  const proto = (Array.isArray(header) ? header[0] : header)?.split(',')[0]?.trim().toLowerCase();
  if (proto === 'http' || proto === 'https') return proto;
  return (req.socket as TLSSocket | undefined)?.encrypted === true ? 'https' : 'http';
}

export function browserHost(req: http.IncomingMessage, forwardedHostHeader: string): string | undefined {
  const raw = req.headers[(forwardedHostHeader || 'host').toLowerCase()];
  const host = Array.isArray(raw) ? raw[0] : raw;
  return host?.split(',')[0]?.trim() || undefined;
}

/**
 * JupyterHub's check_referer for cookie-authenticated API requests: the Referer must be one of the hub's own pages
 * (scheme, host, port, and a path under `<base_url>hub/`; a page of a user's server is not one). Unlike JupyterHub 3.0 a request without a Referer passes: scripts send none,
 * and writes need the `_xsrf` token anyway (JupyterHub 4's model), so only a page of another site is refused.
 */
export function refererAllowed(req: http.IncomingMessage, hubPrefix: string, forwardedHostHeader: string): { ok: true } | { ok: false; why: string } {
  const referer = req.headers.referer;
  if (!referer) return { ok: true };
  const host = browserHost(req, forwardedHostHeader);
  if (!host) return { ok: false, why: 'no host' };
  let want: URL;
  let got: URL;
  try {
    want = new URL(`${browserProtocol(req)}://${host}${hubPrefix}`);
    got = new URL(referer);
  } catch {
    return { ok: false, why: 'a Referer that is not a URL' };
  }
  const port = (u: URL): string => u.port || (u.protocol === 'https:' ? '443' : '80');
  const same = got.protocol === want.protocol && got.hostname === want.hostname && port(got) === port(want) && `${got.pathname}/`.startsWith(want.pathname);
  // The Referer's origin and path only: its query may carry a token (a page opened with ?token=...).
  return same ? { ok: true } : { ok: false, why: `Referer: ${got.origin}${got.pathname}, Host: ${host}${hubPrefix}` };
}

/**
 * A write a hub page sent, as JupyterHub 3.0 tells it: a Referer that is one of the hub's own pages (check_referer).
 * 3.0 has no XSRF token and lets such API writes (and any form) through on this alone; another site cannot forge
 * a Referer, and same-origin content (a user's server without subdomain_host) can read the hub's pages, tokens
 * included, so the token adds nothing there.
 */
export function refererFromHub(req: http.IncomingMessage, hubPrefix: string, forwardedHostHeader: string): boolean {
  return Boolean(req.headers.referer) && refererAllowed(req, hubPrefix, forwardedHostHeader).ok;
}

/**
 * apihandlers/base.py check_post_content_type: a cookie-authenticated API POST must have no Content-Type or
 * application/json, so no cross-site form (urlencoded, multipart, text/plain) can make one.
 */
export function postContentTypeAllowed(req: http.IncomingMessage): boolean {
  const type = req.headers['content-type'];
  if (!type) return true;
  return type.toLowerCase().split(';').some((f) => f.trimStart().startsWith('application/json'));
}

/**
 * A form JupyterHub 3.0 takes without any token (login, spawn options): sent by a hub page (its Referer), or by no
 * browser at all. Scripts written against 3.0 post these forms bare, with neither Origin nor Referer; every browser
 * sends Origin with a POST, so a cross-site form (CSRF, login CSRF) still needs the token.
 */
export function formFromHubOrScript(req: http.IncomingMessage, hubPrefix: string, forwardedHostHeader: string): boolean {
  if (refererFromHub(req, hubPrefix, forwardedHostHeader)) return true;
  return req.headers.origin === undefined && req.headers.referer === undefined;
}
