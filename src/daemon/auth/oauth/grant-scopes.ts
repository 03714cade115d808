/**
 * Which raw scopes an authorization grants (provider.py `get_default_scopes`, `validate_scopes`, and the raw-scope
 * intersection in apihandlers/auth.py `OAuthAuthorizeHandler.get`). Raw scopes keep bare filters (`!user`),
 * which are bound to the token's owner and client only when the token is used.
 *
 * 1. Requested: the `scope` parameter (space-separated scopes, or for backward compatibility role names), else the
 *    client's allowed scopes plus the required ones (identify the user, access the client).
 * 2. The client must be allowed all of them (the required ones always are), else `invalid_scope`.
 * 3. Granted: those the user holds in raw form through roles, plus `inherit` and the required ones.
 */
import type { ScopeDefinition } from '../scopes/definitions.js';
import { accessScopes, checkScopesExist, isScopeError, splitFilter, splitScope, type OAuthClientRef, type ScopeRegistry } from '../scopes/index.js';
import { OAuthError } from './oauth-error.js';

/** scopes.py `identify_scopes()` with no owner: raw, bound to the token owner later. */
export const IDENTIFY_RAW_SCOPES: readonly string[] = ['read:users:groups!user', 'read:users:name!user'];

export function requiredScopes(client: OAuthClientRef): Set<string> {
  return new Set([...IDENTIFY_RAW_SCOPES, ...accessScopes(client)]);
}

/** provider.py `get_default_scopes`: a client allowed `inherit` gets nothing else added. */
export function defaultScopes(allowedScopes: readonly string[], client: OAuthClientRef): Set<string> {
  const out = new Set(allowedScopes);
  if (!out.has('inherit')) for (const s of requiredScopes(client)) out.add(s);
  return out;
}

/** Looks roles up by name: their scopes, or null if any of them does not exist. */
export type RoleLookup = (names: readonly string[]) => Promise<string[] | null>;

function scopesExist(scopes: Iterable<string>, registry: ScopeRegistry): boolean {
  try {
    checkScopesExist(scopes, registry);
    return true;
  } catch (err) {
    if (isScopeError(err)) return false;
    throw err;
  }
}

/** provider.py `validate_scopes`: the requested scopes plus the required ones, or `invalid_scope`. */
export async function validateScopes(
  requested: Iterable<string>, allowedScopes: readonly string[], client: OAuthClientRef, registry: ScopeRegistry, roles: RoleLookup,
): Promise<Set<string>> {
  let wanted = new Set(requested);
  // 'identify' was the only scope before 2.0; it grants nothing beyond the required scopes.
  wanted.delete('identify');
  if (!scopesExist(wanted, registry)) {
    const fromRoles = await roles([...wanted]);
    if (fromRoles === null) throw new OAuthError('invalid_scope');
    wanted = new Set(fromRoles);
  }
  const required = requiredScopes(client);
  const clientAllowed = new Set([...allowedScopes, ...required]);
  for (const s of required) wanted.add(s);
  if ([...wanted].some((s) => !clientAllowed.has(s))) throw new OAuthError('invalid_scope');
  return wanted;
}

/** What the user can grant: the requested scopes they hold raw, plus `inherit` and the required scopes. */
export function grantableScopes(requested: ReadonlySet<string>, userRawScopes: ReadonlySet<string>, client: OAuthClientRef): Set<string> {
  const required = requiredScopes(client);
  return new Set([...requested].filter((s) => userRawScopes.has(s) || s === 'inherit' || required.has(s)));
}

export interface ScopeDescription {
  scope: string | null;
  description: string;
  /** Whom it applies to ("only you", "users in group x"), '' when unfiltered. */
  filter: string;
}

function describe(registry: ScopeRegistry, name: string): string {
  const def: ScopeDefinition | undefined = registry.definition(name);
  return def?.description ?? name;
}

function filterText(filter: string, username: string): string {
  if (filter === '') return '';
  if (filter === 'user') return 'only you';
  const { kind, value } = splitFilter(filter);
  if (kind === 'user' && value === username) return 'only you';
  return `${kind === 'group' ? 'users in group' : kind} ${value}`;
}

/**
 * The confirm page's list (auth.py + scopes.py `describe_raw_scopes`). Returns the scopes the form submits too:
 * `inherit` stands alone, since it covers everything else.
 */
export function describeGrant(granted: ReadonlySet<string>, client: OAuthClientRef, username: string, registry: ScopeRegistry): { scopes: string[]; descriptions: ScopeDescription[] } {
  const required = requiredScopes(client);
  const toDescribe = [...granted].filter((s) => !required.has(s)).sort();
  if (toDescribe.length === 0) {
    return { scopes: [...granted].sort(), descriptions: [{ scope: null, description: describe(registry, '(no_scope)'), filter: '' }] };
  }
  if (toDescribe.includes('inherit')) {
    return { scopes: ['inherit'], descriptions: [{ scope: 'inherit', description: describe(registry, 'inherit'), filter: '' }] };
  }
  const descriptions = toDescribe.map((raw) => {
    const { base, filter } = splitScope(raw);
    return { scope: base, description: describe(registry, base), filter: filterText(filter, username) };
  });
  return { scopes: [...granted].sort(), descriptions };
}
