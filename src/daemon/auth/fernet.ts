/**
 * Fernet tokens (https://github.com/fernet/spec), byte for byte as Python's `cryptography.fernet` makes and reads
 * them, so a `users.encrypted_auth_state` written by JupyterHub decrypts here and the other way round:
 *
 *   urlsafe_b64( 0x80 | timestamp (8 bytes, big-endian seconds) | IV (16) | AES-128-CBC(PKCS7) | HMAC-SHA256 (32) )
 *
 * A 32-byte key is split as Fernet splits it: the first half signs, the second half encrypts.
 * `MultiFernet` semantics live in `fernetDecrypt` taking several keys: the first key encrypts, any key decrypts.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const VERSION = 0x80;
const HEADER = 1 + 8 + 16;
const MAC = 32;
/** Python's urlsafe_b64decode needs correct padding; anything outside the alphabet is refused here outright. */
const TOKEN_SHAPE = /^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2}==|[A-Za-z0-9_-]{3}=)?$/;

/** A token that is malformed, or signed by none of the keys: cryptography's InvalidToken. */
export class InvalidToken extends Error {
  constructor() {
    super('invalid Fernet token (malformed, or made with a key that is not configured)');
    this.name = 'InvalidToken';
  }
}

/** For tests that compare with Python: a fixed IV and time give the same token cryptography would make. */
export interface EncryptOptions {
  iv?: Buffer;
  /** Seconds since the epoch; Fernet stores whole seconds. */
  time?: number;
}

function splitKey(key: Buffer): { signing: Buffer; encryption: Buffer } {
  if (key.length !== 32) throw new Error(`a Fernet key is 32 bytes, not ${key.length}`);
  return { signing: key.subarray(0, 16), encryption: key.subarray(16) };
}

export function fernetEncrypt(key: Buffer, data: Buffer, opts: EncryptOptions = {}): string {
  const { signing, encryption } = splitKey(key);
  const iv = opts.iv ?? randomBytes(16);
  if (iv.length !== 16) throw new Error('a Fernet IV is 16 bytes');
  const header = Buffer.alloc(HEADER);
  header[0] = VERSION;
  header.writeBigUInt64BE(BigInt(Math.floor(opts.time ?? Date.now() / 1000)), 1);
  iv.copy(header, 9);
  const cipher = createCipheriv('aes-128-cbc', encryption, iv);
  const body = Buffer.concat([header, cipher.update(data), cipher.final()]);
  const mac = createHmac('sha256', signing).update(body).digest();
  // cryptography pads its tokens with '=': keep them, so the stored bytes look like JupyterHub's.
  return Buffer.concat([body, mac]).toString('base64url').padEnd(Math.ceil((body.length + MAC) / 3) * 4, '=');
}

/** The token's bytes once its shape is checked; the timestamp is not checked (JupyterHub gives no ttl). */
function tokenBytes(token: string | Buffer): Buffer {
  const text = typeof token === 'string' ? token : token.toString('latin1');
  if (!TOKEN_SHAPE.test(text)) throw new InvalidToken();
  const data = Buffer.from(text, 'base64url');
  // The smallest real token: header, one cipher block, the MAC.
  if (data.length < HEADER + 16 + MAC || data[0] !== VERSION || (data.length - HEADER - MAC) % 16 !== 0) throw new InvalidToken();
  return data;
}

function decryptWith(key: Buffer, data: Buffer): Buffer | null {
  const { signing, encryption } = splitKey(key);
  const signed = data.subarray(0, data.length - MAC);
  const expected = createHmac('sha256', signing).update(signed).digest();
  if (!timingSafeEqual(expected, data.subarray(data.length - MAC))) return null;
  try {
    const decipher = createDecipheriv('aes-128-cbc', encryption, data.subarray(9, HEADER));
    return Buffer.concat([decipher.update(data.subarray(HEADER, data.length - MAC)), decipher.final()]);
  } catch {
    // Bad padding under a valid MAC: only a buggy writer makes that; cryptography calls it InvalidToken too.
    return null;
  }
}

/** MultiFernet.decrypt: the first key whose signature matches decrypts; none matching is InvalidToken. */
export function fernetDecrypt(keys: readonly Buffer[], token: string | Buffer): Buffer {
  const data = tokenBytes(token);
  for (const key of keys) {
    const plain = decryptWith(key, data);
    if (plain !== null) return plain;
  }
  throw new InvalidToken();
}
