/**
 * scopes.py `_intersect_expanded_scopes`: what two expanded scope sets both allow. Used for a token's scopes
 * against its owner's, and for OAuth requests against what the user holds.
 *
 * Per base scope: unfiltered on one side -> the other side's filters; otherwise, per filter kind, the common names,
 * plus what one side's narrower filter keeps inside the other's wider one:
 * - `!server=u/s` survives against `!user=u` (a server belongs to its user);
 * - with group membership available, `!server=u/s` and `!user=u` survive against `!group=g` when u is in g.
 * Without membership (no callback), user-vs-group overlaps are dropped: narrower than intended, never wider.
 */
import { ALL, fromParsed, type ExpandedScopes, type FilterKind, type ScopeFilters, type ScopeGrant } from './parsed.js';

/** Whether `user` is a member of at least one of `groups`. Called only when a group filter must be resolved. */
export type GroupMembership = (user: string, groups: ReadonlySet<string>) => boolean;

const EMPTY: ReadonlySet<string> = new Set();

function sameSet(a: ReadonlySet<string> | undefined, b: ReadonlySet<string> | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.size === b.size && [...a].every((x) => b.has(x));
}

function userOfServer(server: string): string {
  const slash = server.indexOf('/');
  return slash < 0 ? server : server.slice(0, slash);
}

/** Add servers of `x` that `y` covers through its user or group filters (one direction of the Python loop). */
function resolveServers(x: ScopeFilters, y: ScopeFilters, common: Set<string>, inAnyGroup?: GroupMembership): void {
  const xs = x.get('server');
  if (xs === undefined || sameSet(y.get('server'), xs)) return;
  const pending = [...xs].filter((s) => !common.has(s));
  const yUsers = y.get('user');
  for (const server of pending) if (yUsers?.has(userOfServer(server))) common.add(server);
  const yGroups = y.get('group');
  if (inAnyGroup === undefined || yGroups === undefined) return;
  for (const server of pending) {
    if (!common.has(server) && inAnyGroup(userOfServer(server), yGroups)) common.add(server);
  }
}

/** Add users of `x` that `y` covers through its group filter. */
function resolveUsers(x: ScopeFilters, y: ScopeFilters, common: Set<string>, inAnyGroup?: GroupMembership): void {
  const xu = x.get('user');
  const yGroups = y.get('group');
  if (inAnyGroup === undefined || xu === undefined || yGroups === undefined || sameSet(y.get('user'), xu)) return;
  for (const user of xu) if (!common.has(user) && inAnyGroup(user, yGroups)) common.add(user);
}

function intersectFilters(a: ScopeFilters, b: ScopeFilters, inAnyGroup?: GroupMembership): ScopeFilters {
  const out = new Map<FilterKind, ReadonlySet<string>>();
  for (const [kind, names] of a) {
    const other = b.get(kind);
    if (other !== undefined) out.set(kind, new Set([...names].filter((n) => other.has(n))));
  }
  const servers = new Set(out.get('server') ?? EMPTY);
  const users = new Set(out.get('user') ?? EMPTY);
  for (const [x, y] of [[a, b], [b, a]] as const) {
    resolveServers(x, y, servers, inAnyGroup);
    resolveUsers(x, y, users, inAnyGroup);
  }
  if (servers.size > 0) out.set('server', servers);
  if (users.size > 0) out.set('user', users);
  return out;
}

function intersectGrant(a: ScopeGrant, b: ScopeGrant, inAnyGroup?: GroupMembership): ScopeGrant {
  if (a === ALL) return b;
  if (b === ALL) return a;
  return intersectFilters(a, b, inAnyGroup);
}

/** The scopes allowed by both `a` and `b`. Pure apart from calls to `inAnyGroup`. */
export function intersectScopes(a: ExpandedScopes, b: ExpandedScopes, inAnyGroup?: GroupMembership): ExpandedScopes {
  const out = new Map<string, ScopeGrant>();
  for (const [base, grantA] of a.parsed) {
    const grantB = b.parsed.get(base);
    if (grantB !== undefined) out.set(base, intersectGrant(grantA, grantB, inAnyGroup));
  }
  return fromParsed(out);
}
