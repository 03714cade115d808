import { HubError, isHubError } from '../errors.js';
import type { HubClient } from './hub-client.js';
import { asCreatedToken, asTokenList, type CreatedToken, type TokenModel } from './models.js';
import { apiPath, orNotFound, userPath } from './paths.js';
import { getUser } from './users-api.js';

/**
 * Tokens: listed from hub's /hub/ext/tokens (every owner, with the prefix JupyterHub's per-user listing lacks),
 * created and revoked through JupyterHub's per-user endpoints. Services have no token endpoint in JupyterHub's
 * API: their tokens come from the config (services[].api_token, service_tokens) and are listed here only.
 */
export interface TokenQuery {
  user?: string;
  service?: string;
}

export async function listTokens(client: HubClient, q: TokenQuery = {}): Promise<TokenModel[]> {
  // An unknown owner is an error, not an empty list: a typo must not look like "no tokens".
  if (q.user !== undefined) await getUser(client, q.user);
  if (q.service !== undefined) {
    await orNotFound(client.get(apiPath(`services/${encodeURIComponent(q.service)}`)), `no such service: ${q.service}`, 'Services are configured in JupyterHub.services.');
  }
  const all = asTokenList(await client.get('/hub/ext/tokens'));
  return all
    .filter((t) => (q.user === undefined || t.user === q.user) && (q.service === undefined || t.service === q.service))
    .sort((a, b) => (a.created ?? '').localeCompare(b.created ?? '') || a.id.localeCompare(b.id));
}

export interface NewToken {
  scopes?: string[];
  expiresInSeconds?: number;
  note?: string;
}

export async function createToken(client: HubClient, user: string, t: NewToken): Promise<CreatedToken> {
  // JupyterHub answers 403 ("not found or no permissions") for an unknown user: ask first, to say which.
  await getUser(client, user);
  const body = {
    ...(t.scopes ? { scopes: t.scopes } : {}),
    ...(t.expiresInSeconds !== undefined ? { expires_in: t.expiresInSeconds } : {}),
    ...(t.note !== undefined ? { note: t.note } : {}),
  };
  const res = await orNotFound(client.post(`${userPath(user)}/tokens`, body), `no such user: ${user}`, 'hub users ls lists the users.').catch((err: unknown) => {
    // A token never holds more than its owner (JupyterHub's rule): say how the owner gets the scopes.
    if (isHubError(err) && err.hint === undefined && err.message.startsWith('Not assigning requested scopes')) {
      throw new HubError(err.code, err.message, {
        hint: `Give ${user} a role with these scopes (JupyterHub.load_roles: {name, scopes, users: [${user}]}) and restart the hub, or ask for fewer scopes (hub users show ${user} lists their roles).`,
      });
    }
    throw err;
  });
  return asCreatedToken(res.body);
}

/** Finds a token's owner by id (JupyterHub's revoke needs the user's name in the path). */
export async function findToken(client: HubClient, id: string): Promise<TokenModel> {
  const token = asTokenList(await client.get('/hub/ext/tokens')).find((t) => t.id === id);
  if (!token) throw new HubError('NOT_FOUND', `no such token: ${id}`, { hint: 'hub tokens ls shows token ids (a1, a2, ...).' });
  return token;
}

export async function revokeToken(client: HubClient, token: TokenModel): Promise<void> {
  if (token.user === undefined) {
    const service = token.service ?? '';
    const path = `/hub/ext/services/${encodeURIComponent(service)}/tokens/${encodeURIComponent(token.id)}`;
    await orNotFound(client.delete(path), `no such token: ${token.id}`, 'hub tokens ls shows token ids.');
    return;
  }
  const path = `${userPath(token.user)}/tokens/${encodeURIComponent(token.id)}`;
  await orNotFound(client.delete(path), `no such token: ${token.id}`, 'hub tokens ls shows token ids.');
}

/** A token for a service (hub's /hub/ext/: JupyterHub's API has none), e.g. to rotate its credentials. */
export async function createServiceToken(client: HubClient, service: string, t: NewToken): Promise<CreatedToken> {
  const body = {
    ...(t.scopes ? { scopes: t.scopes } : {}),
    ...(t.expiresInSeconds !== undefined ? { expires_in: t.expiresInSeconds } : {}),
    ...(t.note !== undefined ? { note: t.note } : {}),
  };
  const res = await orNotFound(client.post(`/hub/ext/services/${encodeURIComponent(service)}/tokens`, body), `no such service: ${service}`, 'Services are defined in JupyterHub.services.');
  return asCreatedToken(res.body);
}
