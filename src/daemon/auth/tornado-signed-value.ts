import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * tornado's signed values, version 2 (`tornado.web.create_signed_value` / `decode_signed_value`): the format of
 * JupyterHub's secure cookies, `jupyterhub-hub-login` among them, signed with the cookie secret's raw bytes:
 *
 *   2|1:0|10:<unix seconds>|<n>:<cookie name>|<n>:<base64 value>|<hex hmac-sha256 of everything before it>
 *
 * Each field is `<byte length>:<bytes>`. The age is checked when reading (max_age_days against the timestamp), as
 * tornado's get_secure_cookie does; there is no expiry inside. Writing the login cookie this way lets a browser
 * logged in to JupyterHub stay logged in after the switch to hub, and the other way round.
 */
const VERSION = '2';

function field(s: string): string {
  return `${Buffer.byteLength(s, 'utf8')}:${s}`;
}

function signature(secret: Buffer, toSign: string): string {
  return createHmac('sha256', secret).update(toSign, 'utf8').digest('hex');
}

export function createTornadoSignedValue(secret: Buffer, name: string, value: string, now = Date.now()): string {
  const timestamp = String(Math.floor(now / 1000));
  const b64 = Buffer.from(value, 'utf8').toString('base64');
  const toSign = [VERSION, field('0'), field(timestamp), field(name), field(b64), ''].join('|');
  return toSign + signature(secret, toSign);
}

/** One `<n>:<bytes>|` field off the front (tornado's _consume_field); null when malformed. */
function consume(rest: Buffer): { value: Buffer; rest: Buffer } | null {
  const colon = rest.indexOf(0x3a);
  if (colon <= 0) return null;
  const digits = rest.subarray(0, colon).toString('latin1');
  if (!/^\d+$/.test(digits)) return null;
  const n = Number(digits);
  const start = colon + 1;
  if (rest[start + n] !== 0x7c) return null;
  return { value: rest.subarray(start, start + n), rest: rest.subarray(start + n + 1) };
}

/**
 * Python's http.cookies quotes a value holding characters outside its legal set (base64's `=` among them), so
 * tornado's cookies arrive as `"2|1:0|..."`, with `\"`, `\\` and `\ooo` escapes inside; browsers send them as set.
 */
export function unquoteCookieValue(raw: string): string {
  if (raw.length < 2 || !raw.startsWith('"') || !raw.endsWith('"')) return raw;
  return raw.slice(1, -1).replace(/\\([0-3][0-7]{2}|.)/g, (_, esc: string) => (esc.length === 3 ? String.fromCharCode(parseInt(esc, 8)) : esc));
}

/** The value, or null when the signature, the name or the age (max_age_days) does not hold. */
export function decodeTornadoSignedValue(secret: Buffer, name: string, raw: string, maxAgeDays: number, now = Date.now()): string | null {
  const signed = Buffer.from(unquoteCookieValue(raw), 'utf8');
  if (!signed.subarray(0, 2).equals(Buffer.from(`${VERSION}|`))) return null;
  const keyVersion = consume(signed.subarray(2));
  const timestamp = keyVersion && consume(keyVersion.rest);
  const nameField = timestamp && consume(timestamp.rest);
  const valueField = nameField && consume(nameField.rest);
  if (!keyVersion || !timestamp || !nameField || !valueField) return null;
  const passed = valueField.rest;
  const want = Buffer.from(signature(secret, signed.subarray(0, signed.length - passed.length).toString('utf8')));
  if (passed.length !== want.length || !timingSafeEqual(passed, want)) return null;
  if (nameField.value.toString('utf8') !== name) return null;
  const ts = Number(timestamp.value.toString('latin1'));
  if (!Number.isInteger(ts) || ts < now / 1000 - maxAgeDays * 86_400) return null;
  const b64 = valueField.value.toString('latin1');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) return null;
  return Buffer.from(b64, 'base64').toString('utf8');
}
