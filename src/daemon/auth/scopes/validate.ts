/**
 * scopes.py `_check_scopes_exist`: every scope names a defined scope, and any filter is one of the bare owner
 * filters (`!user`, `!service`, `!server`) or starts with `!user=`, `!service=`, `!group=`, `!server=`.
 * `!group` has no bare form: a token has no owning group.
 */
import { splitScope } from './parsed.js';
import { unknownScopeError, type ScopeRegistry } from './registry.js';
import { ScopeError } from './scope-error.js';

const BARE_FILTERS = new Set(['user', 'service', 'server']);
const FILTER_PREFIXES = ['user=', 'service=', 'group=', 'server='];

export function isValidFilter(filter: string): boolean {
  return BARE_FILTERS.has(filter) || FILTER_PREFIXES.some((p) => filter.startsWith(p));
}

/** Throws ScopeError for the first scope that is undefined or has a malformed filter. */
export function checkScopesExist(scopes: Iterable<string>, registry: ScopeRegistry, whoFor?: string): void {
  for (const scope of scopes) {
    const { base, filter } = splitScope(scope);
    if (!registry.has(base)) throw unknownScopeError(scope, whoFor);
    if (filter !== '' && !isValidFilter(filter)) {
      const forText = whoFor === undefined ? '' : ` for ${whoFor}`;
      throw new ScopeError('bad-filter', `Scope filter '!${filter}' in scope '${scope}'${forText} does not exist`,
        'filters are !user=<name>, !server=<user>/<server>, !group=<name>, !service=<name>, or a bare !user, !server, !service');
    }
  }
}
