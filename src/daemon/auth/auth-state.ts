/**
 * user.py `save_auth_state` / `get_auth_state`: the users.encrypted_auth_state column holds the Fernet token of
 * the JSON auth_state, or NULL. Reading never fails a request: a value no configured key opens is logged and
 * read as null, as JupyterHub does. With more than one key, a value read is written back under the first key,
 * so key rotation completes as users log in or are looked at.
 */
import type { Knex } from 'knex';
import type { Logger } from '../../lib/log.js';
import type { CryptKeeper } from './crypt-keeper.js';

export interface AuthStateOwner {
  id: number;
  name: string;
  encrypted_auth_state: Buffer | null;
}

/** null clears the stored value (JupyterHub's save_auth_state(None)). Returns what the column now holds. */
export async function saveAuthState(db: Knex, keeper: CryptKeeper, userId: number, state: unknown): Promise<Buffer | null> {
  const value = state === null || state === undefined ? null : keeper.encrypt(state);
  await db('users').where({ id: userId }).update({ encrypted_auth_state: value });
  return value;
}

export async function getAuthState(db: Knex, keeper: CryptKeeper, user: AuthStateOwner, log: Logger): Promise<unknown> {
  if (user.encrypted_auth_state === null) return null;
  let state: unknown;
  try {
    state = keeper.decrypt(user.encrypted_auth_state);
  } catch (err) {
    log.warn(`Failed to retrieve encrypted auth_state for ${user.name} because ${err instanceof Error ? err.message : String(err)}`);
    return null;
  }
  // Python's `if auth_state:`: an empty dict (or other falsy JSON) is not worth re-encrypting.
  if (isTruthy(state) && keeper.keys.length > 1) await saveAuthState(db, keeper, user.id, state);
  return state;
}

function isTruthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object' && v !== null) return Object.keys(v).length > 0;
  return Boolean(v);
}
