/**
 * Checking held scopes against a required scope and a target resource, as JupyterHub's `needs_scope`,
 * `_check_scope_access`/`has_scope` and `check_scope_filter` do. Works on already expanded and parsed scopes:
 * nothing here expands, so a check is a few map and set look-ups.
 */
import { ALL, type ExpandedScopes, type ScopeFilters, type ScopeGrant } from './parsed.js';
import { ScopeError } from './scope-error.js';

/** A resource a scope may be filtered to. `groups`/`userGroups` are the user's groups, when known. */
export type ScopeResource =
  | { kind: 'user'; name: string; groups?: readonly string[] }
  | { kind: 'server'; user: string; name: string; userGroups?: readonly string[] }
  | { kind: 'group'; name: string }
  | { kind: 'service'; name: string };

/** What an endpoint acts on, from its decoded path arguments; `server` is `user/servername` (`alice/` = default). */
export interface ScopeTarget {
  user?: string;
  server?: string;
  group?: string;
  service?: string;
  /** Groups of `user` (or of the server's user); needed only when a held filter names groups. */
  userGroups?: readonly string[];
}

function inAnyGroup(groups: readonly string[] | undefined, wanted: ReadonlySet<string> | undefined): boolean {
  return wanted !== undefined && groups !== undefined && groups.some((g) => wanted.has(g));
}

/** scopes.py `check_scope_filter`: does a (filtered) grant cover this resource? */
export function grantCovers(grant: ScopeGrant, resource: ScopeResource): boolean {
  if (grant === ALL) return true;
  return filtersCover(grant, resource);
}

function filtersCover(filters: ScopeFilters, resource: ScopeResource): boolean {
  switch (resource.kind) {
    case 'group':
      return filters.get('group')?.has(resource.name) === true;
    case 'service':
      return filters.get('service')?.has(resource.name) === true;
    case 'user':
      return filters.get('user')?.has(resource.name) === true || inAnyGroup(resource.groups, filters.get('group'));
    case 'server':
      // A server is covered by its own filter, by its user's, or by a group its user is in.
      return filters.get('server')?.has(`${resource.user}/${resource.name}`) === true ||
        filters.get('user')?.has(resource.user) === true ||
        inAnyGroup(resource.userGroups, filters.get('group'));
  }
}

/** The resource a target denotes: a server if one is named, else the user, group or service. */
export function targetResource(target: ScopeTarget): ScopeResource | undefined {
  if (target.server !== undefined) {
    const slash = target.server.indexOf('/');
    const user = slash < 0 ? target.server : target.server.slice(0, slash);
    const name = slash < 0 ? '' : target.server.slice(slash + 1);
    return target.userGroups === undefined ? { kind: 'server', user, name } : { kind: 'server', user, name, userGroups: target.userGroups };
  }
  if (target.user !== undefined) {
    return target.userGroups === undefined ? { kind: 'user', name: target.user } : { kind: 'user', name: target.user, groups: target.userGroups };
  }
  if (target.group !== undefined) return { kind: 'group', name: target.group };
  if (target.service !== undefined) return { kind: 'service', name: target.service };
  return undefined;
}

/**
 * Does `held` grant `required` on `target`? With no target (list endpoints), any grant counts: the caller must then
 * post-filter with `scopeFilterFor`. A group filter counts only if `target.userGroups` is given (see `needsGroups`).
 */
export function checkScope(held: ExpandedScopes, required: string, target: ScopeTarget = {}): boolean {
  const grant = held.parsed.get(required);
  if (grant === undefined) return false;
  const resource = targetResource(target);
  return resource === undefined || grantCovers(grant, resource);
}

/** True when checking `required` could depend on the target user's groups, so the caller should load them. */
export function needsGroups(held: ExpandedScopes, required: string): boolean {
  const grant = held.parsed.get(required);
  return grant !== undefined && grant !== ALL && grant.has('group');
}

/** JupyterHub's `get_scope_filter`: a predicate saying which resources `required` covers, for post-filtering lists. */
export function scopeFilterFor(held: ExpandedScopes, required: string): (resource: ScopeResource) => boolean {
  const grant = held.parsed.get(required);
  if (grant === undefined) return () => false;
  if (grant === ALL) return () => true;
  return (resource) => filtersCover(grant, resource);
}

export type ScopeDecision =
  | { allowed: true; scope: string; /** access depends on post-filtering (filtered scope, no target) */ filtered: boolean }
  | { allowed: false; status: 403 | 404; message: string };

/**
 * `@needs_scope(*anyOf)`: allowed if any listed scope covers the target. Refused with 404 when a listed scope is
 * held but filtered to other resources (so a caller cannot probe which users exist), else 403.
 * JupyterHub 3.0 gave up with 404 at the first held-but-filtered scope even if a later one allowed access
 * (`read:users!user=a` + `read:users:name` could not read user b); 4.x+ tries them all, and so do we.
 */
export function authorize(held: ExpandedScopes, anyOf: readonly string[], target: ScopeTarget = {}): ScopeDecision {
  const resource = targetResource(target);
  for (const scope of anyOf) {
    const grant = held.parsed.get(scope);
    if (grant === undefined) continue;
    if (resource === undefined) return { allowed: true, scope, filtered: grant !== ALL };
    if (grantCovers(grant, resource)) return { allowed: true, scope, filtered: false };
  }
  if (resource !== undefined && anyOf.some((s) => held.parsed.has(s))) {
    return { allowed: false, status: 404, message: 'No access to resources or resources not found' };
  }
  return { allowed: false, status: 403, message: `Action is not authorized with current scopes; requires any of [${anyOf.join(', ')}]` };
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 0x20;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

/**
 * Decode one URL path argument as tornado does before JupyterHub sees it (`url_unescape(plus=False)` then strict
 * UTF-8): `%XX` becomes a byte, a `%` not followed by two hex digits stays literal, `+` stays `+`. Invalid UTF-8
 * throws ScopeError('bad-path-argument') (tornado answers 400). Scope strings themselves are never decoded.
 */
export function decodePathArg(raw: string): string {
  if (!raw.includes('%')) return raw;
  const bytes: number[] = [];
  const utf8 = new TextEncoder();
  for (let i = 0; i < raw.length; i++) {
    const hi = raw[i] === '%' && i + 2 < raw.length ? hexValue(raw.charCodeAt(i + 1)) : -1;
    const lo = hi >= 0 ? hexValue(raw.charCodeAt(i + 2)) : -1;
    if (hi >= 0 && lo >= 0) {
      bytes.push(hi * 16 + lo);
      i += 2;
    } else {
      const cp = raw.codePointAt(i) ?? 0;
      const ch = String.fromCodePoint(cp);
      for (const b of utf8.encode(ch)) bytes.push(b);
      i += ch.length - 1;
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(new Uint8Array(bytes));
  } catch {
    throw new ScopeError('bad-path-argument', `Invalid unicode in URL path argument: ${raw}`, 'percent-encode names as UTF-8');
  }
}
