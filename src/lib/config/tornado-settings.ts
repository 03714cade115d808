/**
 * JupyterHub.tornado_settings. JupyterHub builds the settings dict its handlers read and then does
 * `settings.update(self.tornado_settings)` (app.py init_tornado_settings), so a key given here wins. hub has no
 * tornado; the keys JupyterHub's handlers read are given the same meaning:
 * - hub's own handler settings: headers, cookie_options, xsrf_cookie_kwargs, csp_report_uri, slow_spawn_timeout,
 *   slow_stop_timeout, spawn_throttle_retry_range, user_redirect_limit (normalised, defaults filled in);
 * - keys that are JupyterHub options as well (concurrent_spawn_limit, default_url, ...): checked as that option
 *   and, once the config is resolved, written over it (applyTornadoOverrides), so every reader sees one value;
 * - anything else (debug, compress_response, static_path, ...) has no effect and is warned about at start.
 */
import http from 'node:http';
import { describeFound } from './describe-value.js';
import { SCHEMA, type HubConfig } from './schema.generated.js';
import type { CoerceContext, Coerced } from './coerce.js';
import type { CookieKwargs, OptionType, TornadoSettings } from './types.js';

type CoerceFn = (type: OptionType, value: unknown, ctx: CoerceContext) => Coerced;

/**
 * Settings JupyterHub's handlers read that are also JupyterHub options (handlers/base.py, pages.py, apihandlers).
 * Other option-named settings (base_url, cookie_secret, subdomain_host, ...) are consumed when the app is built,
 * so overriding them in tornado_settings only half-works even in JupyterHub: hub warns instead.
 */
export const OPTION_SETTINGS: readonly string[] = [
  'active_server_limit', 'activity_resolution', 'admin_access', 'allow_named_servers', 'api_page_default_limit',
  'api_page_max_limit', 'authenticate_prometheus', 'concurrent_spawn_limit', 'cookie_max_age_days', 'default_url',
  'implicit_spawn_seconds', 'named_server_limit_per_user', 'redirect_to_server', 'shutdown_on_logout', 'template_vars',
];

const COOKIE_KEYS = ['domain', 'path', 'expires', 'expires_days', 'max_age', 'secure', 'httponly', 'samesite'];
const SAMESITE = ['Strict', 'Lax', 'None'] as const;

export const TORNADO_DEFAULTS: TornadoSettings = {
  headers: {},
  cookie_options: {},
  xsrf_cookie_kwargs: {},
  csp_report_uri: '',
  slow_spawn_timeout: 10,
  slow_stop_timeout: 10,
  spawn_throttle_retry_range: [30, 60],
  user_redirect_limit: 4,
  overrides: {},
  unused: {},
};

class Problem extends Error {}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function fail(path: string, expected: string, value: unknown): never {
  throw new Problem(`${path} must be ${expected}, found ${describeFound(value)}`);
}

function seconds(path: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) fail(path, 'a number of seconds (0 or more)', value);
  return value;
}

function headers(path: string, value: unknown): Record<string, string> {
  if (!isMapping(value)) fail(path, 'a mapping of header names to values', value);
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(value)) {
    if (typeof v !== 'string' && !(typeof v === 'number' && Number.isFinite(v))) fail(`${path}.${name}`, 'a string', v);
    const text = String(v);
    try {
      http.validateHeaderName(name);
      http.validateHeaderValue(name, text);
    } catch (err) {
      throw new Problem(`${path}.${name}: not a valid HTTP header (${err instanceof Error ? err.message : String(err)})`);
    }
    out[name] = text;
  }
  return out;
}

function cookieText(path: string, value: unknown): string {
  // A ';' or control character would end the attribute and let the value add others.
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  if (typeof value !== 'string' || /[;\x00-\x1f\x7f]/.test(value)) fail(path, 'a string without ";" or control characters', value);
  return value;
}

function expiresAt(path: string, value: unknown): number {
  if (value instanceof Date && Number.isFinite(value.getTime())) return value.getTime() / 1000;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && Number.isFinite(Date.parse(value))) return Date.parse(value) / 1000;
  return fail(path, 'a date (a Date, a Unix time in seconds, or a date string)', value);
}

/** tornado's set_cookie keywords; Python's Morsel takes its attribute names in any case. */
function cookieKwargs(path: string, value: unknown): CookieKwargs {
  if (!isMapping(value)) fail(path, `a mapping of cookie attributes (${COOKIE_KEYS.join(', ')})`, value);
  const out: Record<string, unknown> = {};
  for (const [rawKey, v] of Object.entries(value)) {
    const key = rawKey.toLowerCase() === 'max-age' ? 'max_age' : rawKey.toLowerCase();
    const at = `${path}.${rawKey}`;
    switch (key) {
      case 'domain':
      case 'path':
        out[key] = cookieText(at, v);
        break;
      case 'expires':
        out.expires = expiresAt(at, v);
        break;
      case 'expires_days':
        // None in tornado: a session cookie, gone when the browser closes.
        if (v !== null && (typeof v !== 'number' || !Number.isFinite(v))) fail(at, 'a number or null', v);
        out.expires_days = v;
        break;
      case 'max_age':
        if (typeof v !== 'number' || !Number.isFinite(v)) fail(at, 'a number', v);
        out.max_age = v;
        break;
      case 'secure':
      case 'httponly':
        if (typeof v !== 'boolean') fail(at, 'true or false', v);
        out[key] = v;
        break;
      case 'samesite': {
        const match = typeof v === 'string' ? SAMESITE.find((s) => s.toLowerCase() === v.toLowerCase()) : undefined;
        if (match === undefined) fail(at, "'Strict', 'Lax' or 'None'", v);
        out.samesite = match;
        break;
      }
      default:
        throw new Problem(`${at}: unknown cookie attribute (accepted: ${COOKIE_KEYS.join(', ')})`);
    }
  }
  return out as CookieKwargs;
}

function retryRange(path: string, value: unknown): [number, number] {
  const ok = Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0);
  if (!ok) fail(path, 'a [min, max] pair of seconds', value);
  const [a, b] = value as [number, number];
  // random.uniform(a, b) takes the bounds in either order.
  return [Math.min(a, b), Math.max(a, b)];
}

function settingsFrom(value: Record<string, unknown>, ctx: CoerceContext, coerceOption: CoerceFn): TornadoSettings {
  const out: Record<string, unknown> = { ...TORNADO_DEFAULTS, overrides: {}, unused: {} };
  const overrides: Record<string, unknown> = {};
  const unused: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const at = `${ctx.path}.${key}`;
    if (v === undefined) continue;
    switch (key) {
      case 'headers':
        out.headers = headers(at, v);
        break;
      case 'cookie_options':
      case 'xsrf_cookie_kwargs':
        out[key] = cookieKwargs(at, v);
        break;
      case 'csp_report_uri':
        if (typeof v !== 'string') fail(at, 'a string', v);
        out.csp_report_uri = v;
        break;
      case 'slow_spawn_timeout':
      case 'slow_stop_timeout':
        out[key] = seconds(at, v);
        break;
      case 'spawn_throttle_retry_range':
        out.spawn_throttle_retry_range = retryRange(at, v);
        break;
      case 'user_redirect_limit':
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) fail(at, 'an integer (0 or more)', v);
        out.user_redirect_limit = v;
        break;
      default: {
        const spec = OPTION_SETTINGS.includes(key) ? SCHEMA.JupyterHub.options[key] : undefined;
        if (spec === undefined) {
          unused[key] = v;
          break;
        }
        const r = coerceOption(spec.type, v, { ...ctx, path: at });
        if (!r.ok) throw new Problem(r.problem);
        overrides[key] = r.value;
      }
    }
  }
  return { ...(out as unknown as TornadoSettings), overrides, unused };
}

/** The `tornado-settings` kind of coerce.ts. */
export function coerceTornadoSettings(value: unknown, ctx: CoerceContext, coerceOption: CoerceFn): Coerced {
  if (!isMapping(value)) return { ok: false, problem: `${ctx.path} must be a mapping of settings, found ${describeFound(value)}` };
  try {
    return { ok: true, value: settingsFrom(value, ctx, coerceOption) };
  } catch (err) {
    if (err instanceof Problem) return { ok: false, problem: err.message };
    throw err;
  }
}

function shown(value: unknown): string {
  return typeof value === 'function' ? 'a function' : JSON.stringify(value) ?? String(value);
}

/**
 * After resolving: option-named settings replace the options (JupyterHub's settings.update), each with a notice
 * naming the override; the unused keys become warnings. Returns the notices (info) and warnings.
 */
export function applyTornadoOverrides(config: HubConfig, explicit: Set<string>): { notices: string[]; warnings: string[] } {
  const jh = config.JupyterHub as unknown as Record<string, unknown>;
  const ts = config.JupyterHub.tornado_settings;
  const notices: string[] = [];
  const warnings: string[] = [];
  for (const [key, value] of Object.entries(ts.overrides)) {
    const was = explicit.has(`JupyterHub.${key}`) ? `the configured ${shown(jh[key])}` : `the default ${shown(jh[key])}`;
    notices.push(`JupyterHub.tornado_settings.${key} overrides JupyterHub.${key}: ${shown(value)} instead of ${was}`);
    jh[key] = value;
    explicit.add(`JupyterHub.${key}`);
  }
  for (const key of Object.keys(ts.unused)) {
    warnings.push(Object.hasOwn(SCHEMA.JupyterHub.options, key)
      ? `JupyterHub.tornado_settings.${key} has no effect in hub: set JupyterHub.${key} instead`
      : `JupyterHub.tornado_settings.${key} has no effect in hub (it is a tornado setting hub does not use)`);
  }
  return { notices, warnings };
}
