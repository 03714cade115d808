/**
 * Narrowing request bodies the way apihandlers/base.py `_check_model` does (keys from a fixed set, each of a fixed
 * JSON type), with JupyterHub's messages. Where JupyterHub would crash on a wrong type (a string where a list of
 * names belongs, which Python happily iterates), we answer 400 instead.
 */
import { ApiError } from '../http-util.js';

export type JsonObject = Record<string, unknown>;
export type JsonType = 'string' | 'boolean' | 'list' | 'object';

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function pyRepr(v: unknown): string {
  if (v === undefined || v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  return JSON.stringify(v);
}

function pyType(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  return 'dict';
}

function hasType(v: unknown, t: JsonType): boolean {
  switch (t) {
    case 'string': return typeof v === 'string';
    case 'boolean': return typeof v === 'boolean';
    case 'list': return Array.isArray(v);
    case 'object': return isObject(v);
  }
}

const PY_NAMES: Record<JsonType, string> = { string: 'str', boolean: 'bool', list: 'list', object: 'dict' };

/** `_check_model`: a dict whose keys are all known and whose values have the right types. */
export function checkModel(model: unknown, types: Readonly<Record<string, JsonType>>, name: string): JsonObject {
  if (!isObject(model)) throw new ApiError(400, `Invalid JSON data: ${pyRepr(model)}`);
  const unknown = Object.keys(model).filter((k) => !(k in types));
  if (unknown.length > 0) throw new ApiError(400, `Invalid JSON keys: ${unknown.map((k) => JSON.stringify(k)).join(', ')}`);
  for (const [key, value] of Object.entries(model)) {
    const want = types[key];
    if (want !== undefined && !hasType(value, want)) {
      throw new ApiError(400, `${name}.${key} must be <class '${PY_NAMES[want]}'>, not: <class '${pyType(value)}'>`);
    }
  }
  return model;
}

export const USER_MODEL_TYPES: Readonly<Record<string, JsonType>> = {
  name: 'string', admin: 'boolean', groups: 'list', roles: 'list', auth_state: 'object',
};

export const GROUP_MODEL_TYPES: Readonly<Record<string, JsonType>> = { name: 'string', users: 'list', roles: 'list' };

/** A list of strings, or a 400 naming the field. */
export function stringList(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) {
    throw new ApiError(400, `${what} must be a list of strings, not ${pyRepr(value)}`);
  }
  return value;
}

/** Python truthiness of a JSON value (`if not data.get('usernames')`). */
export function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isObject(v)) return Object.keys(v).length > 0;
  return true;
}

/** A unique-constraint violation (a concurrent request created the same name first): SQLite or PostgreSQL. */
export function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = 'code' in err ? String(err.code) : '';
  const message = err instanceof Error ? err.message : '';
  return code === '23505' || (code === 'SQLITE_CONSTRAINT' && /UNIQUE/i.test(message));
}

/** Runs a write; a unique-constraint violation becomes JupyterHub's 409 with `message`. */
export async function conflictAs409<T>(message: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (isUniqueViolation(err)) throw new ApiError(409, message);
    throw err;
  }
}
