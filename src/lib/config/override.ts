/**
 * Overrides, 'Section.option=value' (from the command line, or tests starting a hub on port 0). The value is JSON when
 * it parses as JSON the option accepts, else the plain text for options that take text, so both
 * `JupyterHub.hub_ip=10.0.0.1` and `Authenticator.admin_users=["a","b"]` work without shell-quoting JSON strings.
 */
import { HubError } from '../errors.js';
import { coerce } from './coerce.js';
import { acceptedOptions, isSectionName } from './sections.js';
import { suggestSection, unknownOption } from './suggest.js';
import type { OptionType } from './types.js';

/** A config file's shape before validation: sections of options. */
export type RawConfig = Record<string, Record<string, unknown>>;

const FORMAT_HINT = "write overrides as Section.option=value, e.g. JupyterHub.port=8000 or 'Authenticator.admin_users=[\"alice\"]'";

/** Kinds whose values are often written as bare text. */
function takesText(type: OptionType): boolean {
  switch (type.kind) {
    case 'string':
    case 'url-prefix':
    case 'bytes':
    case 'crypt-key':
    case 'command':
    case 'class':
    case 'byte-size':
    case 'any':
      return true;
    case 'enum':
      return type.values.some((v) => typeof v === 'string') || Object.keys(type.aliases ?? {}).length > 0;
    case 'union':
      return type.of.some(takesText);
    default:
      return false;
  }
}

export function parseOverrideValue(type: OptionType, text: string): unknown {
  let json: { value: unknown } | undefined;
  try {
    json = { value: JSON.parse(text) };
  } catch {
    json = undefined;
  }
  if (!takesText(type)) return json === undefined ? text : json.value; // bare text then fails validation, quoted
  const accepted = json !== undefined && coerce(type, json.value, { path: '', code: false, baseDir: '/' }).ok;
  return accepted && json !== undefined ? json.value : text;
}

/**
 * Parse one override and set it in `target` (creating the section). Throws HubError('CONFIG_INVALID') for a
 * malformed override or an unknown section or option; a value of the wrong type is left for validation, which
 * reports it with the other problems.
 */
export function applyOverride(target: RawConfig, override: string): RawConfig {
  const eq = override.indexOf('=');
  const key = eq < 0 ? override : override.slice(0, eq);
  const dot = key.indexOf('.');
  if (eq < 0 || dot <= 0 || dot === key.length - 1) {
    throw new HubError('CONFIG_INVALID', `override '${override}' is not of the form Section.option=value`, { hint: FORMAT_HINT });
  }
  const section = key.slice(0, dot).trim();
  const option = key.slice(dot + 1).trim();
  if (!isSectionName(section)) {
    const suggestion = suggestSection(section, [option]);
    const mean = suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`;
    throw new HubError('CONFIG_INVALID', `override '${override}': unknown section ${section}${mean}`, { hint: FORMAT_HINT });
  }
  const ref = acceptedOptions(section).get(option);
  if (ref === undefined) {
    throw new HubError('CONFIG_INVALID', `override '${override}': ${unknownOption(section, option)}`, {
      hint: 'run `hub generate-config` to see every option',
    });
  }
  const body = (target[section] ??= {});
  body[option] = parseOverrideValue(ref.spec.type, override.slice(eq + 1));
  return target;
}
