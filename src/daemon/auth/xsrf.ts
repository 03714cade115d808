import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import { appendSetCookie } from './sessions.js';
import type { CookieKwargs } from '../../lib/config/index.js';
import { clearCookie, serializeCookie, withCookieKwargs } from './cookies.js';
import { browserProtocol } from '../pages/browser-origin.js';

/**
 * XSRF protection for every form and every cookie-authenticated API write.
 *
 * The `_xsrf` cookie holds a random id (HttpOnly, Path=<base_url>hub/); a token is `<nonce>.<mac>` with
 * mac = HMAC(key, id | binding | nonce), where `binding` is the logged-in user's secret cookie_id ('' before
 * login). Pages embed a fresh token per render (a new nonce each time, so compressed pages leak nothing).
 *
 * Why not a plain double-submit cookie: JupyterHub's CVE-2024-28233 was cookie tossing — content served from
 * the same site (a user's server) sets the `_xsrf` cookie to a value it knows. Here a known id is useless
 * without a MAC made with the hub's secret for *that* id and *the victim's* cookie_id, which the attacker
 * never sees. Sec-Fetch-* headers are never a reason to skip the check (CVE-2026-40864 was exactly that).
 */
export const XSRF_COOKIE = '_xsrf';
export const XSRF_FIELD = '_xsrf';
export const XSRF_HEADER = 'x-xsrftoken';

export interface XsrfOptions {
  secret: Buffer;
  /** The hub prefix, `<base_url>hub/`: the cookie is sent to hub pages only. */
  path: string;
  /** The public URL is https; otherwise the cookie is Secure when the browser's request was (X-Forwarded-Proto). */
  secure: boolean;
  maxAgeSeconds: number;
  /** tornado_settings.xsrf_cookie_kwargs: attributes of the cookie, its path included. */
  cookieKwargs?: CookieKwargs;
}

const ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

export class XsrfProtection {
  private readonly key: Buffer;
  private readonly o: XsrfOptions;

  constructor(o: XsrfOptions) {
    this.o = o;
    // A key of its own, so an XSRF MAC can never double as a cookie signature or the other way round.
    this.key = createHmac('sha256', o.secret).update('hub xsrf key v1').digest();
  }

  /** Every `_xsrf` cookie value the browser sent (a single-user server may set another one at Path=/). */
  private cookieIds(req: http.IncomingMessage): string[] {
    const ids: string[] = [];
    for (const part of (req.headers.cookie ?? '').split(';')) {
      const i = part.indexOf('=');
      if (i > 0 && part.slice(0, i).trim() === XSRF_COOKIE) {
        const v = part.slice(i + 1).trim();
        if (ID_PATTERN.test(v)) ids.push(v);
      }
    }
    return ids;
  }

  private mac(id: string, binding: string, nonce: string): Buffer {
    return createHmac('sha256', this.key).update(`${id}|${binding}|${nonce}`).digest();
  }

  /** A token for a page rendered for `binding`; sets the cookie first if the browser has none. */
  issue(req: http.IncomingMessage, res: http.ServerResponse, binding: string): string {
    let id = this.cookieIds(req)[0];
    if (id === undefined) {
      id = randomBytes(16).toString('base64url');
      const secure = this.o.secure || browserProtocol(req) === 'https';
      const attrs = withCookieKwargs({ path: this.o.path, maxAgeSeconds: this.o.maxAgeSeconds, secure }, this.o.cookieKwargs ?? {}, false);
      appendSetCookie(res, [serializeCookie(XSRF_COOKIE, id, attrs)]);
      // A second issue() in the same response must reuse this id, not mint another.
      req.headers.cookie = `${req.headers.cookie ? `${req.headers.cookie}; ` : ''}${XSRF_COOKIE}=${id}`;
    }
    const nonce = randomBytes(12).toString('base64url');
    return `${nonce}.${this.mac(id, binding, nonce).toString('base64url')}`;
  }

  verify(req: http.IncomingMessage, token: string | null | undefined, binding: string): boolean {
    if (typeof token !== 'string') return false;
    const dot = token.indexOf('.');
    if (dot <= 0 || token.length > 200) return false;
    const nonce = token.slice(0, dot);
    const got = Buffer.from(token.slice(dot + 1), 'base64url');
    for (const id of this.cookieIds(req)) {
      const want = this.mac(id, binding, nonce);
      if (got.length === want.length && timingSafeEqual(got, want)) return true;
    }
    return false;
  }

  /**
   * As JupyterHub's clear_login_cookie: with the path and domain of xsrf_cookie_kwargs, the cookie's own. Without a
   * configured path JupyterHub 3.0 clears `_xsrf` at Path=/, where the single-user server (notebook) keeps its own
   * `_xsrf`: that one goes too, as well as hub's at `<base_url>hub/`.
   */
  clearCookie(res: http.ServerResponse): void {
    const domain = this.o.cookieKwargs?.domain;
    const configured = this.o.cookieKwargs?.path;
    const paths = configured === undefined ? [this.o.path, '/'] : [configured];
    appendSetCookie(res, paths.map((p) => clearCookie(XSRF_COOKIE, p, domain)));
  }
}

/** The token a request carries outside its body: the `X-XSRFToken` header or the `_xsrf` query argument. */
export function tokenFromRequest(req: http.IncomingMessage, url: URL): string | null {
  const header = req.headers[XSRF_HEADER];
  if (typeof header === 'string' && header !== '') return header;
  return url.searchParams.get(XSRF_FIELD);
}

export const WRITE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
