import http from 'node:http';
import https from 'node:https';
import { formatString, type HubConfig } from '../../lib/config/index.js';
import { serverPublicUrl, urlEscapePath as escapePath } from '../user-host.js';
import { SpawnTimeoutError } from './spawn-timeout.js';
import type { SpawnSettings } from './spawner-object.js';

/**
 * The hub <-> single-user server contract (jupyterhub-facts.md section 3), in one place: names and URLs, the
 * environment, the server token's scopes, and the readiness check. Every spawner goes through this module.
 */

/** JupyterHub's url_escape_path (one implementation, user-host.ts). */
export { escapePath };

/** Python's urllib quote(s, safe='') as used for OAuth client ids. */
function quote(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function userPrefix(baseUrl: string, user: string): string {
  return `${baseUrl}user/${escapePath(user)}/`;
}

/** `/user/alice/` for the default server, `/user/alice/gpu/` for a named one. */
export function serverPrefix(baseUrl: string, user: string, server: string): string {
  return server === '' ? userPrefix(baseUrl, user) : `${userPrefix(baseUrl, user)}${escapePath(server)}/`;
}

export function oauthClientId(user: string, server: string): string {
  return server === '' ? `jupyterhub-user-${quote(user)}` : `jupyterhub-user-${quote(user)}-${quote(server)}`;
}

export function accessScopes(user: string, server: string): string[] {
  return [`access:servers!server=${user}/${server}`, `access:servers!user=${user}`];
}

/** The `server` role of JupyterHub 3.0: post activity and be reached by its owner. */
export const SERVER_TOKEN_SCOPES = ['users:activity!user', 'access:servers!user'];

export function progressUrl(baseUrl: string, user: string, server: string): string {
  const path = server === '' ? 'server/progress' : `servers/${escapePath(server)}/progress`;
  return `${baseUrl}hub/api/users/${escapePath(user)}/${path}`;
}

/** JupyterHub 3.0's Spawner.template_namespace (notebook_dir, default_url): the name as it is, and the server's prefix. */
export function templateNamespace(baseUrl: string, user: string, server: string): Record<string, string> {
  return { username: user, base_url: serverPrefix(baseUrl, user, server) };
}

/** Python's str(float), as JupyterHub writes CPU_LIMIT: '2.0' for 2, and the exponent form from 1e16 and below 1e-4. */
export function pythonFloat(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const abs = Math.abs(x);
  if (abs !== 0 && (abs >= 1e16 || abs < 1e-4)) {
    // toExponential() without digits gives the shortest mantissa that reads back as x, as Python's repr.
    const [mantissa = '', exp = '0'] = x.toExponential().split('e');
    const e = Number(exp);
    return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  // Between 1e-4 and 1e16 JavaScript writes plain digits too.
  return Number.isInteger(x) ? `${String(x)}.0` : String(x);
}

export interface EnvInput {
  config: HubConfig;
  user: string;
  server: string;
  apiToken: string;
  hubApiUrl: string;
  ip: string;
  port: number;
  adminAccess: boolean;
  processEnv: NodeJS.ProcessEnv;
  /** internal_ssl: the server's key, certificate and trust bundle, as the server's user sees them. */
  certs?: { keyfile: string; certfile: string; cafile: string };
  /** What a callable Spawner.environment value is called with (JupyterHub passes the spawner). */
  spawner?: unknown;
  /** The spawner's attributes after the hooks (spawner-object.ts); default the config's Spawner options. */
  settings?: SpawnSettings;
  /** Spawner.oauth_client_allowed_scopes as resolved for this spawn (a function's result); default the option's list. */
  clientAllowedScopes?: readonly string[];
}

export function buildEnv(i: EnvInput): Record<string, string> {
  const sp = i.settings ?? i.config.Spawner;
  const baseUrl = i.config.JupyterHub.base_url;
  const env: Record<string, string> = {};
  for (const key of sp.env_keep) {
    const v = i.processEnv[key];
    if (v !== undefined) env[key] = v;
  }
  const prefix = serverPrefix(baseUrl, i.user, i.server);
  const scopes = JSON.stringify(accessScopes(i.user, i.server));
  // spawner.py: url_path_join(hub_connect_url, <path of the hub's API URL>), so a path in hub_connect_url is kept.
  const apiUrl = sp.hub_connect_url ? `${sp.hub_connect_url.replace(/\/+$/, '')}/${new URL(i.hubApiUrl).pathname.replace(/^\/+/, '')}` : i.hubApiUrl;
  Object.assign(env, {
    JUPYTERHUB_API_TOKEN: i.apiToken,
    JPY_API_TOKEN: i.apiToken,
    JUPYTERHUB_CLIENT_ID: oauthClientId(i.user, i.server),
    JUPYTERHUB_HOST: i.config.JupyterHub.subdomain_host,
    // user.py `url`: absolute on the user's host with subdomain_host, where the browser comes back to.
    JUPYTERHUB_OAUTH_CALLBACK_URL: `${serverPublicUrl(i.config.JupyterHub.subdomain_host, baseUrl, i.user, i.server)}oauth_callback`,
    JUPYTERHUB_OAUTH_SCOPES: scopes,
    JUPYTERHUB_OAUTH_ACCESS_SCOPES: scopes,
    JUPYTERHUB_OAUTH_CLIENT_ALLOWED_SCOPES: JSON.stringify(i.clientAllowedScopes ?? (Array.isArray(sp.oauth_client_allowed_scopes) ? sp.oauth_client_allowed_scopes : [])),
    JUPYTERHUB_USER: i.user,
    JUPYTERHUB_SERVER_NAME: i.server,
    JUPYTERHUB_API_URL: apiUrl,
    JUPYTERHUB_ACTIVITY_URL: `${apiUrl}/users/${escapePath(i.user)}/activity`,
    JUPYTERHUB_BASE_URL: baseUrl,
    JUPYTERHUB_SERVICE_PREFIX: prefix,
    JUPYTERHUB_SERVICE_URL: `${i.certs ? 'https' : 'http'}://${i.ip}:${i.port}${prefix}`,
  });
  if (i.certs) {
    env.JUPYTERHUB_SSL_KEYFILE = i.certs.keyfile;
    env.JUPYTERHUB_SSL_CERTFILE = i.certs.certfile;
    env.JUPYTERHUB_SSL_CLIENT_CA = i.certs.cafile;
  }
  if (i.adminAccess) env.JUPYTERHUB_ADMIN_ACCESS = '1';
  // spawner.py get_env: the hub's cookie_options, for the server's own cookies (tornado's names; expires in Unix seconds).
  const cookieOptions = i.config.JupyterHub.tornado_settings.cookie_options;
  if (Object.keys(cookieOptions).length > 0) env.JUPYTERHUB_COOKIE_OPTIONS = JSON.stringify(cookieOptions);
  if (sp.mem_limit) env.MEM_LIMIT = String(sp.mem_limit);
  if (sp.mem_guarantee) env.MEM_GUARANTEE = String(sp.mem_guarantee);
  // cpu_* are Float traits: JupyterHub writes str(2.0), '2.0'.
  if (sp.cpu_limit) env.CPU_LIMIT = pythonFloat(sp.cpu_limit);
  if (sp.cpu_guarantee) env.CPU_GUARANTEE = pythonFloat(sp.cpu_guarantee);
  const ns = templateNamespace(baseUrl, i.user, i.server);
  if (sp.notebook_dir) env.JUPYTERHUB_ROOT_DIR = formatString(sp.notebook_dir, ns);
  if (sp.default_url) env.JUPYTERHUB_DEFAULT_URL = formatString(sp.default_url, ns);
  if (sp.debug) env.JUPYTERHUB_DEBUG = '1';
  if (sp.disable_user_config) env.JUPYTERHUB_DISABLE_USER_CONFIG = '1';
  // Last, so they win over everything above, as in JupyterHub; a callable is called at each spawn with the spawner.
  const spawner = i.spawner ?? { user: { name: i.user }, name: i.server };
  for (const [key, value] of Object.entries(sp.environment)) {
    env[key] = typeof value === 'function' ? String((value as (s: unknown) => unknown)(spawner)) : String(value);
  }
  return env;
}

const readinessAgent = new http.Agent({ keepAlive: false });

/**
 * JupyterHub's wait_for_http_server: GET the server's prefix without following redirects; any status below 500
 * means it is up. Connection errors and 5xx are retried until `timeoutMs` with utils.exponential_backoff's
 * waits: uniformly random in [0, 0.2 s x 2^i], at most 5 s ("full jitter", so a storm of spawns does not probe
 * in lockstep, and a server that binds a moment after the first probe is seen ~0.1 s later on average).
 * `alive()` lets a dead process end the wait at once instead of after the whole timeout.
 */
export async function waitForHttpServer(url: string, timeoutMs: number, alive: () => Promise<boolean>, tlsAgent?: https.Agent, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let scale = 1;
  for (;;) {
    const status = await probe(url, Math.max(1000, Math.min(5000, deadline - Date.now())), tlsAgent);
    if (status !== null && status < 500) return;
    signal?.throwIfAborted();
    if (!(await alive())) throw new Error('the server process exited before it answered');
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new SpawnTimeoutError(`the server did not answer at ${url} within ${Math.round(timeoutMs / 1000)} s (http_timeout)`);
    const wait = Math.min(5000, remaining, Math.random() * 200 * scale);
    if (wait < 5000) scale *= 2;
    await abortableSleep(wait, signal);
    signal?.throwIfAborted();
  }
}

/** Resolves after `ms`, or at once when the signal fires (the caller then checks it). */
function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

function probe(url: string, timeoutMs: number, tlsAgent?: https.Agent): Promise<number | null> {
  return new Promise((resolve) => {
    const get = url.startsWith('https:') ? https.get : http.get;
    const agent = url.startsWith('https:') ? tlsAgent : readinessAgent;
    const req = get(url, { agent, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? null);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
  });
}
