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
  /** A refresh changed a user (admin flag, groups): cached identities must be worked out again. */
  onUserChanged?: () => void;
}

type Outcome = UserRow | null;

export class AuthRefresher {
  private readonly refreshed = new Map<string, number>();
  /** One refresh per user at a time: concurrent requests of a stale user share it. */
  private readonly inflight = new Map<string, Promise<Outcome>>();
  /** At most once per user per request, as JupyterHub's `_refreshed_users`: a request's later look-ups reuse it. */
  private readonly perRequest = new WeakMap<http.IncomingMessage, Map<string, Outcome>>();
  private readonly d: AuthRefreshDeps;

  constructor(d: AuthRefreshDeps) {
    this.d = d;
  }

  /** Does refreshing do anything here? (an authenticator with its own refresh_user, and a non-zero age) */
  get active(): boolean {
    return this.d.authenticator.refreshesUsers && this.d.ageSeconds > 0;
  }

  /** The user, updated if the refresh returned a model; null when they must log in again. */
  async refresh(user: UserRow, req: http.IncomingMessage | null, force = false): Promise<Outcome> {
    if (!this.active) return user;
    const seen = req === null ? undefined : this.perRequest.get(req)?.get(user.name);
    if (seen !== undefined) return seen;
    const last = this.refreshed.get(user.name);
    if (!force && last !== undefined && performance.now() - last < this.d.ageSeconds * 1000) return user;
    let running = this.inflight.get(user.name);
    if (running === undefined) {
      running = this.run(user, req).finally(() => this.inflight.delete(user.name));
      this.inflight.set(user.name, running);
    }
    const outcome = await running;
    if (req !== null) {
      const memo = this.perRequest.get(req) ?? new Map<string, Outcome>();
      memo.set(user.name, outcome);
      this.perRequest.set(req, memo);
    }
    return outcome;
  }

  private async run(user: UserRow, req: http.IncomingMessage | null): Promise<Outcome> {
    const now = performance.now();
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
    const updated = await authToUser(this.d.db, this.d.authenticator, model, this.d.log, this.d.keeper);
    this.d.onUserChanged?.();
    return updated;
  }
}
