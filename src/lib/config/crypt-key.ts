/**
 * Encryption keys for auth_state, read as jupyterhub/crypto.py `_validate_key` reads them: 44 characters are
 * base64 (url-safe or standard), 64 are hex, and anything must come out as exactly 32 bytes (so a 32-character
 * string is taken as the raw key, as JupyterHub does).
 */
export const CRYPT_KEY_ENV = 'JUPYTERHUB_CRYPT_KEY';

const BASE64_32 = /^[A-Za-z0-9+/_-]{43}=$/;
const HEX_32 = /^[0-9a-fA-F]{64}$/;

export function parseCryptKey(key: string | Uint8Array): Buffer | undefined {
  if (typeof key !== 'string') return key.length === 32 ? Buffer.from(key) : undefined;
  if (key.length === 44 && BASE64_32.test(key)) return Buffer.from(key.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (key.length === 64 && HEX_32.test(key)) return Buffer.from(key, 'hex');
  // eslint-disable-next-line no-control-regex -- JupyterHub encodes the raw key as ASCII.
  if (key.length === 32 && /^[\x00-\x7f]*$/.test(key)) return Buffer.from(key, 'ascii');
  return undefined;
}

/** JUPYTERHUB_CRYPT_KEY: ';'-separated keys, blanks skipped; the first one encrypts. */
export function splitCryptKeys(value: string): string[] {
  return value.split(';').filter((k) => k.trim() !== '');
}
