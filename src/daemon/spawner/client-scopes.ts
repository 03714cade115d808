import type { Knex } from 'knex';
import type { Logger } from '../../lib/log.js';
import { getRoleByName } from '../db/roles-repo.js';
import { defaultRole } from '../auth/scopes/index.js';
import { accessScopes } from './singleuser-contract.js';
import type { HookSpawner } from './spawner-object.js';

/**
 * spawner.py _get_oauth_client_allowed_scopes: what a server's OAuth client may grant. The spawner's
 * oauth_client_allowed_scopes (a list, or a function of the spawner, async allowed), else the scopes of the
 * roles in the deprecated oauth_roles (an unknown role fails the spawn, as JupyterHub's ValueError), plus always
 * access to the server itself. `configured` is oauth_client_allowed_scopes alone, which JupyterHub also puts in
 * JUPYTERHUB_OAUTH_CLIENT_ALLOWED_SCOPES (for a function, hub writes what it returned; JupyterHub's json.dumps
 * of the function fails the spawn).
 */
export async function serverClientScopes(o: { db: Knex; log: Logger; spawner: HookSpawner; user: string; server: string }): Promise<{ allowed: string[]; configured: string[] }> {
  const configured = await scopesOf('oauth_client_allowed_scopes', o.spawner.oauth_client_allowed_scopes, o.spawner);
  const scopes = new Set(configured);
  const roles = await scopesOf('oauth_roles', o.spawner.oauth_roles, o.spawner);
  if (roles.length > 0 && configured.length > 0) {
    o.log.warn(`Ignoring deprecated Spawner.oauth_roles=${JSON.stringify(roles)} in favor of Spawner.oauth_client_allowed_scopes.`);
  } else if (roles.length > 0) {
    const found = await Promise.all(roles.map(async (name) => (await getRoleByName(o.db, name)) ?? defaultRole(name) ?? null));
    const missing = roles.filter((_, i) => found[i] === null);
    if (missing.length > 0) throw new Error(`No such role(s): ${missing.join(', ')} (Spawner.oauth_roles)`);
    for (const role of found) for (const s of role?.scopes ?? []) scopes.add(s);
  }
  for (const s of accessScopes(o.user, o.server)) scopes.add(s);
  return { allowed: [...scopes].sort(), configured };
}

/** A list option that may be a function of the spawner; what it gives must be a list of strings. */
async function scopesOf(option: string, value: unknown, spawner: unknown): Promise<string[]> {
  const out: unknown = typeof value === 'function' ? await (value as (s: unknown) => unknown)(spawner) : value;
  if (out === null || out === undefined) return [];
  if (!Array.isArray(out) || !out.every((s): s is string => typeof s === 'string')) {
    throw new Error(`Spawner.${option} must give a list of strings, got ${JSON.stringify(out) ?? typeof out}`);
  }
  return out;
}
