/**
 * Token models with the scopes each token really has (scopes.py `get_scopes_for`: stored scopes expanded for the
 * owner and issuing client, intersected with the owner's scopes), computed from the owner's scopes once per request.
 */
import type { ApiDeps } from '../api-service.js';
import type { UserRow } from '../../db/users-repo.js';
import { clientDisplayNames, type TokenRow } from '../../db/tokens-repo.js';
import { clientRef } from '../../auth/identity.js';
import { groupMembership } from '../../auth/group-membership.js';
import { resolveTokenScopes, toExpandedScopes, type ExpandedScopes, type OAuthClientRef } from '../../auth/scopes/index.js';
import { tokenModel } from '../models/token-model.js';

function rawScopes(t: TokenRow): ExpandedScopes {
  try {
    return toExpandedScopes(t.scopes);
  } catch {
    return toExpandedScopes([]);
  }
}

export async function tokenModels(deps: ApiDeps, user: UserRow, tokens: readonly TokenRow[]): Promise<Record<string, unknown>[]> {
  if (tokens.length === 0) return [];
  const ownerScopes = await deps.identity.userScopes(user);
  const inAnyGroup = await groupMembership(deps.db, [ownerScopes, ...tokens.map(rawScopes)]);
  const names = await clientDisplayNames(deps.db, tokens.flatMap((t) => (t.client_id === null ? [] : [t.client_id])));
  const clients = new Map<string, OAuthClientRef>();
  const models: Record<string, unknown>[] = [];
  for (const t of tokens) {
    const id = t.client_id ?? 'jupyterhub';
    if (!clients.has(id)) clients.set(id, await clientRef(deps.db, t.client_id));
    let scopes: string[] = [];
    try {
      const owner = { kind: 'user' as const, name: user.name };
      scopes = [...resolveTokenScopes({ tokenScopes: t.scopes, owner, ownerScopes, oauthClient: clients.get(id), registry: deps.registry, inAnyGroup }).scopes.scopes];
    } catch (err) {
      // A stored scope this hub no longer defines (a removed custom scope) grants nothing; say so, do not fail the list.
      deps.log.warn(`token a${t.id} of ${user.name} has scopes this hub does not define: ${err instanceof Error ? err.message : String(err)}`);
    }
    models.push(tokenModel(t, { user: user.name }, scopes, names.get(id) ?? id));
  }
  return models;
}
