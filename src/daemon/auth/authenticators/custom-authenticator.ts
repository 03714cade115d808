import type http from 'node:http';
import { HubError } from '../../../lib/errors.js';
import type { AuthenticatorConfig, HubConfig } from '../../../lib/config/index.js';
import type { Logger } from '../../../lib/log.js';
import { BaseAuthenticator } from './base-authenticator.js';
import type { AuthenticateModel, AuthenticateResult, AuthModel, HookUser, LoginData } from './types.js';

/**
 * An authenticator from a JS module or a JS/TS config file (`authenticator_class: './my-auth.js'` or the class
 * itself). The contract is small on purpose:
 *
 *   export default class MyAuthenticator {
 *     constructor({ config, hubConfig, log }) {}            // config: the Authenticator section
 *     async authenticate({ username, password }, req) {}   // -> name | { name, admin?, groups?, auth_state? } | null
 *   }
 *
 * Everything else is optional: define any of normalizeUsername, validateUsername, checkAllowed,
 * checkBlockedUsers, isAdmin, addUser, deleteUser, preSpawnStart, postSpawnStop, customHtml, loginUrl,
 * logoutUrl, className, loginService to replace hub's version of that step. The pipeline itself
 * (allowed_users, blocked_users, admin_users, username_pattern, post_auth_hook) always runs around it, so a custom
 * class cannot forget a check. A factory function returning such an object works too.
 * `preSpawnStart(user, serverName, spawner)` gets JupyterHub's `user.get_auth_state()` as `await
 * user.getAuthState()` (null unless enable_auth_state stored one at login), and as its third argument the spawner
 * object JupyterHub's pre_spawn_start(user, spawner) gets (spawner-object.ts), whose `environment` and other
 * attributes the spawn then uses; postSpawnStop likewise. `refreshUser(user, req)` is JupyterHub's refresh_user
 * (see auth-refresh.ts for when the hub calls it).
 */
export interface CustomAuthenticatorInit {
  config: AuthenticatorConfig;
  hubConfig: HubConfig;
  log: Logger;
}

type Method = (...args: unknown[]) => unknown;

function method(obj: Record<string, unknown>, name: string): Method | null {
  const v = obj[name];
  return typeof v === 'function' ? (v as Method).bind(obj) : null;
}

function isClass(fn: (...args: never[]) => unknown): boolean {
  if (/^class[\s{]/.test(Function.prototype.toString.call(fn))) return true;
  const proto: unknown = fn.prototype;
  return typeof proto === 'object' && proto !== null && typeof (proto as Record<string, unknown>).authenticate === 'function';
}

/** Builds the user's object from a class or a factory function. */
export function instantiateCustom(value: unknown, init: CustomAuthenticatorInit, origin: string): Record<string, unknown> {
  if (typeof value !== 'function') {
    throw new HubError('CONFIG_INVALID', `${origin} does not export an authenticator class`, { hint: 'Export the class as the default export: `export default class MyAuthenticator { async authenticate(data, req) {...} }`' });
  }
  const ctor = value as new (init: CustomAuthenticatorInit) => unknown;
  const made: unknown = isClass(value as (...args: never[]) => unknown) ? new ctor(init) : (value as (init: CustomAuthenticatorInit) => unknown)(init);
  if (typeof made !== 'object' || made === null || typeof (made as Record<string, unknown>).authenticate !== 'function') {
    throw new HubError('CONFIG_INVALID', `${origin} made an object without an authenticate(data, req) method`, { hint: 'Give the class an `async authenticate({ username, password }, req)` method.' });
  }
  return made as Record<string, unknown>;
}

export class CustomAuthenticator extends BaseAuthenticator {
  readonly className: string;
  override readonly loginService: string;
  private readonly inner: Record<string, unknown>;

  constructor(inner: Record<string, unknown>, init: CustomAuthenticatorInit) {
    super({ config: init.config, log: init.log });
    this.inner = inner;
    const cls = inner.className;
    const ctorName = (inner.constructor as { name?: unknown } | undefined)?.name;
    this.className = typeof cls === 'string' ? cls : typeof ctorName === 'string' && ctorName !== 'Object' ? ctorName : 'CustomAuthenticator';
    this.loginService = typeof inner.loginService === 'string' ? inner.loginService : '';
  }

  private call(name: string, args: unknown[]): { found: true; value: unknown } | { found: false } {
    const m = method(this.inner, name);
    return m === null ? { found: false } : { found: true, value: m(...args) };
  }

  async authenticate(data: LoginData, req: http.IncomingMessage | null): Promise<AuthenticateResult> {
    const r = this.call('authenticate', [data, req]);
    return r.found ? ((await r.value) as AuthenticateResult) : null;
  }

  override normalizeUsername(name: string): string {
    const r = this.call('normalizeUsername', [name]);
    return r.found && typeof r.value === 'string' ? r.value : super.normalizeUsername(name);
  }

  override validateUsername(name: string): boolean {
    const r = this.call('validateUsername', [name]);
    return r.found ? r.value === true : super.validateUsername(name);
  }

  override async checkAllowed(name: string, auth: AuthModel): Promise<boolean> {
    const r = this.call('checkAllowed', [name, auth]);
    return r.found ? (await r.value) === true : super.checkAllowed(name, auth);
  }

  override async checkBlockedUsers(name: string, auth: AuthModel): Promise<boolean> {
    const r = this.call('checkBlockedUsers', [name, auth]);
    return r.found ? (await r.value) === true : super.checkBlockedUsers(name, auth);
  }

  override async isAdmin(req: http.IncomingMessage | null, auth: AuthModel): Promise<boolean | null> {
    const r = this.call('isAdmin', [req, auth]);
    if (!r.found) return super.isAdmin(req, auth);
    const v: unknown = await r.value;
    return typeof v === 'boolean' ? v : null;
  }

  override async addUser(name: string): Promise<void> {
    await super.addUser(name);
    const r = this.call('addUser', [name]);
    if (r.found) await r.value;
  }

  override async deleteUser(name: string): Promise<void> {
    const r = this.call('deleteUser', [name]);
    if (r.found) await r.value;
    await super.deleteUser(name);
  }

  override async preSpawnStart(user: HookUser, serverName: string, spawner?: unknown): Promise<void> {
    const r = this.call('preSpawnStart', [user, serverName, spawner]);
    if (r.found) await r.value;
  }

  override async postSpawnStop(user: HookUser, serverName: string, spawner?: unknown): Promise<void> {
    const r = this.call('postSpawnStop', [user, serverName, spawner]);
    if (r.found) await r.value;
  }

  override customHtml(hubPrefix: string): string {
    const r = this.call('customHtml', [hubPrefix]);
    return r.found && typeof r.value === 'string' ? r.value : '';
  }

  override loginUrl(hubPrefix: string): string {
    const r = this.call('loginUrl', [hubPrefix]);
    return r.found && typeof r.value === 'string' ? r.value : super.loginUrl(hubPrefix);
  }

  override logoutUrl(hubPrefix: string): string {
    const r = this.call('logoutUrl', [hubPrefix]);
    return r.found && typeof r.value === 'string' ? r.value : super.logoutUrl(hubPrefix);
  }

  override get refreshesUsers(): boolean {
    return method(this.inner, 'refreshUser') !== null;
  }

  /** `refreshUser(user, req)`: true, false, or `{ admin?, groups?, auth_state? }`; anything else counts as false. */
  override async refreshUser(user: HookUser, req: http.IncomingMessage | null): Promise<boolean | AuthenticateModel> {
    const r = this.call('refreshUser', [user, req]);
    if (!r.found) return super.refreshUser(user, req);
    const v: unknown = await r.value;
    if (v === true) return true;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return { ...(v as Record<string, unknown>), name: user.name } as AuthenticateModel;
    return false;
  }
}
