/**
 * OAuth clients of services (app.py init_services) and the start-up cleanup (app.py cleanup_oauth_clients).
 * A service uses OAuth when it has a `url` or an `oauth_redirect_uri` (or names an `oauth_client_id`, which the
 * services table then refers to); its client's secret is its `api_token`, its allowed scopes are
 * `oauth_client_allowed_scopes` (or, failing those, the scopes of `oauth_roles`) plus access to the service.
 * Clients that belong to no service, no spawner and are not `jupyterhub` are deleted with their tokens.
 */
import type { Knex } from 'knex';
import type { HubConfig } from '../../../lib/config/index.js';
import { HubError } from '../../../lib/errors.js';
import type { Logger } from '../../../lib/log.js';
import { asRows, readString } from '../../db/row.js';
import { deleteOAuthClient, HUB_OAUTH_CLIENT_ID, listOAuthClientIds } from '../../db/oauth-clients-repo.js';
import { defaultRole } from '../scopes/index.js';
import { registerClient } from './client-registry.js';
import { SERVICE_CLIENT_PREFIX, serviceClientId } from './client-ids.js';
import { serviceHost, servicePrefix } from '../../services/service-urls.js';

export interface ServiceOAuthSpec {
  name: string;
  clientId: string;
  secret: string;
  redirectUri: string;
  allowedScopes: string[];
  noConfirm: boolean;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Scopes of roles named in `oauth_roles`: load_roles first, then the default roles; unknown names are skipped. */
function roleScopes(config: HubConfig, names: readonly string[]): string[] {
  const out = new Set<string>();
  for (const name of names) {
    const loaded = config.JupyterHub.load_roles.find((r) => r.name === name);
    const scopes = loaded !== undefined ? strings(loaded.scopes) : [...(defaultRole(name)?.scopes ?? [])];
    for (const s of scopes) out.add(s);
  }
  return [...out];
}

function allowedScopesOf(config: HubConfig, raw: Record<string, unknown>, name: string, log?: Logger): string[] {
  const scopes = new Set(strings(raw.oauth_client_allowed_scopes));
  const roles = strings(raw.oauth_roles);
  if (roles.length > 0 && scopes.size > 0) {
    log?.warn(`Ignoring oauth_roles for ${name}: ${roles.join(', ')}, using oauth_client_allowed_scopes=${[...scopes].join(', ')}.`);
  } else {
    for (const s of roleScopes(config, roles)) scopes.add(s);
  }
  scopes.add(`access:services!service=${name}`);
  return [...scopes].sort();
}

/** The OAuth side of each configured service that uses OAuth, in config order. */
export function serviceOAuthSpecs(config: HubConfig, log?: Logger): ServiceOAuthSpec[] {
  const out: ServiceOAuthSpec[] = [];
  for (const raw of config.JupyterHub.services) {
    const name = text(raw.name);
    const url = text(raw.url);
    const explicitId = text(raw.oauth_client_id);
    // The same test config-tokens.ts applies when it links services.oauth_client_id: the two must agree.
    const usesOAuth = [raw.url, raw.oauth_redirect_uri, raw.oauth_client_id].some((v) => typeof v === 'string');
    if (name === '' || !usesOAuth) continue;
    if (explicitId !== '' && !explicitId.startsWith(SERVICE_CLIENT_PREFIX)) {
      throw new HubError('CONFIG_INVALID', `service ${name} has oauth_client_id='${explicitId}'. Service oauth client ids must start with 'service-'`,
        { hint: `Remove oauth_client_id from the service (the default is service-${name}) or make it start with service-.` });
    }
    const defaultRedirect = url === '' ? '' : `${serviceHost(config)}${servicePrefix(config.JupyterHub.base_url, name)}oauth_callback`;
    out.push({
      name,
      clientId: explicitId || serviceClientId(name),
      secret: text(raw.api_token),
      redirectUri: text(raw.oauth_redirect_uri) || defaultRedirect,
      allowedScopes: allowedScopesOf(config, raw, name, log),
      noConfirm: raw.oauth_no_confirm === true,
    });
  }
  return out;
}

/**
 * Create or update every service's client, then delete clients nobody owns. Run at start, before the services
 * rows point at their clients (the foreign key needs the client first).
 */
export async function syncServiceOAuthClients(db: Knex, config: HubConfig, log: Logger): Promise<void> {
  const specs = serviceOAuthSpecs(config, log);
  for (const s of specs) {
    await registerClient(db, { id: s.clientId, secret: s.secret, redirectUri: s.redirectUri, allowedScopes: s.allowedScopes, description: `JupyterHub service ${s.name}` });
  }
  const spawnerClients = asRows(await db('spawners').whereNotNull('oauth_client_id').select('oauth_client_id')).map((r) => readString(r, 'oauth_client_id'));
  const keep = new Set([HUB_OAUTH_CLIENT_ID, ...specs.map((s) => s.clientId), ...spawnerClients]);
  for (const id of await listOAuthClientIds(db)) {
    if (keep.has(id)) continue;
    log.warn(`Deleting OAuth client ${id}`);
    await deleteOAuthClient(db, id);
  }
}
