import type http from 'node:http';
import { HubError } from '../../../lib/errors.js';
import type { AuthenticatorConfig, ConfigFunction } from '../../../lib/config/index.js';
import type { Logger } from '../../../lib/log.js';
import { compileUsernamePattern, normalizeUsername, validateUsername } from './username-rules.js';
import type { AuthenticateModel, AuthenticateResult, Authenticator, AuthModel, HookUser, LoginData } from './types.js';

/** The options every authenticator reads (JupyterHub's `Authenticator` traits). */
export type BaseAuthenticatorConfig = Pick<AuthenticatorConfig,
  'admin_users' | 'allowed_users' | 'blocked_users' | 'username_map' | 'username_pattern' | 'post_auth_hook' |
  'manage_groups' | 'enable_auth_state' | 'auto_login'>;

export interface AuthenticatorOptions<C extends BaseAuthenticatorConfig = BaseAuthenticatorConfig> {
  config: C;
  log: Logger;
}

/**
 * JupyterHub's Authenticator base class: everything but `authenticate`. The allowed set is live, as in
 * JupyterHub: `addUser` puts a user added through the API or the admin page into it (when it is in use), so
 * they can log in afterwards.
 */
export abstract class BaseAuthenticator implements Authenticator {
  abstract readonly className: string;
  readonly loginService: string = '';
  protected readonly log: Logger;
  protected readonly adminUsers: ReadonlySet<string>;
  protected readonly allowedUsers: Set<string>;
  protected readonly blockedUsers: ReadonlySet<string>;
  private readonly usernameMap: Readonly<Record<string, string>>;
  private readonly usernameRegex: RegExp | null;
  private readonly postAuthHook: ConfigFunction | null;
  private readonly flags: { manageGroups: boolean; enableAuthState: boolean; autoLogin: boolean };

  constructor(opts: AuthenticatorOptions) {
    const c = opts.config;
    this.log = opts.log;
    this.usernameMap = c.username_map;
    // app.py init_users forces normalisation of both sets: login compares normalised names.
    this.adminUsers = new Set(c.admin_users.map((n) => normalizeUsername(n, this.usernameMap)));
    this.allowedUsers = new Set(c.allowed_users.map((n) => normalizeUsername(n, this.usernameMap)));
    this.blockedUsers = new Set(c.blocked_users);
    this.usernameRegex = compileUsernamePattern(c.username_pattern);
    this.postAuthHook = c.post_auth_hook;
    this.flags = { manageGroups: c.manage_groups, enableAuthState: c.enable_auth_state, autoLogin: c.auto_login };
    const short = [...this.allowedUsers].filter((n) => n.length <= 1).sort();
    if (short.length > 0) this.log.warn(`Allowed set contains single-character names: ${short.slice(0, 8).join(', ')}; did you mean a list of names rather than one string?`);
  }

  get manageGroups(): boolean {
    return this.flags.manageGroups;
  }

  get enableAuthState(): boolean {
    return this.flags.enableAuthState;
  }

  get autoLogin(): boolean {
    return this.flags.autoLogin;
  }

  abstract authenticate(data: LoginData, req: http.IncomingMessage | null): Promise<AuthenticateResult>;

  normalizeUsername(name: string): string {
    return normalizeUsername(name, this.usernameMap);
  }

  validateUsername(name: string): boolean {
    return validateUsername(name, this.usernameRegex);
  }

  /** No allowed_users means everyone may log in (JupyterHub 3.0; 5.0 changed this with allow_all). */
  async checkAllowed(name: string, _auth: AuthModel): Promise<boolean> {
    return this.allowedUsers.size === 0 || this.allowedUsers.has(name);
  }

  async checkBlockedUsers(name: string, _auth: AuthModel): Promise<boolean> {
    return !this.blockedUsers.has(name);
  }

  async isAdmin(_req: http.IncomingMessage | null, auth: AuthModel): Promise<boolean | null> {
    return this.adminUsers.has(auth.name) ? true : null;
  }

  async getAuthenticatedUser(data: LoginData, req: http.IncomingMessage | null): Promise<AuthModel | null> {
    const raw = await this.authenticate(data, req);
    if (raw === null) return null;
    const auth = toAuthModel(raw);
    auth.name = this.normalizeUsername(auth.name);
    const name = auth.name;
    if (!this.validateUsername(name)) {
      this.log.warn(`Disallowing invalid username ${JSON.stringify(name)}.`);
      return null;
    }
    // Blocked is decided before allowed, and both before any admin lookup, as in JupyterHub.
    if (!(await this.checkBlockedUsers(name, auth))) {
      this.log.warn(`User ${JSON.stringify(name)} blocked. Stop authentication`);
      return null;
    }
    if (!(await this.checkAllowed(name, auth))) {
      this.log.warn(`User ${JSON.stringify(name)} not allowed.`);
      return null;
    }
    if (auth.admin === null) auth.admin = await this.isAdmin(req, auth);
    return this.runPostAuthHook(req, auth);
  }

  /** `post_auth_hook(authenticator, req, authentication)`; must return the (possibly changed) authentication. */
  protected async runPostAuthHook(req: http.IncomingMessage | null, auth: AuthModel): Promise<AuthModel> {
    if (this.postAuthHook === null) return auth;
    const hook = this.postAuthHook as unknown as (a: Authenticator, r: http.IncomingMessage | null, auth: AuthModel) => unknown;
    const out = await hook(this, req, auth);
    if (typeof out !== 'object' || out === null || typeof (out as { name?: unknown }).name !== 'string') {
      throw new HubError('CONFIG_INVALID', 'Authenticator.post_auth_hook must return the authentication object (with its name)', {
        hint: 'End the hook with `return authentication;`',
      });
    }
    return toAuthModel(out as AuthenticateResult);
  }

  async addUser(name: string): Promise<void> {
    if (!this.validateUsername(name)) throw new HubError('USAGE', `Invalid username: ${name}`);
    if (this.allowedUsers.size > 0) this.allowedUsers.add(name);
  }

  async deleteUser(name: string): Promise<void> {
    this.allowedUsers.delete(name);
  }

  async preSpawnStart(_user: HookUser, _serverName: string): Promise<void> {}

  async postSpawnStop(_user: HookUser, _serverName: string): Promise<void> {}

  customHtml(_hubPrefix: string): string {
    return '';
  }

  loginUrl(hubPrefix: string): string {
    return `${hubPrefix}login`;
  }

  logoutUrl(hubPrefix: string): string {
    return `${hubPrefix}logout`;
  }

  get refreshesUsers(): boolean {
    return false;
  }

  /** Nothing to refresh by default (JupyterHub's Authenticator.refresh_user returns True). */
  async refreshUser(_user: HookUser, _req: http.IncomingMessage | null): Promise<boolean | AuthenticateModel> {
    return true;
  }
}

/** JupyterHub's `authenticated = {'name': authenticated}` plus defaults, with the types checked. */
export function toAuthModel(raw: AuthenticateResult): AuthModel {
  if (typeof raw === 'string') return { name: raw, admin: null, groups: null, auth_state: null };
  if (raw === null || typeof raw !== 'object' || typeof raw.name !== 'string') {
    throw new HubError('INTERNAL', `authenticator returned no user name: ${JSON.stringify(raw)}`);
  }
  const admin = typeof raw.admin === 'boolean' ? raw.admin : null;
  const groups = Array.isArray(raw.groups) ? raw.groups.filter((g): g is string => typeof g === 'string') : null;
  const state = raw.auth_state;
  const authState = typeof state === 'object' && state !== null && !Array.isArray(state) ? state : null;
  return { name: raw.name, admin, groups, auth_state: authState };
}
