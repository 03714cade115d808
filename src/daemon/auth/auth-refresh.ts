/**
 * JupyterHub's refresh_auth: a user whose auth info is older than Authenticator.auth_refresh_age is refreshed
 * through the authenticator's refresh_user on their next request (token or cookie); false makes the request
 * anonymous ("login is required to refresh"), a model updates the user as a login would (auth_to_user). With
 * Authenticator.refresh_pre_spawn every spawn forces a refresh first, and a failed one refuses the spawn (403).
 * auth_refresh_age 0 turns all of it off, as in JupyterHub. Refresh times are kept in memory, so a restarted hub
 * refreshes everyone once.
 */
import type http from 'node:http';
import type { Knex } from 'knex';
import type { Logger } from '../../lib/log.js';
import type { UserRow } from '../db/users-repo.js';
import { authToUser } from './authenticators/auth-to-user.js';
import { toAuthModel } from './authenticators/base-authenticator.js';
import { hookUser } from './authenticators/spawn-hooks.js';
import type { Authenticator } from './authenticators/types.js';
import type { CryptKeeper } from './crypt-keeper.js';
import { getAuthState } from './auth-state.js';

export interface AuthRefreshDeps {
  db: Knex;
  authenticator: Authenticator;
  keeper: CryptKeeper;
  log: Logger;
  /** Authenticator.auth_refresh_age, seconds. */
  ageSeconds: number;
}

export class AuthRefresher {
  private readonly refreshed = new Map<string, number>();
  private readonly d: AuthRefreshDeps;

  constructor(d: AuthRefreshDeps) {
    this.d = d;
  }

  /** Does refreshing do anything here? (an authenticator with its own refresh_user, and a non-zero age) */
  get active(): boolean {
    return this.d.authenticator.refreshesUsers && this.d.ageSeconds > 0;
  }

  /** The user, updated if the refresh returned a model; null when they must log in again. */
  async refresh(user: UserRow, req: http.IncomingMessage | null, force = false): Promise<UserRow | null> {
    if (!this.active) return user;
    const now = performance.now();
    const last = this.refreshed.get(user.name);
    if (!force && last !== undefined && now - last < this.d.ageSeconds * 1000) return user;
    this.d.log.debug(`Refreshing auth for ${user.name}`);
    const info = await this.d.authenticator.refreshUser(hookUser(user.name, this.d), req);
    if (info === false) {
      this.d.log.warn(`User ${user.name} has stale auth info. Login is required to refresh.`);
      return null;
    }
    this.refreshed.set(user.name, now);
    if (info === true) return user;
    const model = toAuthModel({ ...info, name: user.name });
    // No auth_state in the refresh: keep the stored one instead of clearing it.
    if (!Object.hasOwn(info, 'auth_state')) {
      const stored = await getAuthState(this.d.db, this.d.keeper, user, this.d.log);
      model.auth_state = typeof stored === 'object' && stored !== null && !Array.isArray(stored) ? (stored as Record<string, unknown>) : null;
    }
    return authToUser(this.d.db, this.d.authenticator, model, this.d.log, this.d.keeper);
  }
}
