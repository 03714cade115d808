/**
 * The confirm form's anti-forgery field. A page on another site must not be able to make a logged-in user's
 * browser POST "Authorize" (JupyterHub 3.0 compared the Referer with the page URL; 4.x added `_xsrf`). The field
 * is an HMAC over the user's cookie_id, the login session and the exact authorization request, with an expiry:
 * only the page the hub rendered for this user and this request can produce it. The key lives in memory, so a
 * restarted hub asks the user to reload the page, which is harmless.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const LIFETIME_SECONDS = 3600;

export interface ConfirmBinding {
  cookieId: string;
  sessionId: string | null;
  /** The authorize URL's query string, as the form posts it back. */
  search: string;
}

export class ConfirmSigner {
  private readonly key = randomBytes(32);

  sign(b: ConfirmBinding, now = Date.now()): string {
    const expires = Math.floor(now / 1000) + LIFETIME_SECONDS;
    return `${expires}.${this.mac(b, expires)}`;
  }

  verify(b: ConfirmBinding, field: string | null, now = Date.now()): boolean {
    if (field === null) return false;
    const dot = field.indexOf('.');
    const expires = Number(field.slice(0, dot));
    if (dot <= 0 || !Number.isInteger(expires) || expires * 1000 < now) return false;
    const want = Buffer.from(this.mac(b, expires));
    const got = Buffer.from(field.slice(dot + 1));
    return want.length === got.length && timingSafeEqual(want, got);
  }

  private mac(b: ConfirmBinding, expires: number): string {
    return createHmac('sha256', this.key).update(JSON.stringify([b.cookieId, b.sessionId, b.search, expires])).digest('base64url');
  }
}
