/**
 * apihandlers/base.py `service_model`, filtered by the scopes module's `filterServiceModel`. Services are defined in
 * the config (JupyterHub.services); their rows hold the admin flag, roles and a managed service's pid.
 */
import { filterServiceModel, type ExpandedScopes } from '../../auth/scopes/index.js';

export interface ServiceData {
  name: string;
  admin: boolean;
  roles: readonly string[];
  pid: number | null;
  /** The JupyterHub.services entry (url, command, info, display). */
  spec: Record<string, unknown>;
}

function commandOf(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export function serviceModel(held: ExpandedScopes, s: ServiceData, baseUrl: string): Record<string, unknown> {
  const url = typeof s.spec.url === 'string' ? s.spec.url : '';
  const info = s.spec.info;
  const full = {
    kind: 'service',
    name: s.name,
    roles: [...s.roles],
    admin: s.admin,
    url,
    // A service with a url is proxied at <base_url>services/<name>/; JupyterHub shows that prefix.
    prefix: url === '' ? '' : `${baseUrl}services/${s.name}/`,
    command: commandOf(s.spec.command),
    pid: s.pid ?? 0,
    info: typeof info === 'object' && info !== null && !Array.isArray(info) ? info : {},
    display: typeof s.spec.display === 'boolean' ? s.spec.display : true,
  };
  return filterServiceModel(held, s.name, full);
}
