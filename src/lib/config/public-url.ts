/**
 * The public URL options, resolved as JupyterHub 3.0's traits do (app.py):
 * - bind_url is https exactly when ssl_cert is set (its validator rewrites the scheme either way);
 * - base_url defaults to bind_url's path, made a URL prefix (leading and trailing '/');
 * - ip, port and base_url are the deprecated parts of bind_url: once any is set to a value other than its default
 *   (traitlets observers fire only on a change), bind_url is rebuilt from all three, an unset ip being '' (all
 *   interfaces) and an unset port 8000, with a warning when bind_url was configured too;
 * - hub_routespec defaults to base_url ('/' with subdomain_host), gets a trailing '/' (and a leading one without
 *   subdomain_host), and a custom one is warned about;
 * - subdomain_host without a scheme is https.
 */
import { HubError } from '../errors.js';
import type { HubConfig } from './schema.generated.js';
import { defaultValue, sameValue } from './settings.js';

type App = HubConfig['JupyterHub'];

const BIND_URL_HINT = 'Write it as http://IP:PORT/PREFIX/, e.g. http://:8000/ (all interfaces) or http://127.0.0.1:8000/jupyter/';

/** Python's urlparse accepts 'http://:8000' (empty host = all interfaces); WHATWG URL does not. */
export function parseBindUrl(raw: string, option: string): URL {
  let u: URL | undefined;
  try {
    u = new URL(raw.replace(/^([a-z+]+):\/\/:/i, '$1://0.0.0.0:'));
  } catch {
    u = undefined;
  }
  if (u === undefined || !/^https?:$/.test(u.protocol) || (u.hostname === '' && !raw.includes('://:'))) {
    throw new HubError('CONFIG_INVALID', `${option} is not an http(s) URL: ${JSON.stringify(raw)}`, { hint: BIND_URL_HINT });
  }
  return u;
}

function urlPrefix(path: string): string {
  const lead = path.startsWith('/') ? path : `/${path}`;
  return lead.endsWith('/') ? lead : `${lead}/`;
}

function changed(jh: App, explicit: Set<string>, option: 'ip' | 'port' | 'base_url'): boolean {
  return explicit.has(`JupyterHub.${option}`) && !sameValue(jh[option], defaultValue('JupyterHub', option));
}

/** The path of a bind_url, exactly as written (new URL() would percent-encode or resolve it). */
function rawPath(bindUrl: string): string {
  const rest = bindUrl.slice(bindUrl.indexOf('://') + 3);
  const slash = rest.search(/[/?#]/);
  if (slash === -1) return '';
  return rest.slice(slash).replace(/[?#].*$/, '');
}

/** Mutates config.JupyterHub; returns the warnings JupyterHub would log. */
export function resolvePublicUrl(config: HubConfig, explicit: Set<string>): string[] {
  const jh = config.JupyterHub;
  const warnings: string[] = [];
  const proto = jh.ssl_cert ? 'https' : 'http';
  parseBindUrl(jh.bind_url, 'JupyterHub.bind_url');
  const withProto = (url: string): string => `${proto}${url.slice(url.indexOf('://'))}`;
  const defaultBind = withProto(defaultValue('JupyterHub', 'bind_url') as string);
  let bindUrl = withProto(jh.bind_url);
  // An explicit base_url wins even when it equals the default (then it does not rebuild bind_url, as in traitlets).
  const baseUrl = explicit.has('JupyterHub.base_url') ? jh.base_url : urlPrefix(rawPath(bindUrl));
  if (changed(jh, explicit, 'ip') || changed(jh, explicit, 'port') || changed(jh, explicit, 'base_url')) {
    const host = jh.ip.includes(':') ? `[${jh.ip}]` : jh.ip;
    const rebuilt = `${proto}://${host}:${jh.port}${baseUrl}`;
    if (rebuilt !== bindUrl && bindUrl !== defaultBind) {
      warnings.push(
        'Both bind_url and ip/port/base_url have been configured. JupyterHub.ip, JupyterHub.port, JupyterHub.base_url are deprecated in JupyterHub 0.9, please use JupyterHub.bind_url instead.',
      );
    }
    bindUrl = rebuilt;
    parseBindUrl(bindUrl, 'JupyterHub.bind_url (made from JupyterHub.ip, port and base_url)');
  }
  jh.bind_url = bindUrl;
  jh.base_url = baseUrl;
  if (jh.subdomain_host !== '') {
    if (!jh.subdomain_host.includes('://')) jh.subdomain_host = `https://${jh.subdomain_host}`;
    if (!URL.canParse(jh.subdomain_host) || new URL(jh.subdomain_host).hostname === '') {
      throw new HubError('CONFIG_INVALID', `JupyterHub.subdomain_host is not a host URL: ${JSON.stringify(jh.subdomain_host)}`, {
        hint: 'Write it as https://hub.example.org[:port]; user servers are then reached at https://<user>.hub.example.org',
      });
    }
  }
  if (explicit.has('JupyterHub.hub_routespec')) {
    let spec = jh.hub_routespec.endsWith('/') ? jh.hub_routespec : `${jh.hub_routespec}/`;
    if (jh.subdomain_host === '' && !spec.startsWith('/')) spec = `/${spec}`;
    jh.hub_routespec = spec;
    if (spec !== '/' && spec !== baseUrl) warnings.push(`Using custom route for Hub: ${spec}. Requests for not-running servers may not be handled.`);
  } else {
    jh.hub_routespec = jh.subdomain_host !== '' ? '/' : baseUrl;
  }
  if (jh.subdomain_host === '' && !`${baseUrl}hub/api/`.startsWith(jh.hub_routespec)) {
    warnings.push(`Hub API prefix ${baseUrl}hub/api/ not on prefix ${jh.hub_routespec}. The Hub may not receive any API requests from outside.`);
  }
  return warnings;
}
