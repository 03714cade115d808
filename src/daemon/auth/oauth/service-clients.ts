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
import { SERVICE_CLIENT_PREFIX } from './client-ids.js';
import { serviceHost, servicePrefix } from '../../services/service-urls.js';
import { parseServiceSpecs, type ServiceSpec } from '../../services/service-spec.js';

export interface ServiceOAuthSpec {
  name: string;
  clientId: string;
  secret: string;
  redirectUri: string;
  allowedScopes: string[];
  noConfirm: boolean;
}

/** Scopes of roles named in `oauth_roles`: load_roles first, then the default roles; unknown names are skipped. */
function roleScopes(config: HubConfig, names: readonly string[]): string[] {
  const out = new Set<string>();
  for (const name of names) {
    const loaded = config.JupyterHub.load_roles.find((r) => r.name === name);
    const scopes = loaded !== undefined ? (Array.isArray(loaded.scopes) ? loaded.scopes.filter((v): v is string => typeof v === 'string') : []) : [...(defaultRole(name)?.scopes ?? [])];
    for (const s of scopes) out.add(s);
  }
  return [...out];
}

function allowedScopesOf(config: HubConfig, spec: ServiceSpec, log?: Logger): string[] {
  const scopes = new Set(spec.oauthClientAllowedScopes);
  if (spec.oauthRoles.length > 0 && scopes.size > 0) {
    log?.warn(`Ignoring oauth_roles for ${spec.name}: ${spec.oauthRoles.join(', ')}, using oauth_client_allowed_scopes=${[...scopes].join(', ')}.`);
  } else {
    for (const s of roleScopes(config, spec.oauthRoles)) scopes.add(s);
  }
  scopes.add(`access:services!service=${spec.name}`);
  return [...scopes].sort();
}

/**
 * The OAuth side of each configured service that uses OAuth, in config order. Which services those are comes
 * from the parsed specs (oauthClientId set), the same that link services.oauth_client_id, so the two agree.
 */
export function serviceOAuthSpecs(config: HubConfig, log?: Logger): ServiceOAuthSpec[] {
  const out: ServiceOAuthSpec[] = [];
  for (const spec of parseServiceSpecs(config)) {
    const clientId = spec.oauthClientId;
    if (clientId === null) continue;
    if (!clientId.startsWith(SERVICE_CLIENT_PREFIX)) {
      throw new HubError('CONFIG_INVALID', `service ${spec.name} has oauth_client_id='${clientId}'. Service oauth client ids must start with 'service-'`,
        { hint: `Remove oauth_client_id from the service (the default is service-${spec.name}) or make it start with service-.` });
    }
    const defaultRedirect = spec.url === '' ? '' : `${serviceHost(config)}${servicePrefix(config.JupyterHub.base_url, spec.name)}oauth_callback`;
    out.push({
      name: spec.name,
      clientId,
      secret: spec.apiToken ?? '',
      redirectUri: spec.oauthRedirectUri || defaultRedirect,
      allowedScopes: allowedScopesOf(config, spec, log),
      noConfirm: spec.oauthNoConfirm,
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
