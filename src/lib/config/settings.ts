/**
 * What the user set, after validation: one entry per 'Section.option' as written (a value under
 * LocalProcessSpawner stays there until resolve.ts applies inheritance), with where it came from so warnings can
 * name the file, override or environment variable.
 */
import { coerce } from './coerce.js';
import type { SectionName } from './schema.generated.js';
import { acceptedOptions } from './sections.js';

export interface Setting {
  section: SectionName;
  option: string;
  /** Normalised by coerce(). */
  value: unknown;
  /** 'hub.yml', "override 'JupyterHub.port=0'", 'environment variable CONFIGPROXY_AUTH_TOKEN'. */
  source: string;
}

/** Keyed by 'Section.option'; later layers replace earlier ones. */
export type Settings = Map<string, Setting>;

export function put(settings: Settings, setting: Setting): void {
  settings.set(`${setting.section}.${setting.option}`, setting);
}

const defaults = new Map<string, unknown>();

/**
 * The normalised default of an option as seen from `section`. Schema defaults are written in file form, so
 * they pass through coerce() like user values; the generator keeps them valid and a unit test checks all of them.
 */
export function defaultValue(section: SectionName, option: string): unknown {
  const ref = acceptedOptions(section).get(option);
  if (ref === undefined) throw new Error(`no option ${section}.${option}`);
  const key = `${ref.owner}.${option}`;
  if (!defaults.has(key)) {
    const r = coerce(ref.spec.type, ref.spec.default, { path: key, code: true, baseDir: '/' });
    if (!r.ok) throw new Error(`schema default is invalid: ${r.problem}`);
    defaults.set(key, r.value);
  }
  return cloneValue(defaults.get(key));
}

/**
 * Defaults are cached, so hand out copies: a caller mutating config.Spawner.args must not change the next load.
 * Only data is copied; other objects from a JS config (a RegExp, a log handler instance) are kept as they are,
 * since a copy of their own properties would lose their prototype.
 */
export function cloneValue<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => cloneValue(v)) as T;
  if (Buffer.isBuffer(value)) return Buffer.from(value) as T;
  if (typeof value === 'object' && value !== null) {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cloneValue(v)])) as T;
  }
  return value;
}

/** The value the user set for exactly this section and option, else the default. */
export function valueOf(settings: Settings, section: SectionName, option: string): unknown {
  const set = settings.get(`${section}.${option}`);
  return set === undefined ? defaultValue(section, option) : set.value;
}

/** Structural equality for normalised values (JSON-like data, Buffers, functions by identity). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    const rb = b as Record<string, unknown>;
    return ka.length === kb.length && ka.every((k) => Object.hasOwn(rb, k) && sameValue((a as Record<string, unknown>)[k], rb[k]));
  }
  return false;
}
