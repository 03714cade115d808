/**
 * apihandlers/base.py `token_model`. `scopes` are what the token can really do (scopes.py `get_scopes_for`: its
 * stored scopes expanded and intersected with its owner's), not the raw column.
 */
import { isoFromDate } from './user-query.js';
import type { TokenRow } from '../../db/tokens-repo.js';
import { shownScopes } from '../../auth/scopes/index.js';

export type TokenOwnerRef = { user: string } | { service: string };

export function tokenModel(t: TokenRow, owner: TokenOwnerRef, scopes: readonly string[], oauthClient: string): Record<string, unknown> {
  return {
    ...owner,
    id: `a${t.id}`,
    kind: 'api_token',
    // Deprecated in 3.0 and always empty; JupyterHub keeps the key.
    roles: [],
    scopes: shownScopes(scopes).sort(),
    created: isoFromDate(t.created),
    last_activity: isoFromDate(t.last_activity),
    expires_at: isoFromDate(t.expires_at),
    note: t.note,
    session_id: t.session_id,
    oauth_client: oauthClient,
  };
}

export function isExpired(t: TokenRow, now = new Date()): boolean {
  return t.expires_at !== null && t.expires_at.getTime() < now.getTime();
}
