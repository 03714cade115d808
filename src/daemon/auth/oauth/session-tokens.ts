/**
 * Logout ends what the login session handed out (handlers/base.py clear_login_cookie): every token of the user
 * issued during that session, which is every OAuth token a server or service got through the browser. Only for
 * the user who is logged in (a logout request without the login cookie could be forged, so it revokes nothing).
 * Single-user servers cache `/hub/api/user` for up to 300 s, so a revoked token may work there a little longer.
 */
import type { Knex } from 'knex';
import type { TokenCache } from './client-registry.js';

export async function revokeSessionTokens(db: Knex, who: { userId: number; sessionId: string }, cache?: TokenCache): Promise<number> {
  if (who.sessionId === '') return 0;
  const count = await db('api_tokens').where({ user_id: who.userId, session_id: who.sessionId }).delete();
  if (count > 0) cache?.invalidate();
  return count;
}
