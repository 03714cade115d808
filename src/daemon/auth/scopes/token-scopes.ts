/**
 * What a token may do (scopes.py `get_scopes_for` on an APIToken, `_check_token_scopes`, `identify_scopes`,
 * `access_scopes`) and which raw scopes a token request asks for (orm.py `APIToken.new`).
 * A token never does more than its owner: its scopes are intersected with the owner's on every use.
 */
import { expandScopes, type OAuthClientRef, type ScopeOwner } from './expand.js';
import { intersectScopes, type GroupMembership } from './intersect.js';
import { toExpandedScopes, type ExpandedScopes } from './parsed.js';
import { DEFAULT_REGISTRY, type ScopeRegistry } from './registry.js';
import { ScopeError } from './scope-error.js';
import { checkScopesExist } from './validate.js';

/** Scopes every token of `owner` has, so whoami works (scopes.py `identify_scopes`). */
export function identifyScopes(owner: ScopeOwner): string[] {
  if (owner.kind === 'service') return [`read:services:name!service=${owner.name}`];
  return [`read:users:name!user=${owner.name}`, `read:users:groups!user=${owner.name}`];
}

/** The scope needed to use an OAuth client's server or service (scopes.py `access_scopes`). */
export function accessScopes(client: OAuthClientRef): string[] {
  switch (client.kind) {
    case 'hub': return [];
    case 'server': return [`access:servers!server=${client.user}/${client.server}`];
    case 'service': return [`access:services!service=${client.service}`];
  }
}

export interface TokenScopeInput {
  /** Raw scopes stored on the token (`api_tokens.scopes`). */
  tokenScopes: readonly string[];
  owner: ScopeOwner;
  /** The owner's expanded scopes (roles, including group roles). */
  ownerScopes: ExpandedScopes;
  /** The issuing client; omitted or `hub` for tokens made through the API. */
  oauthClient?: OAuthClientRef;
  registry?: ScopeRegistry;
  inAnyGroup?: GroupMembership;
  onWarning?: (message: string) => void;
}

export interface TokenScopes {
  readonly scopes: ExpandedScopes;
  /** Token scopes the owner does not hold (JupyterHub logs them as "discarding scopes"). */
  readonly discarded: ReadonlySet<string>;
}

/** The expanded scopes a token acts with. Compute once per token and cache; checks never re-expand. */
export function resolveTokenScopes(input: TokenScopeInput): TokenScopes {
  if (input.tokenScopes.includes('inherit')) return { scopes: input.ownerScopes, discarded: new Set() };
  const expanded = expandScopes(input.tokenScopes, {
    owner: input.owner, oauthClient: input.oauthClient, registry: input.registry, onWarning: input.onWarning,
  });
  const withExtras = new Set(expanded.scopes);
  if (input.oauthClient !== undefined) for (const s of accessScopes(input.oauthClient)) withExtras.add(s);
  for (const s of identifyScopes(input.owner)) withExtras.add(s);
  const requested = toExpandedScopes(withExtras);
  const scopes = intersectScopes(requested, input.ownerScopes, input.inAnyGroup);
  const discarded = new Set([...requested.scopes].filter((s) => !scopes.scopes.has(s)));
  return { scopes, discarded };
}

function describeOwner(owner: ScopeOwner): string {
  return `${owner.kind === 'user' ? 'User' : 'Service'} ${owner.name}`;
}

/**
 * Refuse to issue a token with scopes its owner lacks (orm.py `APIToken.new` -> `_check_scopes_exist` +
 * `_check_token_scopes`). Throws ScopeError: 'unknown-scope'/'bad-filter' (-> 400) or 'excess-scopes'.
 */
export function checkTokenScopes(requested: readonly string[], input: Omit<TokenScopeInput, 'tokenScopes'>): void {
  const registry = input.registry ?? DEFAULT_REGISTRY;
  checkScopesExist(requested, registry, 'token');
  const rest = requested.filter((s) => s !== 'inherit');
  if (rest.length === 0) return;
  const wanted = expandScopes(rest, { owner: input.owner, oauthClient: input.oauthClient, registry, onWarning: input.onWarning });
  if (wanted.scopes.size === 0) return;
  const held = intersectScopes(wanted, input.ownerScopes, input.inAnyGroup);
  const excess = [...wanted.scopes].filter((s) => !held.scopes.has(s)).sort();
  if (excess.length > 0) {
    throw new ScopeError('excess-scopes', `Not assigning requested scopes ${excess.join(',')} not held by ${describeOwner(input.owner)}`,
      'request only scopes the owner holds (GET /hub/api/user lists them)');
  }
}

export interface TokenRequest {
  scopes?: readonly string[] | null;
  roles?: readonly string[] | null;
}

/**
 * The raw scopes a new token gets (orm.py `APIToken.new`): the requested scopes, or the scopes of the requested
 * roles (resolved now, not kept as roles), or those of the `token` role (`inherit` if it is missing).
 */
export function requestedTokenScopes(request: TokenRequest, findRole: (name: string) => { scopes: readonly string[] } | undefined): string[] {
  const { scopes, roles } = request;
  if (scopes != null && roles != null) {
    throw new ScopeError('bad-token-request', 'Can only assign one of scopes or roles when creating tokens.', 'send either "scopes" or "roles"');
  }
  if (scopes != null) return [...scopes];
  const names = roles ?? ['token'];
  const out = new Set<string>();
  for (const name of names) {
    const role = findRole(name);
    if (role === undefined && roles == null) return ['inherit'];
    if (role === undefined) {
      throw new ScopeError('bad-token-request', `No such role: ${name}`,
        'name a default role (user, admin, server, token) or one defined in JupyterHub.load_roles');
    }
    for (const s of role.scopes) out.add(s);
  }
  return [...out];
}
