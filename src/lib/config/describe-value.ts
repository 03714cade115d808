/**
 * The two halves of a type error: what an option expects, in words an admin reads in a YAML file, and what was
 * found, quoted as JSON with its YAML-ish type ("eighty" (string), [1, 2] (list)).
 */
import type { OptionType } from './types.js';

const MAX_SHOWN = 60;

function shown(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined; // cycles, BigInt
  }
  text ??= String(value);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 3)}...` : text;
}

export function describeFound(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return `${shown(value)} (list)`;
  if (value instanceof Uint8Array) return `${value.length} bytes (binary)`;
  if (typeof value === 'object') return `${shown(value)} (mapping)`;
  return `${shown(value)} (${typeof value})`;
}

function plural(type: OptionType): string | undefined {
  switch (type.kind) {
    case 'string':
      return 'strings';
    case 'int':
      return 'integers';
    case 'dict':
      return 'mappings';
    case 'crypt-key':
      return '32-byte keys (hex or base64)';
    case 'list':
    case 'set':
      return type.items === undefined ? 'lists' : `lists of ${plural(type.items) ?? 'values'}`;
    case 'http-handler':
      return '[pattern, handler function] pairs';
    case 'log-handler':
      return 'functions or objects with a handle(record) method';
    default:
      return undefined;
  }
}

function enumChoices(type: Extract<OptionType, { kind: 'enum' }>): string {
  const names = [...Object.keys(type.aliases ?? {}), ...type.values.filter((v) => typeof v === 'string')];
  const numbers = type.values.filter((v) => typeof v === 'number');
  const parts = [names.map((n) => `'${n}'`).join(', '), numbers.join(', ')].filter((p) => p !== '');
  return `one of ${parts.join(' or ')}`;
}

/** "an integer", "a list of strings", ... (the class kind's wording comes from class-ref.ts). */
export function describeExpected(type: OptionType): string {
  const orNull = 'nullable' in type && type.nullable === true ? ' or null' : '';
  switch (type.kind) {
    case 'int':
      return `an integer${orNull}`;
    case 'float':
      return `a number${orNull}`;
    case 'bool':
      return 'true or false';
    case 'string':
      return `a string${orNull}`;
    case 'bytes':
      return 'a hex string (an even number of hexadecimal digits)';
    case 'crypt-key':
      return 'a 32-byte key, hex (64 digits) or base64 (44 characters) encoded';
    case 'url-prefix':
      return 'a URL path such as /jupyter/';
    case 'enum':
      return enumChoices(type);
    case 'list':
    case 'set': {
      const items = type.items === undefined ? undefined : plural(type.items);
      return items === undefined ? 'a list' : `a list of ${items}`;
    }
    case 'dict': {
      const values = type.values === undefined ? undefined : plural(type.values);
      return values === undefined ? 'a mapping' : `a mapping of ${values}`;
    }
    case 'command':
      return 'a string or a list of strings';
    case 'class':
      return 'a class name or module path';
    case 'callable':
      return `a function${orNull}`;
    case 'byte-size':
      return 'a number of bytes or a size such as 512M or 2G (suffix K, M, G or T)';
    case 'union':
      return type.of.map(describeExpected).join(' or ');
    case 'tornado-settings':
      return 'a mapping of settings (headers, cookie_options, slow_spawn_timeout, ...)';
    case 'http-handler':
      return 'a [pattern, handler function] pair';
    case 'log-handler':
      return 'a function or an object with a handle(record) method';
    case 'any':
      return 'any value';
  }
}

/** Kinds whose values are or hold functions, which only a JS/TS config file can give. */
export function takesFunctions(type: OptionType): boolean {
  switch (type.kind) {
    case 'callable':
    case 'http-handler':
    case 'log-handler':
      return true;
    case 'union':
      return type.of.some(takesFunctions);
    case 'list':
    case 'set':
      return type.items !== undefined && takesFunctions(type.items);
    default:
      return false;
  }
}
