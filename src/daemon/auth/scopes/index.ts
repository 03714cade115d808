/**
 * JupyterHub's scopes and roles (RBAC) as pure functions: callers pass users, groups and roles in; nothing here
 * touches the database. Typical flow: `rolesToExpandedScopes` (or `resolveTokenScopes` for a token) once per
 * request principal, cached by the caller; then `needsScope` + `authorize` per request, `scopeFilterFor` for
 * lists, and `filterUserModel`/... for replies.
 */
export {
  BUILTIN_SCOPES, JUPYTERHUB_3_0_SCOPES, LATER_SCOPES, LATER_SCOPE_SINCE, SELF_SCOPES, SELF_SCOPES_3_0,
  type ScopeDefinition, type ScopeTable,
} from './definitions.js';
export { CUSTOM_SCOPE_PATTERN, defineCustomScopes, type CustomScopesResult } from './custom-scopes.js';
export {
  createScopeRegistry, DEFAULT_REGISTRY, JUPYTERHUB_3_0_REGISTRY, unknownScopeError,
  type RegistryOptions, type ScopeRegistry,
} from './registry.js';
export { ScopeError, isScopeError, type ScopeErrorReason } from './scope-error.js';
export {
  ALL, FILTER_KINDS, NO_SCOPES, fromParsed, isFilterKind, parseScopes, splitFilter, splitScope, toExpandedScopes,
  unparseScopes, type ExpandedScopes, type FilterKind, type ParsedScopes, type ScopeFilters, type ScopeGrant,
} from './parsed.js';
export { checkScopesExist, isValidFilter } from './validate.js';
export { expandScope, expandScopes, type ExpandOptions, type OAuthClientRef, type ScopeOwner } from './expand.js';
export { intersectScopes, type GroupMembership } from './intersect.js';
export {
  accessScopes, checkTokenScopes, identifyScopes, requestedTokenScopes, resolveTokenScopes,
  type TokenRequest, type TokenScopeInput, type TokenScopes,
} from './token-scopes.js';
export {
  authorize, checkScope, decodePathArg, grantCovers, needsGroups, scopeFilterFor, targetResource,
  type ScopeDecision, type ScopeResource, type ScopeTarget,
} from './check.js';
export {
  ENDPOINT_SCOPES, needsScope, type EndpointAuth, type EndpointMatch, type EndpointScopes, type HttpMethod,
} from './endpoint-scopes.js';
export {
  DEFAULT_ROLES, DEFAULT_ROLE_NAMES, ROLE_NAME_PATTERN, ROLE_NAME_RULES, defaultRole, isValidRoleName,
  rolesToExpandedScopes, rolesToScopes, type RoleExpandOptions, type RoleSpec,
} from './roles.js';
export {
  loadRoles, loadRolesOrThrow, type LoadRolesOptions, type LoadRolesResult, type LoadedRole, type RoleProblem,
} from './load-roles.js';
export {
  GROUP_ACCESS_MAP, SERVICE_ACCESS_MAP, USER_ACCESS_MAP, allowedKeys, filterGroupModel, filterModel,
  filterServerModel, filterServiceModel, filterUserModel,
  type AccessMap, type Model, type ServerRef, type UserModelInput,
} from './model-filter.js';
export { shownScopes } from './shown-scopes.js';
