import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CookieKwargs } from '../../lib/config/index.js';

/**
 * hub's earlier login-cookie format, `<b64url value>|<expires unix s>|<b64url hmac-sha256(name|value|expires)>`,
 * still read so sessions signed before hub wrote tornado's format (tornado-signed-value.ts) keep working until
 * they expire. The cookie's name is in the MAC, so a value signed for one cookie cannot be replayed as another.
 */
export function signCookieValue(secret: Buffer, name: string, value: string, maxAgeSeconds: number, now = Date.now()): string {
  const v = Buffer.from(value, 'utf8').toString('base64url');
  const expires = Math.floor(now / 1000 + maxAgeSeconds);
  return `${v}|${expires}|${mac(secret, name, v, expires)}`;
}

export function verifyCookieValue(secret: Buffer, name: string, signed: string, now = Date.now()): string | null {
  const parts = signed.split('|');
  if (parts.length !== 3) return null;
  const [v = '', exp = '', sig = ''] = parts;
  const expires = Number(exp);
  if (!Number.isInteger(expires) || expires * 1000 < now) return null;
  const want = Buffer.from(mac(secret, name, v, expires));
  const got = Buffer.from(sig);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return null;
  return Buffer.from(v, 'base64url').toString('utf8');
}

function mac(secret: Buffer, name: string, v: string, expires: number): string {
  return createHmac('sha256', secret).update(`${name}|${v}|${expires}`).digest('base64url');
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    // The first cookie of a name wins, as browsers send the most specific path first.
    if (!out.has(name)) out.set(name, part.slice(i + 1).trim());
  }
  return out;
}

export interface CookieOptions {
  path: string;
  maxAgeSeconds?: number;
  /** Sent as Expires; with no maxAgeSeconds it alone decides when the browser drops the cookie. */
  expires?: Date;
  domain?: string;
  httpOnly?: boolean;
  secure?: boolean;
  sameSite?: 'Lax' | 'Strict' | 'None';
}

export function serializeCookie(name: string, value: string, o: CookieOptions): string {
  const parts = [`${name}=${value}`, `Path=${o.path}`];
  if (o.domain !== undefined) parts.push(`Domain=${o.domain}`);
  if (o.expires !== undefined) parts.push(`Expires=${o.expires.toUTCString()}`);
  if (o.maxAgeSeconds !== undefined) parts.push(`Max-Age=${Math.floor(o.maxAgeSeconds)}`);
  if (o.httpOnly ?? true) parts.push('HttpOnly');
  if (o.secure) parts.push('Secure');
  parts.push(`SameSite=${o.sameSite ?? 'Lax'}`);
  return parts.join('; ');
}

/**
 * tornado_settings.cookie_options / xsrf_cookie_kwargs over hub's own attributes, as JupyterHub's _set_cookie
 * does `kwargs.update(cookie_options)`. `fixedPath`: the hub passes its cookies' paths as overrides, which beat
 * cookie_options (the login cookie must stay at <base_url>hub/). tornado's expires/expires_days set only Expires,
 * so they drop hub's Max-Age, which browsers would otherwise prefer; expires_days null makes a session cookie.
 */
export function withCookieKwargs(o: CookieOptions, kw: CookieKwargs, fixedPath: boolean, now = Date.now()): CookieOptions {
  const out: CookieOptions = { ...o };
  if (kw.domain !== undefined) out.domain = kw.domain;
  if (kw.path !== undefined && !fixedPath) out.path = kw.path;
  const days = kw.expires_days;
  const expires = kw.expires !== undefined ? new Date(kw.expires * 1000) : typeof days === 'number' ? new Date(now + days * 86_400_000) : undefined;
  if (expires !== undefined) out.expires = expires;
  // expires_days null (tornado's None) leaves neither attribute: a session cookie.
  if (expires !== undefined || days === null) delete out.maxAgeSeconds;
  if (kw.max_age !== undefined) out.maxAgeSeconds = kw.max_age;
  if (kw.secure !== undefined) out.secure = kw.secure;
  if (kw.httponly !== undefined) out.httpOnly = kw.httponly;
  if (kw.samesite !== undefined) out.sameSite = kw.samesite;
  return out;
}

/** Expires the cookie; `domain` must be the one it was set with, or the browser keeps it. */
export function clearCookie(name: string, path: string, domain?: string): string {
  return `${name}=; Path=${path}${domain === undefined ? '' : `; Domain=${domain}`}; Max-Age=0; HttpOnly; SameSite=Lax`;
}
