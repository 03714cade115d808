import { HubError } from '../errors.js';

/**
 * The shapes the CLI reads from the daemon, narrowed from `unknown` at the socket boundary. A daemon that
 * answers something else is reported as such, not dereferenced blindly.
 */
export interface ServerModel {
  name: string;
  ready: boolean;
  pending: string | null;
  url: string;
  started: string | null;
  last_activity: string | null;
  stopped?: boolean;
}

export interface UserModel {
  kind?: string;
  name: string;
  admin: boolean;
  groups: string[];
  roles: string[];
  server: string | null;
  pending: string | null;
  created: string | null;
  last_activity: string | null;
  servers: Record<string, ServerModel>;
}

export interface TokenModel {
  id: string;
  user?: string;
  service?: string;
  kind: string;
  scopes: string[];
  note: string | null;
  created: string | null;
  expires_at: string | null;
  last_activity: string | null;
  prefix?: string;
}

export interface GroupModel {
  name: string;
  users: string[];
  roles: string[];
  properties: Record<string, unknown>;
}

/** What POST /users/:name/tokens answers: the model plus, this once, the secret. */
export interface CreatedToken extends TokenModel {
  token: string;
}

/** One event of a spawn's progress stream (jupyterhub-facts 3.6). */
export interface ProgressEvent {
  progress: number;
  message: string;
  ready: boolean;
  failed: boolean;
  url: string | null;
}

export interface DaemonStatusModel {
  version: string;
  jupyterhub_api_version: string;
  pid: number;
  started: string;
  hub_url: string;
  public_url: string;
  socket: string;
  db_url: string;
  config_file: string | null;
}

type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function bad(what: string): never {
  throw new HubError('API_ERROR', `the hub answered with something that is not ${what}`, { hint: 'Is the CLI the same version as the daemon? hub status shows the daemon version.' });
}

export function str(o: Obj, k: string): string {
  return typeof o[k] === 'string' ? (o[k] as string) : '';
}

export function strOrNull(o: Obj, k: string): string | null {
  return typeof o[k] === 'string' ? (o[k] as string) : null;
}

export function strList(o: Obj, k: string): string[] {
  const v = o[k];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export function asServer(name: string, v: unknown): ServerModel {
  if (!isObj(v)) return bad('a server model');
  return {
    name,
    ready: v.ready === true,
    pending: strOrNull(v, 'pending'),
    url: str(v, 'url'),
    started: strOrNull(v, 'started'),
    last_activity: strOrNull(v, 'last_activity'),
    ...(typeof v.stopped === 'boolean' ? { stopped: v.stopped } : {}),
  };
}

export function asUser(v: unknown): UserModel {
  if (!isObj(v) || typeof v.name !== 'string') return bad('a user model');
  const servers: Record<string, ServerModel> = {};
  if (isObj(v.servers)) for (const [k, s] of Object.entries(v.servers)) servers[k] = asServer(k, s);
  return {
    kind: str(v, 'kind'),
    name: v.name,
    admin: v.admin === true,
    groups: strList(v, 'groups'),
    roles: strList(v, 'roles'),
    server: strOrNull(v, 'server'),
    pending: strOrNull(v, 'pending'),
    created: strOrNull(v, 'created'),
    last_activity: strOrNull(v, 'last_activity'),
    servers,
  };
}

/** Accepts both the bare list and the `{items, _pagination}` envelope. */
export function asUserPage(v: unknown): { items: UserModel[]; next: { offset: number } | null } {
  if (Array.isArray(v)) return { items: v.map(asUser), next: null };
  if (!isObj(v) || !Array.isArray(v.items)) return bad('a list of users');
  const p = isObj(v._pagination) ? v._pagination : {};
  const next = isObj(p.next) && typeof p.next.offset === 'number' ? { offset: p.next.offset } : null;
  return { items: v.items.map(asUser), next };
}

export function asToken(v: unknown): TokenModel {
  if (!isObj(v) || typeof v.id !== 'string') return bad('a token model');
  return {
    id: v.id,
    ...(typeof v.user === 'string' ? { user: v.user } : {}),
    ...(typeof v.service === 'string' ? { service: v.service } : {}),
    kind: str(v, 'kind'),
    scopes: strList(v, 'scopes'),
    note: strOrNull(v, 'note'),
    created: strOrNull(v, 'created'),
    expires_at: strOrNull(v, 'expires_at'),
    last_activity: strOrNull(v, 'last_activity'),
    ...(typeof v.prefix === 'string' ? { prefix: v.prefix } : {}),
  };
}

export function asTokenList(v: unknown): TokenModel[] {
  if (isObj(v) && Array.isArray(v.api_tokens)) return v.api_tokens.map(asToken);
  if (isObj(v) && Array.isArray(v.items)) return v.items.map(asToken);
  return bad('a list of tokens');
}

export function asDaemonStatus(v: unknown): DaemonStatusModel {
  if (!isObj(v) || typeof v.pid !== 'number') return bad('a daemon status');
  return {
    version: str(v, 'version'),
    jupyterhub_api_version: str(v, 'jupyterhub_api_version'),
    pid: v.pid,
    started: str(v, 'started'),
    hub_url: str(v, 'hub_url'),
    public_url: str(v, 'public_url'),
    socket: str(v, 'socket'),
    db_url: str(v, 'db_url'),
    config_file: strOrNull(v, 'config_file'),
  };
}

export function asGroup(v: unknown): GroupModel {
  if (!isObj(v) || typeof v.name !== 'string') return bad('a group model');
  return { name: v.name, users: strList(v, 'users'), roles: strList(v, 'roles'), properties: isObj(v.properties) ? v.properties : {} };
}

/** Accepts both the bare list and the `{items, _pagination}` envelope. */
export function asGroupPage(v: unknown): { items: GroupModel[]; next: { offset: number } | null } {
  if (Array.isArray(v)) return { items: v.map(asGroup), next: null };
  if (!isObj(v) || !Array.isArray(v.items)) return bad('a list of groups');
  const p = isObj(v._pagination) ? v._pagination : {};
  const next = isObj(p.next) && typeof p.next.offset === 'number' ? { offset: p.next.offset } : null;
  return { items: v.items.map(asGroup), next };
}

export function asCreatedToken(v: unknown): CreatedToken {
  if (!isObj(v) || typeof v.token !== 'string') return bad('a new token');
  return { ...asToken(v), token: v.token };
}

export function asProgressEvent(v: unknown): ProgressEvent {
  if (!isObj(v)) return bad('a progress event');
  return {
    progress: typeof v.progress === 'number' ? v.progress : 0,
    message: str(v, 'message'),
    ready: v.ready === true,
    failed: v.failed === true,
    url: strOrNull(v, 'url'),
  };
}

export function asNameList(v: unknown): string[] {
  if (isObj(v) && Array.isArray(v.items)) return v.items.filter((x): x is string => typeof x === 'string');
  return bad('a list of names');
}
