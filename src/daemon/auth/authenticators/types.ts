import type http from 'node:http';

/**
 * The Authenticator seam (GUIDE decision 6), shaped like JupyterHub's `jupyterhub.auth.Authenticator`:
 * `authenticate()` turns login form data into a name (or an auth model); `getAuthenticatedUser()` is the outer
 * pipeline every login goes through (normalise -> validate -> blocked -> allowed -> admin -> post_auth_hook) and
 * is the one the login page calls. Built-ins: 'pam' (PAMAuthenticator), 'dummy' (DummyAuthenticator); any other
 * class comes from a JS module or a JS/TS config file (see custom-authenticator.ts for that contract).
 */

/** The login form's fields. `username` is already stripped of surrounding spaces; the password never is. */
export interface LoginData {
  username: string;
  password: string;
  [field: string]: string;
}

/** What `authenticate` may return, as in JupyterHub: a name, a model with a name, or null for "no". */
export type AuthenticateResult = string | AuthenticateModel | null;

export interface AuthenticateModel {
  name: string;
  admin?: boolean | null;
  groups?: string[] | null;
  auth_state?: Record<string, unknown> | null;
}

/** The normalised result of a successful login. `admin: null` means "leave the user's admin flag alone". */
export interface AuthModel {
  name: string;
  admin: boolean | null;
  groups: string[] | null;
  auth_state: Record<string, unknown> | null;
}

/** The user a spawn hook is about (JupyterHub passes its User object; only the name matters to built-ins). */
export interface HookUser {
  name: string;
  /**
   * JupyterHub's `await user.get_auth_state()`: the decrypted auth_state, or null. Present when the hub calls a
   * spawn hook (spawn-hooks.ts); a hook called by hand (tests, other callers) may not have it.
   */
  getAuthState?: () => Promise<unknown>;
}

export interface Authenticator {
  /** JupyterHub's class name ('PAMAuthenticator'), for logs and /hub/api/info. */
  readonly className: string;
  /** Non-empty: the login page shows "Sign in with <loginService>" instead of the password form. */
  readonly loginService: string;
  readonly autoLogin: boolean;
  readonly manageGroups: boolean;
  readonly enableAuthState: boolean;
  /** Turns form data into a user; null when the credentials are wrong. No allow/block checks here. */
  authenticate(data: LoginData, req: http.IncomingMessage | null): Promise<AuthenticateResult>;
  normalizeUsername(name: string): string;
  validateUsername(name: string): boolean;
  checkAllowed(name: string, auth: AuthModel): Promise<boolean>;
  checkBlockedUsers(name: string, auth: AuthModel): Promise<boolean>;
  isAdmin(req: http.IncomingMessage | null, auth: AuthModel): Promise<boolean | null>;
  /** The whole login pipeline; null for any failure (wrong password, invalid name, blocked, not allowed). */
  getAuthenticatedUser(data: LoginData, req: http.IncomingMessage | null): Promise<AuthModel | null>;
  /**
   * A user is being added to the hub (first login, POST /users, the admin page, hub start): the name must be
   * valid, and a LocalAuthenticator makes sure the unix account exists (creating it with create_system_users).
   * Throws HubError when the user cannot be added.
   */
  addUser(name: string): Promise<void>;
  deleteUser(name: string): Promise<void>;
  /** Before a server starts / after it stopped (PAM opens and closes sessions here when open_sessions is on). */
  preSpawnStart(user: HookUser, serverName: string, spawner?: unknown): Promise<void>;
  postSpawnStop(user: HookUser, serverName: string, spawner?: unknown): Promise<void>;
  /** HTML replacing the login form, when an authenticator brings its own. Trusted: it comes from the config. */
  customHtml(hubPrefix: string): string;
  loginUrl(hubPrefix: string): string;
  logoutUrl(hubPrefix: string): string;
  /**
   * JupyterHub's refresh_user: true (up to date), false (login again), or a new auth model (name ignored; without
   * auth_state the stored one is kept). `refreshesUsers` is false when the authenticator has no refresh of its own
   * (JupyterHub's default returns True), so the hub does no work for it.
   */
  readonly refreshesUsers: boolean;
  refreshUser(user: HookUser, req: http.IncomingMessage | null): Promise<boolean | AuthenticateModel>;
}
