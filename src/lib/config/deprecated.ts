/**
 * Deprecated options, handled as JupyterHub 3.0 handles them (app.py, auth.py): a warning in JupyterHub's words,
 * and where there is a replacement the value moves there. JupyterHub reacts through traitlets observers, which
 * fire only when a value differs from the default, so an option set to its default is silently ignored here
 * too (that also keeps an uncommented generate-config file free of warnings).
 */
import { hostname } from 'node:os';
import type { SectionName } from './schema.generated.js';
import { acceptedOptions } from './sections.js';
import { defaultValue, put, sameValue, valueOf, type Setting, type Settings } from './settings.js';

type Mapper = (setting: Setting, settings: Settings, warn: (text: string) => void) => void;

/** Write the replacement; JupyterHub writes straight into the target's config, so the old name wins a conflict. */
function moveTo(section: SectionName, option: string): Mapper {
  return (setting, settings, warn) => {
    const existing = settings.get(`${section}.${option}`);
    if (existing !== undefined && !sameValue(existing.value, setting.value)) {
      warn(`${setting.source}: ${setting.section}.${setting.option} overrides ${section}.${option} from ${existing.source}, as in JupyterHub`);
    }
    put(settings, { section, option, value: setting.value, source: setting.source });
  };
}

/** Authenticator renames apply within the section the user wrote (PAMAuthenticator.whitelist -> PAMAuthenticator.allowed_users). */
function rename(option: string): Mapper {
  return (setting, settings, warn) => moveTo(setting.section, option)(setting, settings, warn);
}

function proxyApiUrl(setting: Setting, settings: Settings, warn: (text: string) => void): void {
  // app.py _deprecated_proxy_api: http://{proxy_api_ip or 127.0.0.1}:{proxy_api_port or port + 1}
  const ip = valueOf(settings, 'JupyterHub', 'proxy_api_ip') as string;
  const port = valueOf(settings, 'JupyterHub', 'proxy_api_port') as number;
  const publicPort = valueOf(settings, 'JupyterHub', 'port') as number;
  const url = `http://${ip === '' ? '127.0.0.1' : ip}:${port === 0 ? publicPort + 1 : port}`;
  moveTo('ConfigurableHTTPProxy', 'api_url')({ ...setting, value: url }, settings, warn);
}

/** app.py init_hub: hub_connect_port sets the port the Hub is reached on, unless hub_connect_url says it all. */
function hubConnectUrl(setting: Setting, settings: Settings, warn: (text: string) => void): void {
  if (settings.has('JupyterHub.hub_connect_url')) return;
  const bindUrl = valueOf(settings, 'JupyterHub', 'hub_bind_url') as string;
  const connectIp = valueOf(settings, 'JupyterHub', 'hub_connect_ip') as string;
  let ip = valueOf(settings, 'JupyterHub', 'hub_ip') as string;
  if (bindUrl !== '' && URL.canParse(bindUrl)) ip = new URL(bindUrl).hostname.replace(/^\[|\]$/g, '');
  // objects.py Server._connect_ip: all-interfaces binds are reached by hostname.
  const host = connectIp !== '' ? connectIp : ['', '0.0.0.0', '::'].includes(ip) ? hostname() : ip;
  const proto = valueOf(settings, 'JupyterHub', 'internal_ssl') === true ? 'https' : 'http';
  const base = valueOf(settings, 'JupyterHub', 'base_url') as string;
  const url = `${proto}://${host.includes(':') ? `[${host}]` : host}:${String(setting.value)}${base}hub/`;
  moveTo('JupyterHub', 'hub_connect_url')({ ...setting, value: url }, settings, warn);
}

function mergeAdminUsers(setting: Setting, settings: Settings, warn: (text: string) => void): void {
  // app.py init_users uses JupyterHub.admin_users only when Authenticator.admin_users is empty: with both set, the
  // old list makes nobody an admin (a union would grant admin rights JupyterHub does not).
  const existing = settings.get('Authenticator.admin_users');
  if (Array.isArray(existing?.value) && existing.value.length > 0) {
    warn(`${setting.source}: JupyterHub.admin_users is ignored because Authenticator.admin_users is set (${existing.source}), as in JupyterHub; move its users there`);
    return;
  }
  put(settings, { section: 'Authenticator', option: 'admin_users', value: setting.value, source: setting.source });
}

/** Keyed by the class that declares the option; options not listed only warn. */
const MAPPERS: Record<string, Mapper> = {
  'JupyterHub.admin_users': mergeAdminUsers,
  'JupyterHub.debug_proxy': moveTo('ConfigurableHTTPProxy', 'debug'),
  'JupyterHub.proxy_auth_token': moveTo('ConfigurableHTTPProxy', 'auth_token'),
  'JupyterHub.proxy_cmd': moveTo('ConfigurableHTTPProxy', 'command'),
  'JupyterHub.proxy_check_interval': moveTo('ConfigurableHTTPProxy', 'check_running_interval'),
  'JupyterHub.proxy_api_ip': proxyApiUrl,
  'JupyterHub.proxy_api_port': proxyApiUrl,
  'JupyterHub.hub_connect_port': hubConnectUrl,
  'Authenticator.whitelist': rename('allowed_users'),
  'LocalAuthenticator.group_whitelist': rename('allowed_groups'),
};

/** Warn about and map every deprecated option set to a non-default value; returns the warnings. */
export function applyDeprecations(settings: Settings): string[] {
  const warnings: string[] = [];
  const warn = (text: string): void => {
    warnings.push(text);
  };
  let apiUrlDone = false;
  // Snapshot: mappers add settings while we walk.
  for (const setting of [...settings.values()]) {
    const ref = acceptedOptions(setting.section).get(setting.option);
    const deprecation = ref?.spec.deprecated;
    if (ref === undefined || deprecation === undefined) continue;
    if (sameValue(setting.value, defaultValue(setting.section, setting.option))) continue;
    const target = deprecation.replacement;
    const named = target === undefined || deprecation.message.includes(target.slice(target.indexOf('.') + 1));
    warn(`${setting.source}: ${setting.section}.${setting.option}: ${deprecation.message}${named ? '' : ` (use ${target})`}`);
    const mapper = MAPPERS[`${ref.owner}.${setting.option}`];
    // proxy_api_ip and proxy_api_port each rebuild api_url from both; once is enough.
    if (mapper === proxyApiUrl) {
      if (apiUrlDone) continue;
      apiUrlDone = true;
    }
    mapper?.(setting, settings, warn);
  }
  return warnings;
}
