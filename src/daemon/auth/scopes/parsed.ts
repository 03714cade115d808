/**
 * Expanded scopes in the two forms JupyterHub uses: the flat set of strings (`read:users!user=alice`) and the
 * parsed form (scopes.py `parse_scopes`: base scope -> ALL, or filter kind -> names). An ExpandedScopes value
 * carries both, built once, so checks are map and set look-ups.
 *
 * Invariant: `scopes` is reduced (scopes.py `reduce_scopes`): an unfiltered scope swallows its filtered forms, and
 * `scopes` is exactly `unparse(parsed)`.
 */
import { ScopeError } from './scope-error.js';

export type FilterKind = 'user' | 'server' | 'group' | 'service';
export const FILTER_KINDS: readonly FilterKind[] = ['user', 'server', 'group', 'service'];

/** Unfiltered: the scope applies to every resource. */
export const ALL = 'all';
export type ScopeFilters = ReadonlyMap<FilterKind, ReadonlySet<string>>;
export type ScopeGrant = typeof ALL | ScopeFilters;
export type ParsedScopes = ReadonlyMap<string, ScopeGrant>;

export interface ExpandedScopes {
  readonly scopes: ReadonlySet<string>;
  readonly parsed: ParsedScopes;
}

export function isFilterKind(value: string): value is FilterKind {
  return (FILTER_KINDS as readonly string[]).includes(value);
}

/** Split at the first `!` and `=`, as Python's `str.partition` does: `a!b=c=d` -> ['a', 'b', 'c=d']. */
export function splitScope(scope: string): { base: string; filter: string } {
  const bang = scope.indexOf('!');
  return bang < 0 ? { base: scope, filter: '' } : { base: scope.slice(0, bang), filter: scope.slice(bang + 1) };
}

export function splitFilter(filter: string): { kind: string; value: string } {
  const eq = filter.indexOf('=');
  return eq < 0 ? { kind: filter, value: '' } : { kind: filter.slice(0, eq), value: filter.slice(eq + 1) };
}

type MutableFilters = Map<FilterKind, Set<string>>;

function addFiltered(parsed: Map<string, typeof ALL | MutableFilters>, scope: string, base: string, filter: string): void {
  const current = parsed.get(base);
  if (current === ALL) return;
  const { kind, value } = splitFilter(filter);
  if (!isFilterKind(kind)) {
    throw new ScopeError('bad-filter', `Scope filter '!${filter}' in scope '${scope}' does not exist`,
      'filters are !user=<name>, !server=<user>/<server>, !group=<name> or !service=<name>');
  }
  const filters = current ?? new Map<FilterKind, Set<string>>();
  parsed.set(base, filters);
  const names = filters.get(kind) ?? new Set<string>();
  filters.set(kind, names);
  names.add(value);
}

/** scopes.py `parse_scopes` for expanded scopes (no bare filters left). */
export function parseScopes(scopes: Iterable<string>): ParsedScopes {
  const parsed = new Map<string, typeof ALL | MutableFilters>();
  for (const scope of scopes) {
    const { base, filter } = splitScope(scope);
    if (filter === '') parsed.set(base, ALL);
    else addFiltered(parsed, scope, base, filter);
  }
  return parsed;
}

/** scopes.py `unparse_scopes`; filter kinds whose name set is empty vanish. */
export function unparseScopes(parsed: ParsedScopes): Set<string> {
  const out = new Set<string>();
  for (const [base, grant] of parsed) {
    if (grant === ALL) {
      out.add(base);
      continue;
    }
    for (const [kind, names] of grant) for (const name of names) out.add(`${base}!${kind}=${name}`);
  }
  return out;
}

/** Build the reduced, parsed form of expanded scope strings (scopes.py `reduce_scopes` + `parse_scopes`). */
export function toExpandedScopes(scopes: Iterable<string>): ExpandedScopes {
  const parsed = parseScopes(scopes);
  return { scopes: unparseScopes(parsed), parsed };
}

/** Build from a parsed map (e.g. an intersection), dropping bases left with no names. */
export function fromParsed(parsed: ParsedScopes): ExpandedScopes {
  const clean = new Map<string, ScopeGrant>();
  for (const [base, grant] of parsed) {
    if (grant === ALL) clean.set(base, ALL);
    else {
      const kept = new Map([...grant].filter(([, names]) => names.size > 0));
      if (kept.size > 0) clean.set(base, kept);
    }
  }
  return { scopes: unparseScopes(clean), parsed: clean };
}

export const NO_SCOPES: ExpandedScopes = { scopes: new Set(), parsed: new Map() };
