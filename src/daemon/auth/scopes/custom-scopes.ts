/**
 * `JupyterHub.custom_scopes` validation (scopes.py `define_custom_scopes`): names must look like
 * `custom:<project>:<action>...`, every scope needs a description, and sub-scopes may only name other custom
 * scopes defined in the same setting (roles, not sub-scopes, bundle built-in scopes).
 */
import type { ScopeDefinition, ScopeTable } from './definitions.js';
import { ScopeError } from './scope-error.js';

/** JupyterHub's `_custom_scope_pattern`, character for character. */
export const CUSTOM_SCOPE_PATTERN = /^custom:[a-z0-9][a-z0-9_\-*:]+[a-z0-9_*]$/;

const NAME_RULES =
  'Custom scopes must start with `custom:` and contain only lowercase ascii letters, numbers, hyphen, underscore, ' +
  'colon, and asterisk (-_:*). The part after `custom:` must start with a letter or number. ' +
  'Scopes may not end with a hyphen or colon.';

const HINT = 'fix JupyterHub.custom_scopes in the hub config';

export interface CustomScopesResult {
  readonly table: ScopeTable;
  readonly warnings: readonly string[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail(message: string): never {
  throw new ScopeError('invalid-custom-scope', message, HINT);
}

function sameDefinition(a: ScopeDefinition, b: ScopeDefinition): boolean {
  return a.description === b.description && JSON.stringify(a.subscopes ?? null) === JSON.stringify(b.subscopes ?? null);
}

function readSubscopes(name: string, raw: unknown, custom: Record<string, unknown>, base: ScopeTable): string[] {
  if (!Array.isArray(raw) || !raw.every((s): s is string => typeof s === 'string')) {
    fail(`custom scope ${name}: subscopes must be a list of scope strings, got ${JSON.stringify(raw)}`);
  }
  for (const sub of raw) {
    if (sub in custom) continue;
    if (sub in base) {
      fail(`custom scope ${name}: non-custom subscope ${sub} is not allowed. Custom scopes may only have custom ` +
        'subscopes. Roles should be used to assign multiple scopes together.');
    }
    fail(`custom scope ${name}: subscope ${sub} not found. All scopes must be defined.`);
  }
  return raw;
}

function readDefinition(name: string, raw: unknown, custom: Record<string, unknown>, base: ScopeTable, warnings: string[]): ScopeDefinition {
  if (!CUSTOM_SCOPE_PATTERN.test(name)) fail(`Invalid scope name: '${name}'. ${NAME_RULES}`);
  if (!isRecord(raw)) fail(`custom scope ${name}: definition must be an object with a description, got ${JSON.stringify(raw)}`);
  if (!('description' in raw)) fail(`custom scope ${name} is missing key 'description'`);
  if (typeof raw.description !== 'string') fail(`custom scope ${name}: description must be a string`);
  const extra = Object.keys(raw).filter((k) => k !== 'description' && k !== 'subscopes');
  if (extra.length > 0) warnings.push(`Ignoring unrecognized key(s) ${extra.join(', ')} in custom scope ${name}`);
  if (!('subscopes' in raw)) return { description: raw.description };
  return { description: raw.description, subscopes: readSubscopes(name, raw.subscopes, custom, base) };
}

/**
 * Validate `custom_scopes` (a mapping of name -> {description, subscopes?}) against `base` and return base plus
 * the custom scopes. Throws ScopeError('invalid-custom-scope') naming the scope and the rule it breaks.
 */
export function defineCustomScopes(input: unknown, base: ScopeTable): CustomScopesResult {
  if (!isRecord(input)) fail(`custom_scopes must be a mapping of scope name to definition, got ${JSON.stringify(input)}`);
  const warnings: string[] = [];
  const table: Record<string, ScopeDefinition> = { ...base };
  for (const [name, raw] of Object.entries(input)) {
    const existing = base[name];
    // Checked before the name rules, as JupyterHub does, so `read:users` gets "cannot redefine", not "bad name".
    if (existing !== undefined && !CUSTOM_SCOPE_PATTERN.test(name)) {
      fail(`Cannot redefine scope ${name}: it is a built-in scope (${existing.description})`);
    }
    const def = readDefinition(name, raw, input, base, warnings);
    if (existing !== undefined && !sameDefinition(existing, def)) {
      fail(`Cannot redefine scope ${name}: it is already defined as ${JSON.stringify(existing)}`);
    }
    table[name] = def;
  }
  return { table, warnings };
}
