/**
 * Which scope(s) each REST endpoint under /hub/api needs (apihandlers `@needs_scope`, facts section 1), so the
 * API layer looks the check up instead of hard-coding it per route. `anyOf` lists alternatives in JupyterHub's
 * order; the target comes from the path arguments (`:user`, `:server`, `:group`, `:service`).
 */
import { decodePathArg, type ScopeTarget } from './check.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * - `none`: no authentication (version, health).
 * - `token`: any authenticated caller; the handler decides (whoami, deprecated identify endpoints).
 * - `scopes`: `authorize(held, anyOf, target)`; `postFilter` means a list the handler filters per item.
 */
export type EndpointAuth =
  | { kind: 'none' }
  | { kind: 'token' }
  | { kind: 'scopes'; anyOf: readonly string[]; postFilter?: boolean };

export interface EndpointScopes {
  readonly method: HttpMethod;
  /** Path under /hub/api, `:name` for one path argument. */
  readonly path: string;
  readonly auth: EndpointAuth;
  readonly note?: string;
}

const scopes = (...anyOf: string[]): EndpointAuth => ({ kind: 'scopes', anyOf });
const list = (scope: string): EndpointAuth => ({ kind: 'scopes', anyOf: [scope], postFilter: true });
const READ_USER = scopes('read:users', 'read:users:name', 'read:servers', 'read:users:groups', 'read:users:activity', 'read:roles:users');

export const ENDPOINT_SCOPES: readonly EndpointScopes[] = [
  { method: 'GET', path: '/', auth: { kind: 'none' } },
  { method: 'GET', path: '/info', auth: scopes('read:hub') },
  { method: 'POST', path: '/shutdown', auth: scopes('shutdown') },
  { method: 'GET', path: '/user', auth: { kind: 'token' }, note: 'whoami; identify scopes are added for this call only' },
  { method: 'GET', path: '/users', auth: list('list:users'), note: 'filters other than user/group on list:users -> 403' },
  { method: 'POST', path: '/users', auth: scopes('admin:users') },
  { method: 'GET', path: '/users/:user', auth: READ_USER, note: 'model filtered by model-filter.ts' },
  { method: 'POST', path: '/users/:user', auth: scopes('admin:users') },
  { method: 'PATCH', path: '/users/:user', auth: scopes('admin:users') },
  { method: 'DELETE', path: '/users/:user', auth: scopes('delete:users') },
  { method: 'POST', path: '/users/:user/activity', auth: scopes('users:activity') },
  { method: 'POST', path: '/users/:user/server', auth: scopes('start:servers'), note: '3.0 needed servers, which implies start:servers' },
  { method: 'DELETE', path: '/users/:user/server', auth: scopes('delete:servers') },
  { method: 'POST', path: '/users/:user/servers/:server', auth: scopes('start:servers'), note: 'as POST /users/:user/server' },
  { method: 'DELETE', path: '/users/:user/servers/:server', auth: scopes('delete:servers') },
  { method: 'GET', path: '/users/:user/server/progress', auth: scopes('read:servers') },
  { method: 'GET', path: '/users/:user/servers/:server/progress', auth: scopes('read:servers') },
  { method: 'GET', path: '/users/:user/tokens', auth: scopes('read:tokens') },
  {
    method: 'POST', path: '/users/:user/tokens', auth: scopes('tokens'),
    note: 'not @needs_scope in 3.0: an unauthenticated caller may authenticate with body.auth; then tokens on the user is checked',
  },
  { method: 'GET', path: '/users/:user/tokens/:token', auth: scopes('read:tokens') },
  { method: 'DELETE', path: '/users/:user/tokens/:token', auth: scopes('tokens') },
  { method: 'POST', path: '/users/:user/admin-access', auth: scopes('servers'), note: 'deprecated no-op' },
  { method: 'GET', path: '/groups', auth: list('list:groups'), note: 'filters other than group on list:groups -> 403' },
  { method: 'POST', path: '/groups', auth: scopes('admin:groups') },
  { method: 'GET', path: '/groups/:group', auth: scopes('read:groups', 'read:groups:name', 'read:roles:groups') },
  { method: 'POST', path: '/groups/:group', auth: scopes('admin:groups') },
  { method: 'DELETE', path: '/groups/:group', auth: scopes('delete:groups') },
  { method: 'POST', path: '/groups/:group/users', auth: scopes('groups') },
  { method: 'DELETE', path: '/groups/:group/users', auth: scopes('groups') },
  { method: 'PUT', path: '/groups/:group/properties', auth: scopes('groups'), note: 'JupyterHub 3.2/4.0' },
  { method: 'GET', path: '/services', auth: list('list:services') },
  { method: 'GET', path: '/services/:service', auth: scopes('read:services', 'read:services:name', 'read:roles:services') },
  { method: 'GET', path: '/proxy', auth: scopes('proxy') },
  { method: 'POST', path: '/proxy', auth: scopes('proxy') },
  { method: 'PATCH', path: '/proxy', auth: scopes('proxy') },
  { method: 'GET', path: '/authorizations/token/:token', auth: { kind: 'token' }, note: 'deprecated identify' },
  { method: 'GET', path: '/authorizations/cookie/:cookie', auth: { kind: 'token' }, note: 'deprecated identify' },
  { method: 'GET', path: '/authorizations/cookie/:cookie/:value', auth: { kind: 'token' }, note: 'deprecated identify' },
  { method: 'GET', path: '/metrics', auth: scopes('read:metrics'), note: 'only when JupyterHub.authenticate_prometheus; else none' },
];

const stripSlash = (p: string): string => p.replace(/\/$/, '');

function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = stripSlash(pattern).split('/');
  const got = stripSlash(path).split('/');
  // `/users/a/servers/` names a's default server (JupyterHub's pattern is `servers/([^/]*)`).
  if (pattern.endsWith('/:server') && path.endsWith('/servers/')) got.push('');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, seg] of want.entries()) {
    const actual = got[i] ?? '';
    if (!seg.startsWith(':')) {
      if (seg !== actual) return undefined;
      continue;
    }
    const name = seg.slice(1);
    if (actual === '' && name !== 'server') return undefined;
    params[name] = decodePathArg(actual);
  }
  return params;
}

export interface EndpointMatch {
  readonly endpoint: EndpointScopes;
  /** Decoded path arguments by name. */
  readonly params: Readonly<Record<string, string>>;
  /** What to check the scopes against (`server` joined as `user/server`). */
  readonly target: ScopeTarget;
}

function targetOf(params: Readonly<Record<string, string>>, path: string): ScopeTarget {
  const target: ScopeTarget = {};
  if (params.user !== undefined) target.user = params.user;
  if (params.server !== undefined) target.server = `${params.user ?? ''}/${params.server}`;
  // `/users/:user/server` acts on the default server.
  else if (params.user !== undefined && /\/server(\/progress)?$/.test(path)) target.server = `${params.user}/`;
  if (params.group !== undefined) target.group = params.group;
  if (params.service !== undefined) target.service = params.service;
  return target;
}

/**
 * The scope rule for `method path` (path relative to /hub/api, e.g. `/users/alice/servers/x`), with decoded
 * arguments; undefined when no endpoint matches. Throws ScopeError('bad-path-argument') for invalid UTF-8.
 */
export function needsScope(method: HttpMethod, path: string): EndpointMatch | undefined {
  for (const endpoint of ENDPOINT_SCOPES) {
    if (endpoint.method !== method) continue;
    const params = matchPath(endpoint.path, path);
    if (params !== undefined) return { endpoint, params, target: targetOf(params, endpoint.path) };
  }
  return undefined;
}
