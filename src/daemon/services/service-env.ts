/**
 * The environment of a managed service, as JupyterHub 3.0 builds it (services/service.py Service.start and its
 * _ServiceSpawner, a LocalProcessSpawner without config): the default env_keep, the service's token and OAuth
 * client, the hub's API URL, TLS files under internal_ssl, then the service's own `environment`, then its
 * name, URL and prefix, and last the account's USER/HOME/SHELL when it runs as a unix user. Unlike a user server
 * there is no activity URL. JupyterHub 3.0 sets JUPYTERHUB_SERVICE_URL to "http://127.0.0.1:0/" (its
 * default Server) for a service without a url; hub leaves it out, as there is nothing to listen on.
 */
import type { HubConfig } from '../../lib/config/index.js';
import type { TlsFiles } from '../spawner/spawner.js';
import type { UnixAccount } from '../spawner/unix-account.js';
import type { ServiceSpec } from './service-spec.js';
import { serviceHost, servicePrefix } from './service-urls.js';

/** Spawner.env_keep's default: services do not read Spawner config in JupyterHub. */
const ENV_KEEP = ['PATH', 'PYTHONPATH', 'CONDA_ROOT', 'CONDA_DEFAULT_ENV', 'VIRTUAL_ENV', 'LANG', 'LC_ALL', 'JUPYTERHUB_SINGLEUSER_APP'];

export interface ServiceEnvInput {
  config: HubConfig;
  spec: ServiceSpec;
  apiToken: string;
  hubApiUrl: string;
  processEnv: NodeJS.ProcessEnv;
  certs?: TlsFiles;
  account?: UnixAccount;
}

/** json.dumps of a list of strings, byte for byte (", " between items), as a service's scripts may compare it. */
function pythonJsonList(items: readonly string[]): string {
  return `[${items.map((i) => JSON.stringify(i)).join(', ')}]`;
}

export function serviceEnv(i: ServiceEnvInput): Record<string, string> {
  const { spec, config } = i;
  const env: Record<string, string> = {};
  for (const key of ENV_KEEP) {
    const v = i.processEnv[key];
    if (v !== undefined) env[key] = v;
  }
  const prefix = servicePrefix(config.JupyterHub.base_url, spec.name);
  const scopes = pythonJsonList(['access:services', `access:services!service=${spec.name}`]);
  Object.assign(env, {
    JUPYTERHUB_API_TOKEN: i.apiToken,
    JPY_API_TOKEN: i.apiToken,
    JUPYTERHUB_CLIENT_ID: spec.oauthClientId ?? `service-${spec.name}`,
    JUPYTERHUB_HOST: config.JupyterHub.subdomain_host,
    JUPYTERHUB_OAUTH_CALLBACK_URL: spec.url ? `${serviceHost(config)}${prefix}oauth_callback` : 'oauth_callback',
    JUPYTERHUB_OAUTH_SCOPES: scopes,
    JUPYTERHUB_OAUTH_ACCESS_SCOPES: scopes,
    JUPYTERHUB_OAUTH_CLIENT_ALLOWED_SCOPES: '[]',
    JUPYTERHUB_USER: spec.user,
    JUPYTERHUB_SERVER_NAME: '',
    JUPYTERHUB_API_URL: i.hubApiUrl,
    JUPYTERHUB_BASE_URL: config.JupyterHub.base_url,
  });
  if (i.certs) {
    env.JUPYTERHUB_SSL_KEYFILE = i.certs.keyfile;
    env.JUPYTERHUB_SSL_CERTFILE = i.certs.certfile;
    env.JUPYTERHUB_SSL_CLIENT_CA = i.certs.cafile;
  }
  // JupyterHub's order: the service's environment, then its name/url/prefix, then the account's variables.
  Object.assign(env, spec.environment, { JUPYTERHUB_SERVICE_NAME: spec.name });
  if (spec.url) Object.assign(env, { JUPYTERHUB_SERVICE_URL: spec.url, JUPYTERHUB_SERVICE_PREFIX: prefix });
  if (i.account) Object.assign(env, { USER: i.account.name, HOME: i.account.home, SHELL: i.account.shell });
  return env;
}
