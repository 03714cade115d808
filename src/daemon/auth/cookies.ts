import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed cookies. jupyterhub-singleuser never reads the hub's own cookies (jupyterhub-facts 3.4), so the format is
 * ours: `<b64url value>|<expires unix s>|<b64url hmac-sha256(name|value|expires)>`. The cookie's name is in the
 * MAC, so a value signed for one cookie cannot be replayed as another.
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
  httpOnly?: boolean;
  secure?: boolean;
  sameSite?: 'Lax' | 'Strict' | 'None';
}

export function serializeCookie(name: string, value: string, o: CookieOptions): string {
  const parts = [`${name}=${value}`, `Path=${o.path}`];
  if (o.maxAgeSeconds !== undefined) parts.push(`Max-Age=${Math.floor(o.maxAgeSeconds)}`);
  if (o.httpOnly ?? true) parts.push('HttpOnly');
  if (o.secure) parts.push('Secure');
  parts.push(`SameSite=${o.sameSite ?? 'Lax'}`);
  return parts.join('; ');
}

export function clearCookie(name: string, path: string): string {
  return `${name}=; Path=${path}; Max-Age=0; HttpOnly; SameSite=Lax`;
}
