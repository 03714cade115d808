/**
 * Where a service lives on the public side (app.py init_services): under <base_url>services/<name>/ and, with
 * subdomain_host, on the host `services.<domain>` (so services never share an origin with the hub or users).
 */
import type { HubConfig } from '../../lib/config/index.js';
import { servicesDomain, servicesHost } from '../user-host.js';

export function servicePrefix(baseUrl: string, name: string): string {
  return `${baseUrl}services/${name}/`;
}

/**
 * `services.example.org` with subdomain_host https://example.org:8000, else ''. The host name only: it starts the
 * proxy's routespec, and the proxy routes by host name without the port.
 */
export function serviceDomain(config: HubConfig): string {
  return servicesDomain(config.JupyterHub.subdomain_host);
}

/** `https://services.example.org:8000` with subdomain_host, else '' (URLs stay path-only, as in JupyterHub). */
export function serviceHost(config: HubConfig): string {
  return servicesHost(config.JupyterHub.subdomain_host);
}

/** The proxy route of a service with a url: its prefix, behind its host when routing by host. */
export function serviceRoutespec(config: HubConfig, name: string): string {
  return serviceDomain(config) + servicePrefix(config.JupyterHub.base_url, name);
}

/** The proxy target of a service: the origin of its url (the proxy keeps the path, as for user servers). */
export function serviceTarget(url: string): string {
  return new URL(url).origin;
}
