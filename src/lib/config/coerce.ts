/**
 * Check one value against its option's kind and normalise it to the form callers read (commands as lists,
 * log levels as numbers, sets deduplicated, encryption keys as Buffers). Defaults go through here too, so a schema default
 * and the same value written in a file load identically.
 */
import { normaliseClassName } from './class-ref.js';
import { parseCryptKey } from './crypt-key.js';
import { describeExpected, describeFound, takesFunctions } from './describe-value.js';
import { coerceHttpHandler, coerceLogHandler, MOVE_TO_CODE } from './extra-handlers.js';
import { coerceTornadoSettings } from './tornado-settings.js';
import type { OptionType } from './types.js';

export interface CoerceContext {
  /** 'JupyterHub.port', 'Spawner.args[2]': the name used in problem messages. */
  path: string;
  /** True for JS/TS config files, the only sources that can hold functions. */
  code: boolean;
  /** Directory that relative module paths (spawner_class: ./x.js) resolve against. */
  baseDir: string;
}

export type Coerced = { ok: true; value: unknown } | { ok: false; problem: string };

const BYTE_UNITS: Record<string, number> = { K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

function ok(value: unknown): Coerced {
  return { ok: true, value };
}

function mismatch(type: OptionType, value: unknown, ctx: CoerceContext, expected = describeExpected(type)): Coerced {
  let problem = `${ctx.path} must be ${expected}, found ${describeFound(value)}`;
  if (takesFunctions(type) && !ctx.code && typeof value === 'string') problem += `; ${MOVE_TO_CODE}`;
  return { ok: false, problem };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function coerceEnum(type: Extract<OptionType, { kind: 'enum' }>, value: unknown, ctx: CoerceContext): Coerced {
  if (typeof value === 'number' && type.values.includes(value)) return ok(value);
  if (typeof value === 'string') {
    const same = (a: string): boolean => (type.caseless === true ? a.toLowerCase() === value.toLowerCase() : a === value);
    const alias = Object.entries(type.aliases ?? {}).find(([name]) => same(name));
    if (alias !== undefined) return ok(alias[1]);
    const match = type.values.find((v) => typeof v === 'string' && same(v));
    if (match !== undefined) return ok(match);
  }
  return mismatch(type, value, ctx);
}

function coerceItems(type: Extract<OptionType, { kind: 'list' | 'set' }>, value: unknown, ctx: CoerceContext): Coerced {
  // A JS config may hand a Set to a set option; YAML and JSON only have lists.
  const items = value instanceof Set ? [...(value as Set<unknown>)] : value;
  if (!Array.isArray(items)) return mismatch(type, value, ctx);
  const out: unknown[] = [];
  for (const [i, item] of items.entries()) {
    const r = type.items === undefined ? ok(item) : coerce(type.items, item, { ...ctx, path: `${ctx.path}[${i}]` });
    if (!r.ok) return r;
    out.push(r.value);
  }
  if (type.kind === 'list') return ok(out);
  const seen = new Set<string>();
  return ok(out.filter((v) => {
    const key = typeof v === 'string' ? `s:${v}` : `j:${JSON.stringify(v)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  }));
}

function coerceDict(type: Extract<OptionType, { kind: 'dict' }>, value: unknown, ctx: CoerceContext): Coerced {
  if (!isPlainObject(value)) return mismatch(type, value, ctx);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const r = type.values === undefined ? ok(v) : coerce(type.values, v, { ...ctx, path: `${ctx.path}.${k}` });
    if (!r.ok) return r;
    out[k] = r.value;
  }
  return ok(out);
}

function coerceByteSize(type: OptionType, value: unknown, ctx: CoerceContext): Coerced {
  if (value === null) return ok(null);
  if (typeof value === 'number' && Number.isFinite(value)) return ok(Math.trunc(value));
  // As jupyterhub.traitlets.ByteSpecification: a float, then one upper-case unit letter.
  const m = typeof value === 'string' ? /^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)([KMGT])$/.exec(value) : null;
  const unit = m?.[2] === undefined ? undefined : BYTE_UNITS[m[2]];
  if (m === null || unit === undefined) return mismatch(type, value, ctx);
  return ok(Math.trunc(Number(m[1]) * unit));
}

function coerceUnion(type: Extract<OptionType, { kind: 'union' }>, value: unknown, ctx: CoerceContext): Coerced {
  for (const member of type.of) {
    const r = coerce(member, value, ctx);
    if (r.ok) return r;
  }
  return mismatch(type, value, ctx);
}

export function coerce(type: OptionType, value: unknown, ctx: CoerceContext): Coerced {
  const nullable = 'nullable' in type && type.nullable === true;
  if (value === null && nullable) return ok(null);
  switch (type.kind) {
    case 'int':
      return typeof value === 'number' && Number.isInteger(value) ? ok(value) : mismatch(type, value, ctx);
    case 'float':
      return typeof value === 'number' && Number.isFinite(value) ? ok(value) : mismatch(type, value, ctx);
    case 'bool':
      return typeof value === 'boolean' ? ok(value) : mismatch(type, value, ctx);
    case 'string':
      return typeof value === 'string' ? ok(value) : mismatch(type, value, ctx);
    case 'url-prefix': {
      if (typeof value !== 'string') return mismatch(type, value, ctx);
      const withLead = value.startsWith('/') ? value : `/${value}`;
      return ok(withLead.endsWith('/') ? withLead : `${withLead}/`);
    }
    case 'bytes':
      if (value instanceof Uint8Array) return ok(Buffer.from(value).toString('hex'));
      return typeof value === 'string' && /^([0-9a-fA-F]{2})*$/.test(value.trim()) ? ok(value.trim().toLowerCase()) : mismatch(type, value, ctx);
    case 'crypt-key': {
      const key = typeof value === 'string' || value instanceof Uint8Array ? parseCryptKey(value) : undefined;
      return key === undefined ? mismatch(type, value, ctx) : ok(key);
    }
    case 'enum':
      return coerceEnum(type, value, ctx);
    case 'list':
    case 'set':
      return coerceItems(type, value, ctx);
    case 'dict':
      return coerceDict(type, value, ctx);
    case 'command':
      if (typeof value === 'string') return ok([value]);
      return Array.isArray(value) && value.every((v) => typeof v === 'string') ? ok([...value]) : mismatch(type, value, ctx);
    case 'class': {
      if (typeof value === 'function') return ok(value);
      // YAML reads a bare `null` as no value: for the authenticator it is the 'null' class only when quoted.
      if (value === null && type.base === 'Authenticator') return mismatch(type, value, ctx, "a class name; write 'null' in quotes for JupyterHub's NullAuthenticator");
      if (typeof value !== 'string') return mismatch(type, value, ctx);
      const r = normaliseClassName(type.base, value, ctx.baseDir);
      return r.ok ? ok(r.value) : mismatch(type, value, ctx, r.problem);
    }
    case 'callable':
      return typeof value === 'function' ? ok(value) : mismatch(type, value, ctx);
    case 'byte-size':
      return coerceByteSize(type, value, ctx);
    case 'union':
      return coerceUnion(type, value, ctx);
    case 'tornado-settings':
      return coerceTornadoSettings(value, ctx, coerce);
    case 'http-handler':
      return coerceHttpHandler(value, ctx);
    case 'log-handler':
      return coerceLogHandler(value, ctx);
    case 'any':
      return ok(value);
  }
}
