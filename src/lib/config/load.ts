/**
 * loadConfig: file -> overrides -> deprecations -> environment defaults -> inheritance. Every problem from every
 * source is gathered into one CONFIG_INVALID error, one line each.
 */
import { templateProblems } from './format-string.js';
import { portProblems, rangeProblems } from './ranges.js';
import { resolve } from 'node:path';
import { HubError, isHubError } from '../errors.js';
import { applyDeprecations } from './deprecated.js';
import { settingsFromEnv } from './env.js';
import { configDir, findConfigFile } from './find-file.js';
import { applyOverride, type RawConfig } from './override.js';
import { resolvePublicUrl } from './public-url.js';
import { resolveConfig } from './resolve.js';
import type { HubConfig } from './schema.generated.js';
import { put, type Settings } from './settings.js';
import { applyTornadoOverrides } from './tornado-settings.js';
import { validateLayer, type Layer } from './validate.js';

export interface LoadedConfig {
  /** Every section present, every option filled (defaults applied, values normalised). */
  config: HubConfig;
  /** The file that was loaded, or null when none was found (all defaults). */
  filepath: string | null;
  /** Deprecation warnings etc., one line each, for the caller to log. */
  warnings: string[];
  /** Facts worth an info line at start (a tornado_settings key overriding an option), one line each. */
  notices: string[];
  /**
   * Keys the user set (file, override or environment), as written ('LocalProcessSpawner.cmd') and as resolved
   * into HubConfig ('Spawner.cmd'), so callers can tell a chosen value from a default.
   */
  explicit: Set<string>;
}

export interface LoadOptions {
  /** An explicit config file; it must exist. Relative to cwd. */
  path?: string;
  /** Where to search for a config file (only there, not in parent directories). Default process.cwd(). */
  cwd?: string;
  /** Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** 'Section.option=value', applied after the file, in order. */
  overrides?: string[];
}

/**
 * JupyterHub.config_file names the file to load, so only an override can set it (`--set JupyterHub.config_file=...`,
 * as `jupyterhub --JupyterHub.config_file=...`); --config wins over it. Its default, jupyterhub_config.py, is not
 * searched for: hub reads its own file names.
 */
export function configFileOverride(overrides: readonly string[]): string | undefined {
  let found: string | undefined;
  for (const o of overrides) {
    const m = /^\s*JupyterHub\.config_file\s*=(.*)$/s.exec(o);
    if (m?.[1] === undefined) continue;
    found = m[1].trim();
    if (found.startsWith('"')) {
      try {
        found = String(JSON.parse(found));
      } catch {
        // Not JSON after all: the text as written, which the file search will report if it is wrong.
      }
    }
  }
  return found === '' ? undefined : found;
}

export async function loadConfig(opts: LoadOptions = {}): Promise<LoadedConfig> {
  const cwd = resolve(opts.cwd ?? process.cwd());
  const { file, warnings } = await findConfigFile(opts.path ?? configFileOverride(opts.overrides ?? []), cwd, opts.env ?? process.env);
  const layers: Layer[] = [];
  const problems: string[] = [...(file?.problems ?? [])];
  if (file !== null) layers.push({ label: file.label, code: file.code, baseDir: configDir(file, cwd), raw: file.raw });
  for (const override of opts.overrides ?? []) {
    try {
      layers.push({ label: `override '${override}'`, code: false, baseDir: cwd, raw: applyOverride({} as RawConfig, override) });
    } catch (err) {
      if (!isHubError(err)) throw err;
      problems.push(err.message);
    }
  }
  const settings: Settings = new Map();
  for (const layer of layers) {
    const validated = validateLayer(layer);
    problems.push(...validated.problems);
    for (const setting of validated.settings) put(settings, setting);
  }
  warnings.push(...applyDeprecations(settings));
  // After deprecations, so a value moved to ConfigurableHTTPProxy.auth_token beats CONFIGPROXY_AUTH_TOKEN.
  const env = settingsFromEnv(opts.env ?? process.env, settings);
  problems.push(...env.problems);
  for (const setting of env.settings) put(settings, setting);
  if (problems.length > 0) {
    const where = file === null ? '' : ` in ${file.filepath}`;
    throw new HubError('CONFIG_INVALID', problems.join('\n'), {
      hint: `fix the option${problems.length > 1 ? 's' : ''} above${where}; \`hub generate-config\` lists every option with its type and help`,
    });
  }
  const { config, explicit } = resolveConfig(settings);
  const ports = portProblems(config);
  if (ports.length > 0) {
    throw new HubError('CONFIG_INVALID', ports.join('\n'), { hint: `fix the option${ports.length > 1 ? 's' : ''} above${file === null ? '' : ` in ${file.filepath}`}` });
  }
  warnings.push(...resolvePublicUrl(config, explicit));
  const tornado = applyTornadoOverrides(config, explicit);
  warnings.push(...tornado.warnings);
  const ranges = [...rangeProblems(config), ...templateProblems(config)];
  if (ranges.length > 0) {
    throw new HubError('CONFIG_INVALID', ranges.join('\n'), { hint: `fix the option${ranges.length > 1 ? 's' : ''} above${file === null ? '' : ` in ${file.filepath}`}` });
  }
  return { config, filepath: file?.filepath ?? null, warnings, notices: tornado.notices, explicit };
}
