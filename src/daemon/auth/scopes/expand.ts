/**
 * Raw scopes (as written in roles and token requests) -> expanded scopes (scopes.py `expand_scopes`):
 * 1. each scope becomes itself plus its sub-scopes, keeping its filter (`read:users!user=a` ->
 *    `read:users:name!user=a`, ...); a `!server=u/s` filter on anything that reads also grants
 *    `read:users:name!user=u`, so a server reader can see whose server it is;
 * 2. bare filters `!user`, `!service`, `!server` are bound to the owner (or OAuth client); unbound ones are dropped
 *    with a warning, never widened to "all";
 * 3. `self` becomes the owner's own scopes with `!user=<name>` (dropped, with a warning, for a non-user);
 * 4. the result is reduced (an unfiltered scope swallows its filtered forms).
 * `inherit` is kept as a plain scope: it is resolved against the owner when a token is used (token-scopes.ts).
 */
import { splitFilter, splitScope, toExpandedScopes, type ExpandedScopes } from './parsed.js';
import { DEFAULT_REGISTRY, type ScopeRegistry } from './registry.js';
import { checkScopesExist } from './validate.js';

export type ScopeOwner = { kind: 'user'; name: string } | { kind: 'service'; name: string };

/** The OAuth client that issued a token: a service, a user's server, or the hub itself. */
export type OAuthClientRef =
  | { kind: 'service'; service: string }
  | { kind: 'server'; user: string; server: string }
  | { kind: 'hub' };

export interface ExpandOptions {
  registry?: ScopeRegistry;
  owner?: ScopeOwner;
  oauthClient?: OAuthClientRef;
  /** Receives JupyterHub's warnings (unbound bare filter, `self` without a user). */
  onWarning?: (message: string) => void;
  /** Used in error messages: "Scope 'x' for role y does not exist". */
  whoFor?: string;
}

/** One scope and its sub-scopes with the filter re-applied (scopes.py `_expand_scope`). */
export function expandScope(scope: string, registry: ScopeRegistry = DEFAULT_REGISTRY): string[] {
  const { base, filter } = splitScope(scope);
  const names = registry.closure(base);
  if (filter === '') return [...names];
  const out = names.map((name) => `${name}!${filter}`);
  const { kind, value } = splitFilter(filter);
  // JupyterHub 3.0 adds `read:users:name!user=` (empty name) for a bare `!server`; it matches no one, so we add
  // nothing until the filter is bound to a real `user/server`.
  if (kind === 'server' && value !== '' && names.some((n) => n.startsWith('read:'))) {
    out.push(`read:users:name!user=${value.split('/', 1)[0] ?? ''}`);
  }
  return out;
}

function bareFilterBindings(owner: ScopeOwner | undefined, client: OAuthClientRef | undefined): Map<string, string> {
  const bind = new Map<string, string>();
  if (owner?.kind === 'user') bind.set('user', `user=${owner.name}`);
  if (owner?.kind === 'service') bind.set('service', `service=${owner.name}`);
  // The issuing client wins over the owner for `!service` (scopes.py does the same).
  if (client?.kind === 'service') bind.set('service', `service=${client.service}`);
  if (client?.kind === 'server') bind.set('server', `server=${client.user}/${client.server}`);
  return bind;
}

const BARE = new Set(['user', 'service', 'server']);

function bindBareFilters(expanded: Set<string>, options: ExpandOptions): void {
  const bind = bareFilterBindings(options.owner, options.oauthClient);
  for (const scope of [...expanded]) {
    const { base, filter } = splitScope(scope);
    if (!BARE.has(filter)) continue;
    expanded.delete(scope);
    const bound = bind.get(filter);
    if (bound !== undefined) expanded.add(`${base}!${bound}`);
    else options.onWarning?.(`Not expanding !${filter} filter without target ${filter} in ${scope}`);
  }
}

/** scopes.py `expand_scopes`. Throws ScopeError for an undefined scope or a malformed filter. */
export function expandScopes(raw: Iterable<string>, options: ExpandOptions = {}): ExpandedScopes {
  const registry = options.registry ?? DEFAULT_REGISTRY;
  const list = [...raw];
  checkScopesExist(list, registry, options.whoFor);
  const expanded = new Set<string>();
  for (const scope of list) for (const s of expandScope(scope, registry)) expanded.add(s);
  bindBareFilters(expanded, options);
  if (expanded.delete('self')) {
    const owner = options.owner;
    if (owner?.kind === 'user') for (const s of registry.selfScopes) expanded.add(`${s}!user=${owner.name}`);
    else options.onWarning?.(`Not expanding 'self' scope for owner ${owner === undefined ? 'None' : `${owner.kind} ${owner.name}`} which is not a User`);
  }
  return toExpandedScopes(expanded);
}
