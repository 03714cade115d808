/**
 * Default roles and role -> scope resolution (roles.py `get_default_roles`, `roles_to_scopes`,
 * `roles_to_expanded_scopes`, `_validate_role_name`).
 *
 * The default roles are JupyterHub 3.0's exactly. Later versions grant admin `admin:services` and `shares` (5.0)
 * and the server role `access:servers!server` instead of `!user` (5.0); we add neither while this hub has no
 * service-management or sharing endpoints, and `!user` keeps 3.0's meaning for server tokens. Admin still gets
 * 6.0's `start:servers`, through `admin:servers` -> `servers`.
 */
import { expandScopes, type ScopeOwner } from './expand.js';
import type { ExpandedScopes } from './parsed.js';
import type { ScopeRegistry } from './registry.js';

export interface RoleSpec {
  readonly name: string;
  readonly description?: string | null;
  readonly scopes: readonly string[];
}

export const DEFAULT_ROLES: readonly RoleSpec[] = [
  { name: 'user', description: 'Standard user privileges', scopes: ['self'] },
  {
    name: 'admin',
    description: 'Elevated privileges (can do anything)',
    scopes: [
      'admin-ui', 'admin:users', 'admin:servers', 'tokens', 'admin:groups', 'list:services', 'read:services',
      'read:hub', 'proxy', 'shutdown', 'access:services', 'access:servers', 'read:roles', 'read:metrics',
    ],
  },
  { name: 'server', description: 'Post activity only', scopes: ['users:activity!user', 'access:servers!user'] },
  { name: 'token', description: 'Token with same permissions as its owner', scopes: ['inherit'] },
];

export const DEFAULT_ROLE_NAMES: ReadonlySet<string> = new Set(DEFAULT_ROLES.map((r) => r.name));

export function defaultRole(name: string): RoleSpec | undefined {
  return DEFAULT_ROLES.find((r) => r.name === name);
}

/** roles.py `_role_name_pattern`: 3-255 chars, lowercase letters, digits and `-_~.`, letter first, no trailing symbol. */
export const ROLE_NAME_PATTERN = /^[a-z][a-z0-9\-_~.]{1,253}[a-z0-9]$/;

export const ROLE_NAME_RULES =
  'Role names must be 3-255 characters, contain only lowercase ascii letters, numbers, and URL unreserved special ' +
  "characters '-.~_', start with a letter, and end with a letter or number.";

export function isValidRoleName(name: string): boolean {
  return ROLE_NAME_PATTERN.test(name);
}

/** Raw (unexpanded) scopes of a set of roles: their union. */
export function rolesToScopes(roles: Iterable<{ readonly scopes: readonly string[] }>): Set<string> {
  const out = new Set<string>();
  for (const role of roles) for (const s of role.scopes) out.add(s);
  return out;
}

export interface RoleExpandOptions {
  registry?: ScopeRegistry;
  onWarning?: (message: string) => void;
}

/**
 * What a user or service may do: its roles' scopes (for a user, include the roles of its groups) expanded for it.
 * Compute once per user/service and cache; `checkScope` works on the result without expanding again.
 */
export function rolesToExpandedScopes(
  roles: Iterable<{ readonly scopes: readonly string[] }>,
  owner: ScopeOwner,
  options: RoleExpandOptions = {},
): ExpandedScopes {
  return expandScopes(rolesToScopes(roles), { owner, registry: options.registry, onWarning: options.onWarning });
}
