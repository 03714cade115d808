/**
 * The services a logged-in user sees in the Services menu of every page (handlers/base.py
 * get_accessible_services): those with a url and `display` true, in config order; none for an anonymous visitor.
 * JupyterHub lists them without checking access:services, so the menu does too (the service itself refuses
 * users without access). Templates get the fields of JupyterHub's Service object they use: name, url, prefix,
 * info, display, admin, kind, and JupyterHub 4's `href`, which the menu links to: with subdomain_host a service
 * lives on the host services.<domain>, where 3.0's path-only `prefix` link (on the hub's host) finds no route.
 */
import type { HubConfig } from '../../lib/config/index.js';
import { isManaged, parseServiceSpecs } from '../services/service-spec.js';
import { serviceHost, servicePrefix } from '../services/service-urls.js';

export interface ServiceView {
  name: string;
  /** The url in use (a managed service's port 0 replaced by the port it got). */
  url: string;
  /** `<base_url>services/<name>/`, path only as in JupyterHub. */
  prefix: string;
  /** Where the menu links: the prefix, behind `https://services.<domain>` with subdomain_host. */
  href: string;
  info: Record<string, unknown>;
  display: boolean;
  admin: boolean;
  kind: 'managed' | 'external';
}

/** The menu's entries; `urls` gives each started service's url in use. */
export function displayedServices(config: HubConfig, urls: ReadonlyMap<string, string>): ServiceView[] {
  return parseServiceSpecs(config)
    .filter((s) => s.url !== '' && s.display)
    .map((s) => ({
      name: s.name,
      url: urls.get(s.name) ?? s.url,
      prefix: servicePrefix(config.JupyterHub.base_url, s.name),
      href: serviceHost(config) + servicePrefix(config.JupyterHub.base_url, s.name),
      info: s.info,
      display: s.display,
      admin: s.admin,
      kind: isManaged(s) ? 'managed' : 'external',
    }));
}
