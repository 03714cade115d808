import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { Knex } from 'knex';
import { asRows } from '../db/row.js';
import { userFromRow, type UserRow } from '../db/users-repo.js';
import type { AuthRefresher } from './auth-refresh.js';
import type { IdentityService } from './identity.js';
import type { Principal } from './principal.js';
import type { CookieKwargs, HubConfig } from '../../lib/config/index.js';
import type { Logger } from '../../lib/log.js';
import { clearCookie, parseCookies, serializeCookie, verifyCookieValue, withCookieKwargs } from './cookies.js';
import { createTornadoSignedValue, decodeTornadoSignedValue } from './tornado-signed-value.js';
import { browserProtocol } from '../pages/browser-origin.js';

/**
 * Browser sessions, as JupyterHub's: `jupyterhub-hub-login` (users.cookie_id signed as tornado's secure cookie
 * with the cookie secret, so JupyterHub's login cookies hold here and hub's in JupyterHub; Path=<base_url>hub/,
 * cookie_max_age_days) says who is logged in; `jupyterhub-session-id` (plain uuid hex, Path=<base_url>) ties
 * OAuth tokens issued during the session to it, so logout can revoke them. Rotating a user's cookie_id ends all
 * of that user's sessions at once (used when a user is blocked or deleted).
 */
export const LOGIN_COOKIE = 'jupyterhub-hub-login';
export const SESSION_COOKIE = 'jupyterhub-session-id';

/**
 * The attributes of the hub's own cookies (login, session, services): tornado_settings.cookie_options. They are
 * host-only even with subdomain_host: JupyterHub 3.0 gave them `Domain=<hub domain>`, which let any user's server
 * (same site, another subdomain) ride a visitor's login on `<user host>/hub/...` (CVE-2024-28233); as in
 * JupyterHub 4.1, a request for the hub on a user's host is sent to the hub's own host instead (api-service.ts).
 */
export function hubCookieOptions(jh: HubConfig['JupyterHub']): CookieKwargs {
  return jh.tornado_settings.cookie_options;
}

export interface SessionOptions {
  db: Knex;
  identity: IdentityService;
  secret: Buffer;
  baseUrl: string;
  maxAgeDays: number;
  /** The public URL is https: every cookie is Secure. Otherwise a request the browser made over https gets it. */
  secure: boolean;
  /** hubCookieOptions(): extra attributes of both cookies (their paths stay hub's). */
  cookieOptions?: CookieKwargs;
  /** Authenticator.refresh_user: a login whose refresh fails is no login (every cookie look-up goes through it). */
  refresher?: AuthRefresher;
  /** Where a stale login cookie is reported. */
  log?: Logger;
}

export class SessionManager {
  private readonly o: SessionOptions;
  /** Requests whose stale login cookie was reported and cleared: once per request, however often it is read. */
  private readonly dropped = new WeakSet<http.IncomingMessage>();

  constructor(o: SessionOptions) {
    this.o = o;
  }

  get hubPath(): string {
    return `${this.o.baseUrl}hub/`;
  }

  /**
   * The logged-in user of this request, or null. A login cookie that is no login (a bad signature, older than
   * cookie_max_age_days, or a cookie_id no user has) is warned about and cleared in `res`, as base.py
   * _user_for_cookie does; its value never reaches the log.
   */
  async userFromRequest(req: http.IncomingMessage, res?: http.ServerResponse): Promise<{ user: UserRow; sessionId: string | null } | null> {
    const cookies = parseCookies(req.headers.cookie);
    const signed = cookies.get(LOGIN_COOKIE);
    if (!signed) return null;
    const cookieId = this.verifyLogin(signed);
    if (!cookieId) {
      this.dropStale(req, res, 'Invalid or expired cookie token');
      return null;
    }
    // A user blocked at run time has no login, even with a cookie signed before the block rotated cookie_id.
    const row = asRows(await this.o.db('users').where({ cookie_id: cookieId }).whereNotExists(
      this.o.db('hub_blocked_users').whereRaw('hub_blocked_users.user_id = users.id').select('user_id'),
    ).select('users.*'))[0];
    if (!row) {
      this.dropStale(req, res, 'Invalid cookie token');
      return null;
    }
    const user = this.o.refresher ? await this.o.refresher.refresh(userFromRow(row), req) : userFromRow(row);
    if (user === null) return null;
    this.o.identity.noteUserActivity(user);
    return { user, sessionId: cookies.get(SESSION_COOKIE) ?? null };
  }

  /**
   * JupyterHub's clear() is `clear_cookie(name, path=hub.base_url)`; the Domain of cookie_options is added here (as
   * logout adds it), or a cookie set with one would stay in the browser and be sent again on every request.
   */
  private dropStale(req: http.IncomingMessage, res: http.ServerResponse | undefined, why: string): void {
    if (this.dropped.has(req)) return;
    this.dropped.add(req);
    this.o.log?.warn(why);
    if (res !== undefined && !res.headersSent) appendSetCookie(res, [clearCookie(LOGIN_COOKIE, this.hubPath, this.o.cookieOptions?.domain)]);
  }

  /** tornado's format (JupyterHub's and ours); hub's earlier own format is still read, so its logins survive an upgrade. */
  private verifyLogin(signed: string): string | null {
    return decodeTornadoSignedValue(this.o.secret, LOGIN_COOKIE, signed, this.o.maxAgeDays) ?? verifyCookieValue(this.o.secret, LOGIN_COOKIE, signed);
  }

  async principalFromRequest(req: http.IncomingMessage): Promise<Principal | null> {
    const found = await this.userFromRequest(req);
    return found ? this.o.identity.forUser(found.user, found.sessionId) : null;
  }

  /**
   * JupyterHub's _set_cookie: `secure` when `request.protocol` is https, which tornado (xheaders) takes from
   * X-Scheme / X-Forwarded-Proto: behind a proxy that ends TLS, the hub itself is plain http, and only the headers
   * say that the browser is on https. A forged header only costs its sender their own cookie.
   */
  private secureFor(res: http.ServerResponse): boolean {
    return this.o.secure || (res.req !== undefined && browserProtocol(res.req) === 'https');
  }

  /** Sets both cookies after a successful login; returns the session id. */
  login(res: http.ServerResponse, user: UserRow, existingSessionId: string | null): string {
    const maxAge = this.o.maxAgeDays * 86_400;
    const sessionId = existingSessionId ?? randomUUID().replaceAll('-', '');
    const secure = this.secureFor(res);
    // The signature keeps cookie_max_age_days; cookie_options may only change when the browser drops the cookie.
    const login = withCookieKwargs({ path: this.hubPath, maxAgeSeconds: maxAge, secure }, this.o.cookieOptions ?? {}, true);
    appendSetCookie(res, [
      serializeCookie(LOGIN_COOKIE, createTornadoSignedValue(this.o.secret, LOGIN_COOKIE, user.cookie_id), login),
      this.sessionCookie(sessionId, secure),
    ]);
    return sessionId;
  }

  /**
   * JupyterHub's set_login_cookie for a browser already logged in by its cookie (GET /hub/login): only a missing
   * session cookie is set; the login cookie the request came with is left as it is.
   */
  ensureSession(res: http.ServerResponse, existingSessionId: string | null): void {
    if (existingSessionId !== null) return;
    appendSetCookie(res, [this.sessionCookie(randomUUID().replaceAll('-', ''), this.secureFor(res))]);
  }

  /** The `jupyterhub-session-id` cookie (also set by the OAuth authorize endpoint when a browser has none). */
  sessionCookie(sessionId: string, secure: boolean): string {
    return serializeCookie(SESSION_COOKIE, sessionId, withCookieKwargs({ path: this.o.baseUrl, secure: secure || this.o.secure }, this.o.cookieOptions ?? {}, true));
  }

  logout(res: http.ServerResponse): void {
    const domain = this.o.cookieOptions?.domain;
    appendSetCookie(res, [clearCookie(LOGIN_COOKIE, this.hubPath, domain), clearCookie(SESSION_COOKIE, this.o.baseUrl, domain)]);
  }

  /** Ends every session of the user (all browsers): a new cookie_id makes every login cookie stale. */
  async endAllSessions(userId: number): Promise<void> {
    await this.o.db('users').where({ id: userId }).update({ cookie_id: randomUUID().replaceAll('-', '') });
  }
}

export function appendSetCookie(res: http.ServerResponse, cookies: string[]): void {
  const prev = res.getHeader('set-cookie');
  const list = Array.isArray(prev) ? prev : typeof prev === 'string' ? [prev] : [];
  res.setHeader('set-cookie', [...list, ...cookies]);
}
