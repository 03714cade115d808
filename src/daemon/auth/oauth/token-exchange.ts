/**
 * `POST /hub/api/oauth2/token`, authorization_code grant only (oauthlib's validate_token_request order):
 * grant type, code present, client authentication (secret in the form, as jupyterhub-singleuser and HubOAuth send
 * it, or HTTP Basic per RFC 6749 2.3.1), the code belongs to this client and is live, redirect_uri matches. Only
 * then is the code consumed, so a failed attempt does not burn it, and a reused code fails.
 * The access token is an api_tokens row owned by the user, tied to the client and the login session, holding the
 * raw scopes granted at authorization.
 */
import type { Knex } from 'knex';
import { createToken } from '../../db/tokens-repo.js';
import { getOAuthClient, type OAuthClientRow } from '../../db/oauth-clients-repo.js';
import { deleteOAuthCode, findOAuthCode } from '../../db/oauth-codes-repo.js';
import { getUserById, type UserRow } from '../../db/users-repo.js';
import { compareToken } from '../token-hash.js';
import { groupMembership } from '../group-membership.js';
import type { IdentityService } from '../identity.js';
import { checkTokenScopes, isScopeError, toExpandedScopes, type ScopeRegistry } from '../scopes/index.js';
import { resolveClientRef } from './client-resolver.js';
import { OAuthError } from './oauth-error.js';
import type { OAuthParams } from './request-params.js';
import type { OAuthSettings } from './settings.js';

export interface TokenContext {
  db: Knex;
  registry: ScopeRegistry;
  identity: IdentityService;
  settings: OAuthSettings;
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

export interface ClientCredentials {
  id: string;
  secret: string;
}

/** RFC 6749 2.3.1: `Basic base64(urlencode(id):urlencode(secret))`; null when absent or not Basic. */
export function basicCredentials(header: string | undefined): ClientCredentials | null {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
  if (!m?.[1]) return null;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return null;
  const decode = (s: string): string | null => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return null;
    }
  };
  const id = decode(text.slice(0, colon));
  const secret = decode(text.slice(colon + 1));
  return id === null || secret === null ? null : { id, secret };
}

/** provider.py `authenticate_client`: a known client with a secret, and the right secret. */
async function authenticateClient(db: Knex, params: OAuthParams, basic: ClientCredentials | null): Promise<OAuthClientRow> {
  const id = params.get('client_id') ?? basic?.id ?? null;
  const secret = params.get('client_secret') ?? (basic !== null && basic.id === id ? basic.secret : null);
  const client = id === null ? null : await getOAuthClient(db, id);
  if (client === null || !secret || client.secret_hash === '' || !compareToken(client.secret_hash, secret)) {
    throw new OAuthError('invalid_client');
  }
  return client;
}

function checkRequest(params: OAuthParams): string {
  const dup = params.duplicate(['client_id', 'grant_type', 'redirect_uri', 'code']);
  if (dup !== null) throw new OAuthError('invalid_request', `Duplicate ${dup} parameter.`);
  if (params.get('grant_type') !== 'authorization_code') throw new OAuthError('unsupported_grant_type');
  const code = params.get('code');
  if (code === null || code === '') throw new OAuthError('invalid_request', 'Missing code parameter.');
  return code;
}

/** orm.py APIToken.new -> `_check_token_scopes`: the user must still hold what the code grants. */
async function checkScopesStillHeld(c: TokenContext, user: UserRow, scopes: string[], clientId: string): Promise<void> {
  const ownerScopes = await c.identity.userScopes(user);
  const inAnyGroup = await groupMembership(c.db, [ownerScopes, toExpandedScopes(scopes)]);
  try {
    checkTokenScopes(scopes, { owner: { kind: 'user', name: user.name }, ownerScopes, oauthClient: await resolveClientRef(c.db, clientId), registry: c.registry, inAnyGroup });
  } catch (err) {
    if (isScopeError(err)) throw new OAuthError('invalid_scope', err.message);
    throw err;
  }
}

export async function exchangeCode(c: TokenContext, params: OAuthParams, basic: ClientCredentials | null): Promise<TokenResponse> {
  const codeValue = checkRequest(params);
  const client = await authenticateClient(c.db, params, basic);
  const code = await findOAuthCode(c.db, codeValue);
  if (code === null || code.client_id !== client.identifier) throw new OAuthError('invalid_grant');
  const redirectUri = params.get('redirect_uri') ?? client.redirect_uri;
  if (redirectUri !== code.redirect_uri || redirectUri !== client.redirect_uri) throw new OAuthError('invalid_request', 'Mismatching redirect URI.');
  const user = await getUserById(c.db, code.user_id);
  if (user === null) throw new OAuthError('invalid_grant');
  await checkScopesStillHeld(c, user, code.scopes, client.identifier);
  if (!(await deleteOAuthCode(c.db, code.id))) throw new OAuthError('invalid_grant');
  const { token } = await createToken(c.db, { userId: user.id }, {
    scopes: code.scopes,
    expiresInSeconds: c.settings.tokenExpiresInSeconds,
    clientId: client.identifier,
    ...(code.session_id === null ? {} : { sessionId: code.session_id }),
  });
  return { access_token: token, token_type: 'Bearer', expires_in: c.settings.tokenExpiresInSeconds, scope: [...code.scopes].sort().join(' ') };
}
