/**
 * A scope registry: the definitions in force (built-in + custom), their transitive closures computed once, and
 * what `self` means. Expansion looks closures up here instead of walking the hierarchy on every call.
 */
import { BUILTIN_SCOPES, JUPYTERHUB_3_0_SCOPES, SELF_SCOPES, SELF_SCOPES_3_0, type ScopeDefinition, type ScopeTable } from './definitions.js';
import { defineCustomScopes } from './custom-scopes.js';
import { ScopeError } from './scope-error.js';

export interface ScopeRegistry {
  readonly definitions: ScopeTable;
  /** Scopes `self` stands for, before `!user=<name>` is appended. */
  readonly selfScopes: readonly string[];
  /** Warnings from defining custom scopes (unrecognised keys). */
  readonly warnings: readonly string[];
  has(name: string): boolean;
  definition(name: string): ScopeDefinition | undefined;
  /** `name` and every scope it implies. Throws ScopeError('unknown-scope') for an undefined name. */
  closure(name: string): readonly string[];
}

export interface RegistryOptions {
  /** Defaults to BUILTIN_SCOPES (3.0 + later additions). */
  definitions?: ScopeTable;
  /** Defaults to SELF_SCOPES. */
  selfScopes?: readonly string[];
  /** `JupyterHub.custom_scopes`, validated here (throws ScopeError('invalid-custom-scope')). */
  customScopes?: unknown;
}

function computeClosure(table: ScopeTable, name: string): string[] {
  // Visited set: custom scopes may form cycles, which JupyterHub would recurse on forever; we just stop.
  const seen = new Set<string>();
  const stack = [name];
  while (stack.length > 0) {
    const next = stack.pop() as string;
    if (seen.has(next)) continue;
    seen.add(next);
    for (const sub of table[next]?.subscopes ?? []) stack.push(sub);
  }
  return [...seen];
}

export function unknownScopeError(scope: string, whoFor?: string): ScopeError {
  const base = scope.split('!', 1)[0] ?? scope;
  const forText = whoFor === undefined ? '' : ` for ${whoFor}`;
  if (base === 'all') return new ScopeError('unknown-scope', `Draft scope 'all' is now called 'inherit'${forText}`, "use 'inherit'");
  return new ScopeError('unknown-scope', `Scope '${scope}'${forText} does not exist`,
    'see the list of scopes at https://jupyterhub.readthedocs.io/en/stable/rbac/scopes.html, or define it in JupyterHub.custom_scopes');
}

export function createScopeRegistry(options: RegistryOptions = {}): ScopeRegistry {
  const base = options.definitions ?? BUILTIN_SCOPES;
  const custom = options.customScopes === undefined ? { table: base, warnings: [] } : defineCustomScopes(options.customScopes, base);
  const table = custom.table;
  const closures = new Map<string, readonly string[]>();
  for (const name of Object.keys(table)) closures.set(name, computeClosure(table, name));
  return {
    definitions: table,
    selfScopes: options.selfScopes ?? SELF_SCOPES,
    warnings: custom.warnings,
    has: (name) => closures.has(name),
    definition: (name) => (Object.hasOwn(table, name) ? table[name] : undefined),
    closure(name) {
      const found = closures.get(name);
      if (found === undefined) throw unknownScopeError(name);
      return found;
    },
  };
}

/** The registry used when callers pass none: built-in scopes, no custom ones. */
export const DEFAULT_REGISTRY: ScopeRegistry = createScopeRegistry();

/** Exactly JupyterHub 3.0 (no later scopes): for differential tests and strict-compatibility callers. */
export const JUPYTERHUB_3_0_REGISTRY: ScopeRegistry = createScopeRegistry({
  definitions: JUPYTERHUB_3_0_SCOPES,
  selfScopes: SELF_SCOPES_3_0,
});
