/**
 * The parameters of `GET /hub/api/oauth2/authorize`, checked in oauthlib's order (validate_authorization_request).
 * Problems with the client or its redirect_uri are shown to the user (400) and never redirected, because the
 * redirect target itself is not trusted yet; later problems (response_type, scope) go back to the client in the
 * redirect, with the state, as RFC 6749 4.1.2.1 asks.
 */
import type { Knex } from 'knex';
import { ApiError } from '../../api/http-util.js';
import { getOAuthClient, type OAuthClientRow } from '../../db/oauth-clients-repo.js';
import { OAuthError } from './oauth-error.js';
import type { OAuthParams } from './request-params.js';

export interface AuthorizeRequest {
  client: OAuthClientRow;
  redirectUri: string;
  /** Passed back unchanged; null when the client sent none. */
  state: string | null;
  /** The `scope` parameter split on spaces, or null when absent (jupyterhub-singleuser sends none). */
  scopes: string[] | null;
}

const SINGLE = ['client_id', 'response_type', 'redirect_uri', 'scope', 'state'];

/** Checks that must pass before anything may be redirected to the client (oauthlib FatalClientError -> 400). */
export async function readAuthorizeRequest(db: Knex, params: OAuthParams): Promise<AuthorizeRequest> {
  const dup = params.duplicate(SINGLE);
  if (dup !== null) throw new ApiError(400, `Duplicate ${dup} parameter.`);
  const clientId = params.get('client_id');
  if (!clientId) throw new ApiError(400, 'Missing client_id parameter.');
  const client = await getOAuthClient(db, clientId);
  // A client without a secret (the hub's own) cannot complete a flow, so it may not start one.
  if (client === null || client.secret_hash === '') throw new ApiError(400, 'Invalid client_id parameter value.');
  const given = params.get('redirect_uri');
  const redirectUri = given ?? client.redirect_uri;
  if (redirectUri === '') throw new ApiError(400, 'Missing redirect URI.');
  if (redirectUri !== client.redirect_uri) throw new ApiError(400, 'Mismatching redirect URI.');
  const scope = params.get('scope');
  const scopes = scope === null ? null : scope.split(' ').filter((s) => s !== '');
  return { client, redirectUri, state: params.get('state'), scopes: scopes === null || scopes.length === 0 ? null : scopes };
}

/** response_type must be `code`; a wrong one is reported to the client (in the redirect). */
export function checkResponseType(params: OAuthParams): void {
  const type = params.get('response_type');
  if (type === null) throw new OAuthError('invalid_request', 'Missing response_type parameter.');
  if (type !== 'code') throw new OAuthError('unsupported_response_type');
}

/** oauthlib `add_params_to_uri`: the parameters appended to the redirect_uri's query, before any fragment. */
export function redirectWith(uri: string, params: [string, string][]): string {
  const hash = uri.indexOf('#');
  const base = hash < 0 ? uri : uri.slice(0, hash);
  const fragment = hash < 0 ? '' : uri.slice(hash);
  const query = new URLSearchParams(params).toString();
  const sep = base.includes('?') ? (base.endsWith('?') || base.endsWith('&') ? '' : '&') : '?';
  return `${base}${sep}${query}${fragment}`;
}

/** Where an error goes back to the client: redirect_uri with `error`, `error_description` and the state. */
export function errorRedirect(req: AuthorizeRequest, err: OAuthError): string {
  return redirectWith(req.redirectUri, [...err.params(), ...(req.state === null ? [] : [['state', req.state] as [string, string]])]);
}
