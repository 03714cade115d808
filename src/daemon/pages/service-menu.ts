/**
 * The services a logged-in user sees in the Services menu of every page (handlers/base.py
 * get_accessible_services): those with a url and `display` true, in config order; none for an anonymous visitor.
 * JupyterHub lists them without checking access:services, so the menu does too (the service itself refuses
 * users without access). Templates get the fields of JupyterHub's Service object they use: name, url, prefix,
 * info, display, admin, kind.
 */
import type { HubConfig } from '../../lib/config/index.js';
import { isManaged, parseServiceSpecs } from '../services/service-spec.js';
import { servicePrefix } from '../services/service-urls.js';

export interface ServiceView {
  name: string;
  /** The url in use (a managed service's port 0 replaced by the port it got). */
  url: string;
  /** `<base_url>services/<name>/`: where the menu links. */
  prefix: string;
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
      info: s.info,
      display: s.display,
      admin: s.admin,
      kind: isManaged(s) ? 'managed' : 'external',
    }));
}
