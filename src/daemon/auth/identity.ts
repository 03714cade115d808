import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { Logger } from '../../lib/log.js';
import { findToken, touchToken, type FoundToken } from '../db/tokens-repo.js';
import { getUserById, touchUserActivity, type UserRow } from '../db/users-repo.js';
import { listRolesOfService } from '../db/roles-repo.js';
import { userRoles } from './oauth/role-scopes.js';
import { defaultRole, NO_SCOPES, resolveTokenScopes, rolesToExpandedScopes, toExpandedScopes, type ExpandedScopes, type ScopeRegistry } from './scopes/index.js';
import type { Principal } from './principal.js';
import { groupMembership } from './group-membership.js';
import { isBlocked } from '../db/blocked-users-repo.js';
import { resolveClientRef } from './oauth/client-resolver.js';

/**
 * Turns a token (or a logged-in user) into a Principal. Token checks are on the hot path of every API call, so:
 * the lookup is by prefix (never a scan), verified principals are cached by a digest of the token for a short
 * time, and the cache is dropped whenever roles, groups, admin flags or tokens change (`invalidate()`).
 * Activity writes are throttled to `activity_resolution` seconds, as in JupyterHub.
 */
const CACHE_MS = 60_000;
const MAX_CACHE = 50_000;

interface CachedPrincipal {
  principal: Principal;
  generation: number;
  until: number;
}

export class IdentityService {
  private readonly db: Knex;
  private readonly registry: ScopeRegistry;
  private readonly log: Logger;
  private readonly activityResolutionMs: number;
  private readonly tokens = new Map<string, CachedPrincipal>();
  /**
   * Look-ups in flight, by token digest: a burst of requests with one token (a service starting 1,000 servers at
   * once) verifies it once, not once per request; an admin-chosen token costs 16384 hash rounds per check.
   */
  private readonly inflight = new Map<string, { generation: number; lookup: Promise<Principal | null> }>();
  private generation = 0;
  readonly operator: Principal;
  static readonly anonymous: Principal = { kind: 'anonymous', scopes: NO_SCOPES };

  constructor(opts: { db: Knex; registry: ScopeRegistry; log: Logger; activityResolutionSeconds: number }) {
    this.db = opts.db;
    this.registry = opts.registry;
    this.log = opts.log;
    this.activityResolutionMs = opts.activityResolutionSeconds * 1000;
    this.operator = { kind: 'operator', scopes: toExpandedScopes(Object.keys(opts.registry.definitions)) };
  }

  /** Call after any write that can change what someone may do. */
  invalidate(): void {
    this.generation++;
    this.tokens.clear();
  }

  async fromToken(token: string): Promise<Principal | null> {
    const key = createHash('sha256').update(token).digest('base64');
    const now = Date.now();
    const hit = this.tokens.get(key);
    if (hit && hit.generation === this.generation && hit.until > now && !expired(hit.principal, now)) {
      this.noteActivity(hit.principal, now);
      return hit.principal;
    }
    // Joined only within one generation: a look-up begun before an invalidate() may have read what it revoked.
    let flight = this.inflight.get(key);
    if (!flight || flight.generation !== this.generation) {
      const generation = this.generation;
      const lookup = this.lookUp(key, token, generation, now);
      flight = { generation, lookup };
      this.inflight.set(key, flight);
      const mine = flight;
      void lookup.finally(() => {
        if (this.inflight.get(key) === mine) this.inflight.delete(key);
      }).catch(() => undefined);
    }
    const principal = await flight.lookup;
    if (principal) this.noteActivity(principal, Date.now());
    return principal;
  }

  private async lookUp(key: string, token: string, generation: number, now: number): Promise<Principal | null> {
    const found = await findToken(this.db, token);
    if (!found || (found.token.expires_at && found.token.expires_at.getTime() <= now)) return null;
    const principal = await this.tokenPrincipal(found);
    if (!principal) return null;
    if (generation === this.generation) {
      if (this.tokens.size >= MAX_CACHE) this.tokens.clear();
      this.tokens.set(key, { principal, generation, until: now + CACHE_MS });
    }
    return principal;
  }

  /** The scopes a user holds through roles (direct, through groups, the default `user` role, `admin` if admin). */
  async userScopes(user: UserRow): Promise<ExpandedScopes> {
    const all = await userRoles(this.db, user);
    return rolesToExpandedScopes(all, { kind: 'user', name: user.name }, { registry: this.registry });
  }

  async forUser(user: UserRow, sessionId: string | null = null): Promise<Principal> {
    return { kind: 'user', user, scopes: await this.userScopes(user), token: null, sessionId };
  }

  private async tokenPrincipal(found: FoundToken): Promise<Principal | null> {
    const t = found.token;
    if (found.user) {
      // A blocked user's tokens stop working at once (the cache is invalidated when blocking).
      if (await isBlocked(this.db, found.user.id)) return null;
      const owner = { kind: 'user' as const, name: found.user.name };
      const ownerScopes = await this.userScopes(found.user);
      const inAnyGroup = await groupMembership(this.db, [ownerScopes, toExpandedScopes(t.scopes)]);
      const oauthClient = await resolveClientRef(this.db, t.client_id);
      const { scopes } = resolveTokenScopes({ tokenScopes: t.scopes, owner, ownerScopes, oauthClient, registry: this.registry, inAnyGroup });
      return { kind: 'user', user: found.user, scopes, token: t, sessionId: t.session_id };
    }
    if (found.service) {
      const owner = { kind: 'service' as const, name: found.service.name };
      const roles = await listRolesOfService(this.db, found.service.id);
      const withAdmin = found.service.admin && !roles.some((r) => r.name === 'admin') ? [...roles, defaultRole('admin')].filter((r) => r !== undefined) : roles;
      const ownerScopes = rolesToExpandedScopes(withAdmin, owner, { registry: this.registry });
      const { scopes } = resolveTokenScopes({ tokenScopes: t.scopes, owner, ownerScopes, registry: this.registry });
      return { kind: 'service', service: { ...found.service, oauth_client_id: null, pid: null }, scopes, token: t };
    }
    return null;
  }

  /**
   * Token and user last_activity, each at most once per activity_resolution and each judged by its own
   * last_activity (base.py get_current_user_token calls _record_activity for both); never on the request's
   * critical path.
   */
  private noteActivity(p: Principal, now: number): void {
    if (p.kind !== 'user' && p.kind !== 'service') return;
    const token = p.token;
    if (!token) return;
    const when = new Date(now);
    const writes: Promise<unknown>[] = [];
    if (this.due(token.last_activity, now)) {
      token.last_activity = when;
      writes.push(touchToken(this.db, token.id, when));
    }
    // Server tokens post activity for the server; that is not the user being active (JupyterHub skips it too).
    if (p.kind === 'user' && !(token.note ?? '').startsWith('Server at ') && this.due(p.user.last_activity, now)) {
      p.user.last_activity = when;
      writes.push(touchUserActivity(this.db, p.user.id, when));
    }
    if (writes.length > 0) Promise.all(writes).catch((err: unknown) => this.log.warn(`recording activity: ${err instanceof Error ? err.message : String(err)}`));
  }

  /** base.py _record_activity: always with activity_resolution 0 or no activity yet, else once it is exceeded. */
  private due(last: Date | null | undefined, now: number): boolean {
    return !last || this.activityResolutionMs === 0 || now - last.getTime() > this.activityResolutionMs;
  }

  /**
   * A request made with the login cookie is the user being active (base.py _user_for_cookie): their last_activity,
   * at most once per activity_resolution, as for tokens. The idle culler's --cull-users and the admin page read it.
   */
  noteUserActivity(user: UserRow): void {
    const now = Date.now();
    if (!this.due(user.last_activity, now)) return;
    const when = new Date(now);
    user.last_activity = when;
    touchUserActivity(this.db, user.id, when).catch((err: unknown) => this.log.warn(`recording activity: ${err instanceof Error ? err.message : String(err)}`));
  }

  async reloadUser(id: number): Promise<UserRow | null> {
    return getUserById(this.db, id);
  }
}

function expired(p: Principal, now: number): boolean {
  const t = p.kind === 'user' || p.kind === 'service' ? p.token : null;
  return t?.expires_at !== null && t?.expires_at !== undefined && t.expires_at.getTime() <= now;
}

/**
 * The server or service a token's OAuth client stands for, resolved through the database (spawners and services
 * link their client); see oauth/client-resolver.ts. Kept under this name for callers of the identity module.
 */
export const clientRef = resolveClientRef;
