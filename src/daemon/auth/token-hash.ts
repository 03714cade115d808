/**
 * JupyterHub's token hashing (jupyterhub/utils.py hash_token/compare_token), byte for byte, so that tokens
 * stored by JupyterHub verify here and ours verify there:
 *
 *   `<algorithm>:<rounds>:<salt>:<hexdigest>`, digest = H(salt_utf8 || token_utf8 × rounds)
 *
 * The salt is stored and hashed as its hex *string* (Python hashes `b2a_hex(random bytes)`), not as the raw
 * bytes. Generated tokens (uuid4 hex, 122 bits of entropy) use 1 round; tokens a person chose use 16384
 * (orm.py Hashed.generated_rounds / Hashed.rounds).
 */
import { createHash, getHashes, randomBytes, timingSafeEqual } from 'node:crypto';

export const GENERATED_TOKEN_ROUNDS = 1;
export const USER_TOKEN_ROUNDS = 16384;
export const DEFAULT_SALT_BYTES = 8;

/** Stored hashes come from our own database, but a corrupt row must not make a request spin for minutes. */
const MAX_ROUNDS = 10_000_000;

export interface HashOptions {
  rounds?: number;
  saltBytes?: number;
  /** The salt as stored (a hex string for hashes we make); given only when re-hashing to compare. */
  salt?: string;
  algorithm?: string;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Python's `str.encode('utf8', 'replace')` turns an unpaired surrogate into '?'; Node would write U+FFFD. */
function pythonUtf8(text: string): Buffer {
  return Buffer.from(text.replace(LONE_SURROGATE, '?'), 'utf8');
}

export function hashToken(token: string, options: HashOptions = {}): string {
  const algorithm = options.algorithm ?? 'sha512';
  const rounds = options.rounds ?? USER_TOKEN_ROUNDS;
  if (!Number.isInteger(rounds) || rounds < 0 || rounds > MAX_ROUNDS) {
    throw new RangeError(`rounds must be an integer from 0 to ${MAX_ROUNDS}, got ${rounds}`);
  }
  const salt = options.salt ?? randomBytes(options.saltBytes ?? DEFAULT_SALT_BYTES).toString('hex');
  const h = createHash(algorithm);
  h.update(pythonUtf8(salt));
  const btoken = pythonUtf8(token);
  // Fed incrementally, as Python does: the digest equals hashing the concatenation, without building it.
  for (let i = 0; i < rounds; i++) h.update(btoken);
  return `${algorithm}:${rounds}:${salt}:${h.digest('hex')}`;
}

/** Hash a token the hub generated (uuid4 hex): one round, 8-byte salt, as JupyterHub does for its own. */
export function hashGeneratedToken(token: string): string {
  return hashToken(token, { rounds: GENERATED_TOKEN_ROUNDS, saltBytes: DEFAULT_SALT_BYTES });
}

/**
 * Does `token` match the stored `hashed` value? Uses the algorithm, rounds and salt recorded in `hashed`.
 * A malformed stored value never matches (JupyterHub would raise; a bad row must not break every login).
 */
export function compareToken(hashed: string, token: string): boolean {
  const parts = hashed.split(':');
  if (parts.length !== 4) return false;
  const [algorithm, srounds, salt] = parts as [string, string, string, string];
  if (!/^\d+$/.test(srounds)) return false;
  const rounds = Number(srounds);
  if (rounds > MAX_ROUNDS) return false;
  if (!getHashes().includes(algorithm)) return false;
  const expected = Buffer.from(hashed, 'utf8');
  const actual = Buffer.from(hashToken(token, { algorithm, rounds, salt }), 'utf8');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
