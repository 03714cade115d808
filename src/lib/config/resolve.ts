/**
 * Settings -> HubConfig: fill every option with its default and apply traitlets-style inheritance.
 *
 * A section holds its class's options and its ancestors': config.PAMAuthenticator has admin_users too, taken
 * from Authenticator, then LocalAuthenticator, then PAMAuthenticator (the most specific setting wins). A family
 * root (Spawner, Authenticator, Proxy) holds the options of every class in the family, with values resolved
 * along the class JupyterHub.*_class selects; a class outside hub's built-ins gets only the root's settings.
 */
import { sectionsForClass } from './class-ref.js';
import { SCHEMA, SECTION_NAMES, type HubConfig, type SectionName } from './schema.generated.js';
import { ancestry, familyMembers } from './sections.js';
import { cloneValue, defaultValue, valueOf, type Settings } from './settings.js';
import type { ClassFamily, ClassValue } from './types.js';

const CLASS_OPTIONS: Record<ClassFamily, string> = {
  Authenticator: 'authenticator_class',
  Spawner: 'spawner_class',
  Proxy: 'proxy_class',
};

function isFamilyRoot(section: SectionName): section is ClassFamily & SectionName {
  return Object.hasOwn(CLASS_OPTIONS, section);
}

export interface Resolved {
  config: HubConfig;
  explicit: Set<string>;
}

function resolveSection(section: SectionName, settings: Settings, explicit: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const declaring = isFamilyRoot(section) ? familyMembers(section) : ancestry(section);
  for (const member of declaring) {
    for (const option of Object.keys(SCHEMA[member].options)) out[option] = defaultValue(member, option);
  }
  const applied = isFamilyRoot(section)
    ? sectionsForClass(section, valueOf(settings, 'JupyterHub', CLASS_OPTIONS[section]) as ClassValue)
    : ancestry(section);
  for (const from of applied) {
    for (const setting of settings.values()) {
      if (setting.section !== from) continue;
      out[setting.option] = cloneValue(setting.value);
      explicit.add(`${section}.${setting.option}`);
    }
  }
  return out;
}

/** Defaults JupyterHub derives from other options; applied only where nothing was set. */
function applyDerivedDefaults(config: Record<string, Record<string, unknown>>, explicit: Set<string>): void {
  const hub = config.JupyterHub ?? {};
  for (const [section, body] of Object.entries(config)) {
    // proxy.py _api_url_default: https when the hub runs internal_ssl.
    if ('api_url' in body && !explicit.has(`${section}.api_url`) && hub.internal_ssl === true) body.api_url = 'https://127.0.0.1:8001';
    // spawner.py _default_ssl_alt_names: the app's trusted_alt_names.
    if ('ssl_alt_names' in body && !explicit.has(`${section}.ssl_alt_names`)) body.ssl_alt_names = cloneValue(hub.trusted_alt_names);
  }
}

export function resolveConfig(settings: Settings): Resolved {
  const explicit = new Set<string>(settings.keys());
  const config: Record<string, Record<string, unknown>> = {};
  for (const section of SECTION_NAMES) config[section] = resolveSection(section, settings, explicit);
  applyDerivedDefaults(config, explicit);
  // Every section and option was filled from the schema the HubConfig type is generated from.
  return { config: config as unknown as HubConfig, explicit };
}
