/**
 * Every built-in scope: JupyterHub 3.0's `scope_definitions` (scopes.py), verbatim, plus the later additions
 * that leave a 3.0 client's view of 3.0 scopes unchanged.
 *
 * Included later scopes, and why:
 * - 5.0 `admin:services`, `shares`, `read:shares`, `users:shares`, `read:users:shares`, `groups:shares`,
 *   `read:groups:shares`: new names only. No 3.0 scope lists them as sub-scopes, so expanding any 3.0 scope gives
 *   exactly what 3.0 gives; defining them lets a 5.x `load_roles` (e.g. `shares!user` in the user role) load.
 *   They are not in the default roles or in `self` (5.x puts `admin:services`/`shares` in admin and the share
 *   scopes in `self`) because this hub has no service-management or sharing endpoints yet.
 * - 6.0 `start:servers`, a sub-scope of `servers` (jupyterhub#5297: "allows granting start permission without
 *   stop"). Anyone who could start a server in 3.0 holds `servers`, hence `start:servers`, so the start endpoints
 *   can require `start:servers` without refusing any 3.0 caller. Expanded sets gain `start:servers[!filter]`
 *   wherever they hold `servers[!filter]`; what the API shows (`/api/user`'s and token models' `scopes`) leaves such
 *   an implied `start:servers` out (shown-scopes.ts), so a 3.0 client sees 3.0's lists.
 *
 * Left out: 5.x's change to `self` (adds share scopes) and to `!server=` expansion (drops `read:users*` instead of
 * adding `read:users:name!user=`), which change what 3.0 scopes mean.
 */

export interface ScopeDefinition {
  readonly description: string;
  /** Longer text for docs (JupyterHub's `doc_description`). */
  readonly docDescription?: string;
  /** Scopes this one implies; expansion is transitive. */
  readonly subscopes?: readonly string[];
}

export type ScopeTable = Readonly<Record<string, ScopeDefinition>>;

/** JupyterHub 3.0.0 scopes.py `scope_definitions`, key for key (differential tests hold us to it). */
export const JUPYTERHUB_3_0_SCOPES: ScopeTable = {
  '(no_scope)': { description: 'Identify the owner of the requesting entity.' },
  self: {
    description: 'Your own resources',
    docDescription: 'The user’s own resources _(metascope for users, resolves to (no_scope) for services)_',
  },
  inherit: {
    description: 'Anything you have access to',
    docDescription: 'Everything that the token-owning entity can access _(metascope for tokens)_',
  },
  'admin-ui': {
    description: 'Access the admin page.',
    docDescription: 'Access the admin page. Permission to take actions via the admin page granted separately.',
  },
  'admin:users': {
    description: 'Read, write, create and delete users and their authentication state, not including their servers or tokens.',
    subscopes: ['admin:auth_state', 'users', 'read:roles:users', 'delete:users'],
  },
  'admin:auth_state': { description: 'Read a user’s authentication state.' },
  users: {
    description: 'Read and write permissions to user models (excluding servers, tokens and authentication state).',
    subscopes: ['read:users', 'list:users', 'users:activity'],
  },
  'delete:users': { description: 'Delete users.' },
  'list:users': { description: 'List users, including at least their names.', subscopes: ['read:users:name'] },
  'read:users': {
    description: 'Read user models (excluding including servers, tokens and authentication state).',
    subscopes: ['read:users:name', 'read:users:groups', 'read:users:activity'],
  },
  'read:users:name': { description: 'Read names of users.' },
  'read:users:groups': { description: 'Read users’ group membership.' },
  'read:users:activity': { description: 'Read time of last user activity.' },
  'read:roles': {
    description: 'Read role assignments.',
    subscopes: ['read:roles:users', 'read:roles:services', 'read:roles:groups'],
  },
  'read:roles:users': { description: 'Read user role assignments.' },
  'read:roles:services': { description: 'Read service role assignments.' },
  'read:roles:groups': { description: 'Read group role assignments.' },
  'users:activity': { description: 'Update time of last user activity.', subscopes: ['read:users:activity'] },
  'admin:servers': {
    description: 'Read, start, stop, create and delete user servers and their state.',
    subscopes: ['admin:server_state', 'servers'],
  },
  'admin:server_state': { description: 'Read and write users’ server state.' },
  servers: { description: 'Start and stop user servers.', subscopes: ['read:servers', 'delete:servers'] },
  'read:servers': {
    description: 'Read users’ names and their server models (excluding the server state).',
    subscopes: ['read:users:name'],
  },
  'delete:servers': { description: "Stop and delete users' servers." },
  tokens: { description: 'Read, write, create and delete user tokens.', subscopes: ['read:tokens'] },
  'read:tokens': { description: 'Read user tokens.' },
  'admin:groups': {
    description: 'Read and write group information, create and delete groups.',
    subscopes: ['groups', 'read:roles:groups', 'delete:groups'],
  },
  groups: {
    description: 'Read and write group information, including adding/removing users to/from groups.',
    subscopes: ['read:groups', 'list:groups'],
  },
  'list:groups': { description: 'List groups, including at least their names.', subscopes: ['read:groups:name'] },
  'read:groups': { description: 'Read group models.', subscopes: ['read:groups:name'] },
  'read:groups:name': { description: 'Read group names.' },
  'delete:groups': { description: 'Delete groups.' },
  'list:services': { description: 'List services, including at least their names.', subscopes: ['read:services:name'] },
  'read:services': { description: 'Read service models.', subscopes: ['read:services:name'] },
  'read:services:name': { description: 'Read service names.' },
  'read:hub': { description: 'Read detailed information about the Hub.' },
  'access:servers': { description: 'Access user servers via API or browser.' },
  'access:services': { description: 'Access services via API or browser.' },
  proxy: {
    description: 'Read information about the proxy’s routing table, sync the Hub with the proxy and notify the Hub about a new proxy.',
  },
  shutdown: { description: 'Shutdown the hub.' },
  'read:metrics': { description: 'Read prometheus metrics.' },
};

/** Scopes added after 3.0 that we define (see the file comment). `servers` is patched separately. */
export const LATER_SCOPES: ScopeTable = {
  'admin:services': {
    description: 'Create, read, update, delete services, not including services defined from config files.',
    subscopes: ['list:services', 'read:services', 'read:roles:services'],
  },
  'users:shares': { description: "Read and revoke a user's access to shared servers.", subscopes: ['read:users:shares'] },
  'read:users:shares': { description: 'Read servers shared with a user.' },
  'groups:shares': { description: "Read and revoke a group's access to shared servers.", subscopes: ['read:groups:shares'] },
  'read:groups:shares': { description: 'Read servers shared with a group.' },
  'read:shares': { description: 'Read information about shared access to servers.' },
  shares: {
    description: 'Manage access to shared servers.',
    subscopes: ['access:servers', 'read:shares', 'users:shares', 'groups:shares'],
  },
  'start:servers': { description: 'Start user servers.' },
};

/** The version each later scope appeared in, for docs and `describe` output. */
export const LATER_SCOPE_SINCE: Readonly<Record<string, '5.0' | '6.0'>> = {
  'admin:services': '5.0', 'users:shares': '5.0', 'read:users:shares': '5.0', 'groups:shares': '5.0',
  'read:groups:shares': '5.0', 'read:shares': '5.0', shares: '5.0', 'start:servers': '6.0',
};

/** 3.0 + later scopes; `servers` gains `start:servers` as in 6.0. */
export const BUILTIN_SCOPES: ScopeTable = {
  ...JUPYTERHUB_3_0_SCOPES,
  servers: { description: 'Start and stop user servers.', subscopes: ['read:servers', 'start:servers', 'delete:servers'] },
  ...LATER_SCOPES,
};

/**
 * What `self` means for a user (scopes.py `_expand_self_scope`), each bound with `!user=<name>`. The list is used
 * as is, not expanded through the hierarchy, so every implied scope is spelled out.
 */
export const SELF_SCOPES_3_0: readonly string[] = [
  'read:users', 'read:users:name', 'read:users:groups', 'users:activity', 'read:users:activity',
  'servers', 'delete:servers', 'read:servers', 'tokens', 'read:tokens', 'access:servers',
];

/** `self` with `servers!user` implying `start:servers!user`, so users can still start their own servers. */
export const SELF_SCOPES: readonly string[] = [...SELF_SCOPES_3_0, 'start:servers'];
