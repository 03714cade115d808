import type { HubConfig } from '../../lib/config/index.js';
import { HubError } from '../../lib/errors.js';
import type { Logger } from '../../lib/log.js';

/**
 * Proxy.extra_routes, checked as JupyterHub's validator does: a routespec gets its missing trailing '/' (with a
 * warning); with subdomain_host it must start with a host ("example.com/my-url/"), without it with '/'; the target
 * must be an http(s) URL. Every problem is reported at once.
 */
export function parseExtraRoutes(config: HubConfig, log: Logger): Map<string, string> {
  const routes = new Map<string, string>();
  const problems: string[] = [];
  const subdomainHost = config.JupyterHub.subdomain_host;
  for (const [given, target] of Object.entries(config.ConfigurableHTTPProxy.extra_routes)) {
    let spec = given;
    if (!spec.endsWith('/')) {
      log.warn(`Adding missing trailing '/' to Proxy.extra_routes ${spec} -> ${spec}/`);
      spec += '/';
    }
    if (subdomainHost !== '' && spec.startsWith('/')) {
      problems.push(`Proxy.extra_routes missing host component in ${spec} (must not have leading '/') when using JupyterHub.subdomain_host = '${subdomainHost}'`);
      continue;
    }
    if (subdomainHost === '' && !spec.startsWith('/')) {
      problems.push(`Proxy.extra_routes routespec ${spec} missing leading '/'.`);
      continue;
    }
    let url: URL | null = null;
    try {
      url = new URL(target);
    } catch {
      url = null;
    }
    if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.host === '') {
      problems.push(`Proxy.extra_routes target ${spec}='${target}' doesn't look like a URL (should have http[s]://...)`);
      continue;
    }
    routes.set(spec, target);
  }
  if (problems.length > 0) throw new HubError('CONFIG_INVALID', problems.join('\n'), { hint: 'Fix Proxy.extra_routes: {"/my-url/": "http://127.0.0.1:9000"}.' });
  return routes;
}
