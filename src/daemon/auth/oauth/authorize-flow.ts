/**
 * The authorization step (apihandlers/auth.py OAuthAuthorizeHandler) for a logged-in user:
 * check the request, check the user may use the client's server or service (`access:servers` /
 * `access:services`), work out the scopes, then either issue a code at once (the user's own server, a service with
 * `oauth_no_confirm`, or scopes the user already granted this client) or show the confirm page, whose POST
 * issues the code. The code is single-use, lives five minutes and is bound to client, redirect_uri, user, login
 * session and scopes.
 */
import { randomInt } from 'node:crypto';
import type { Knex } from 'knex';
import { ApiError } from '../../api/http-util.js';
import { createOAuthCode } from '../../db/oauth-codes-repo.js';
import { listGroupsOfUser } from '../../db/groups-repo.js';
import { asRows, readStringList } from '../../db/row.js';
import type { UserRow } from '../../db/users-repo.js';
import { needsGroups, scopeFilterFor, type ExpandedScopes, type OAuthClientRef, type ScopeRegistry } from '../scopes/index.js';
import { checkResponseType, errorRedirect, readAuthorizeRequest, redirectWith, type AuthorizeRequest } from './authorize-request.js';
import { resolveOAuthClient, toClientRef, type OAuthClientTarget } from './client-resolver.js';
import { defaultScopes, grantableScopes, validateScopes } from './grant-scopes.js';
import { OAuthError } from './oauth-error.js';
import type { OAuthParams } from './request-params.js';
import { roleLookup, userRawScopes } from './role-scopes.js';
import type { OAuthSettings } from './settings.js';

export interface AuthorizeContext {
  db: Knex;
  registry: ScopeRegistry;
  settings: OAuthSettings;
}

export interface LoggedInUser {
  user: UserRow;
  sessionId: string;
  /** The user's expanded scopes (from roles), as for a cookie-authenticated request. */
  scopes: ExpandedScopes;
}

/** A checked request: what the client asked, what it stands for, and what this user can grant it. */
export interface PreparedGrant {
  request: AuthorizeRequest;
  target: OAuthClientTarget;
  client: OAuthClientRef;
  grantable: Set<string>;
}

export type Prepared = { kind: 'grant'; grant: PreparedGrant } | { kind: 'redirect'; location: string };

async function mayAccess(db: Knex, scopes: ExpandedScopes, target: OAuthClientTarget): Promise<boolean> {
  switch (target.kind) {
    case 'server': {
      const userGroups = needsGroups(scopes, 'access:servers') ? await listGroupsOfUser(db, target.userId) : undefined;
      return scopeFilterFor(scopes, 'access:servers')({ kind: 'server', user: target.user, name: target.server, userGroups });
    }
    case 'service':
      return scopeFilterFor(scopes, 'access:services')({ kind: 'service', name: target.service });
    case 'hub':
      // A client with a secret but no server or service: stale or forged (JupyterHub answers 500 too).
      throw new ApiError(500, 'OAuth configuration error');
  }
}

/** Everything up to the decision to confirm; errors the client may learn about come back as a redirect. */
export async function prepareGrant(c: AuthorizeContext, who: LoggedInUser, params: OAuthParams): Promise<Prepared> {
  const request = await readAuthorizeRequest(c.db, params);
  const target = await resolveOAuthClient(c.db, request.client.identifier);
  const client = toClientRef(target);
  let requested: Set<string>;
  try {
    checkResponseType(params);
    const asked = request.scopes ?? defaultScopes(request.client.allowed_scopes, client);
    requested = await validateScopes(asked, request.client.allowed_scopes, client, c.registry, roleLookup(c.db));
  } catch (err) {
    if (err instanceof OAuthError) return { kind: 'redirect', location: errorRedirect(request, err) };
    throw err;
  }
  if (!(await mayAccess(c.db, who.scopes, target))) {
    throw new ApiError(403, `You do not have permission to access ${request.client.description ?? request.client.identifier}`);
  }
  const grantable = grantableScopes(requested, await userRawScopes(c.db, who.user), client);
  return { kind: 'grant', grant: { request, target, client, grantable } };
}

/** auth.py `needs_oauth_confirm`. */
export async function needsConfirm(c: AuthorizeContext, who: LoggedInUser, g: PreparedGrant): Promise<boolean> {
  if (g.target.kind === 'server' && g.target.userId === who.user.id) return false;
  const clientId = g.request.client.identifier;
  if (c.settings.noConfirmClients.has(clientId)) return false;
  const rows = asRows(await c.db('api_tokens').where({ user_id: who.user.id, client_id: clientId }).select('scopes'));
  const authorized = new Set(rows.flatMap((r) => readStringList(r, 'scopes')));
  return authorized.size === 0 || [...g.grantable].some((s) => !authorized.has(s));
}

/** The scopes a submitted confirm form grants: what it lists (nothing = identification only), within the grantable. */
export async function confirmedScopes(c: AuthorizeContext, g: PreparedGrant, posted: readonly string[]): Promise<Set<string>> {
  const asked = posted.length === 0 ? ['identify'] : posted;
  const valid = await validateScopes(asked, g.request.client.allowed_scopes, g.client, c.registry, roleLookup(c.db));
  return new Set([...valid].filter((s) => g.grantable.has(s)));
}

const CODE_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** oauthlib `generate_token()`: 30 characters from a CSPRNG (~178 bits). */
function newCode(): string {
  let out = '';
  for (let i = 0; i < 30; i++) out += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return out;
}

/** Store a code for these scopes and return where to send the browser: redirect_uri?code=...&state=... */
export async function issueCode(c: AuthorizeContext, who: LoggedInUser, g: PreparedGrant, scopes: ReadonlySet<string>): Promise<string> {
  const code = newCode();
  await createOAuthCode(c.db, {
    code,
    clientId: g.request.client.identifier,
    userId: who.user.id,
    sessionId: who.sessionId,
    redirectUri: g.request.client.redirect_uri,
    scopes: [...scopes].sort(),
    expiresAt: Math.floor(Date.now() / 1000) + c.settings.codeExpiresInSeconds,
  });
  const state: [string, string][] = g.request.state === null ? [] : [['state', g.request.state]];
  return redirectWith(g.request.redirectUri, [['code', code], ...state]);
}
