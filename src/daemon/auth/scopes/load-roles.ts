/**
 * `JupyterHub.load_roles` validation (app.py `init_role_creation` / `init_role_assignment`, roles.py
 * `create_role`). Every problem is reported, each naming the role and what to change; nothing touches the
 * database. A config role named like a default role is merged over it, so `{name: 'user', scopes: [...]}`
 * keeps the default description.
 *
 * Membership lists: `users`/`services`/`groups` given -> the role's members are exactly these; omitted ->
 * cleared at start-up, except `users` of the `user` role (left to the Authenticator), as JupyterHub does.
 */
import { HubError } from '../../../lib/errors.js';
import { DEFAULT_REGISTRY, type ScopeRegistry } from './registry.js';
import { DEFAULT_ROLES, ROLE_NAME_RULES, defaultRole, isValidRoleName, type RoleSpec } from './roles.js';
import { isScopeError } from './scope-error.js';
import { checkScopesExist } from './validate.js';

export interface LoadedRole extends RoleSpec {
  readonly users?: readonly string[];
  readonly services?: readonly string[];
  readonly groups?: readonly string[];
}

export interface RoleProblem {
  /** `load_roles[2] (role 'teacher')`, or just the index when the name is missing. */
  readonly where: string;
  readonly problem: string;
  readonly hint: string;
}

export type LoadRolesResult =
  | { ok: true; roles: LoadedRole[]; warnings: string[] }
  | { ok: false; errors: RoleProblem[]; warnings: string[] };

export interface LoadRolesOptions {
  registry?: ScopeRegistry;
  /** Services that exist; a role naming another one is an error (JupyterHub: "not present in database"). */
  knownServices?: ReadonlySet<string>;
}

const KNOWN_KEYS = new Set(['name', 'description', 'scopes', 'users', 'services', 'groups']);
const MEMBER_KINDS = ['users', 'services', 'groups'] as const;
const HINT = 'fix JupyterHub.load_roles in the hub config';

type Report = (problem: string, hint?: string) => void;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStringList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string');
}

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(a);
  return sa.size === new Set(b).size && b.every((x) => sa.has(x));
}

function checkScopes(name: string, scopes: unknown, registry: ScopeRegistry, report: Report): string[] {
  if (scopes === undefined) return [];
  if (!isStringList(scopes)) {
    report(`scopes must be a list of strings, got ${JSON.stringify(scopes)}`);
    return [];
  }
  for (const scope of scopes) {
    try {
      checkScopesExist([scope], registry, `role ${name}`);
    } catch (err) {
      if (!isScopeError(err)) throw err;
      report(err.message, err.hint);
    }
  }
  return scopes;
}

function checkAdminOverride(spec: Record<string, unknown>, report: Report): void {
  const admin = defaultRole('admin') as RoleSpec;
  if ('description' in spec && spec.description !== admin.description) {
    report(`Cannot override admin role admin.description = ${JSON.stringify(spec.description)}`,
      'leave out description in the admin role; only its members can be configured');
  }
  if ('scopes' in spec && !(isStringList(spec.scopes) && sameMembers(spec.scopes, admin.scopes))) {
    report(`Cannot override admin role admin.scopes = ${JSON.stringify(spec.scopes)}`,
      'leave out scopes in the admin role, or define a new role with the extra scopes');
  }
}

function checkMembers(spec: Record<string, unknown>, options: LoadRolesOptions, report: Report): Partial<Record<(typeof MEMBER_KINDS)[number], string[]>> {
  const members: Partial<Record<(typeof MEMBER_KINDS)[number], string[]>> = {};
  for (const kind of MEMBER_KINDS) {
    if (!(kind in spec)) continue;
    const list = spec[kind];
    if (!isStringList(list)) {
      report(`${kind} must be a list of names, got ${JSON.stringify(list)}`);
      continue;
    }
    members[kind] = list;
  }
  for (const service of members.services ?? []) {
    if (options.knownServices !== undefined && !options.knownServices.has(service)) {
      report(`services ${service} is in the role but no such service is defined`, 'add it to JupyterHub.services or remove it from the role');
    }
  }
  return members;
}

interface SpecContext {
  readonly registry: ScopeRegistry;
  readonly options: LoadRolesOptions;
  readonly warnings: string[];
  readonly report: Report;
}

function readRole(name: string, raw: Record<string, unknown>, ctx: SpecContext): LoadedRole {
  if (!isValidRoleName(name)) ctx.report(`Invalid role name: ${JSON.stringify(name)}. ${ROLE_NAME_RULES}`, 'rename the role');
  if (name === 'admin') checkAdminOverride(raw, ctx.report);
  const extra = Object.keys(raw).filter((k) => !KNOWN_KEYS.has(k));
  if (extra.length > 0) ctx.warnings.push(`Ignoring unrecognized key(s) ${extra.join(', ')} in role ${name}`);
  const base = defaultRole(name);
  const spec: Record<string, unknown> = base === undefined ? raw : { ...base, ...raw };
  const description = spec.description;
  if (description !== undefined && description !== null && typeof description !== 'string') {
    ctx.report(`description must be a string, got ${JSON.stringify(description)}`);
  }
  const scopes = checkScopes(name, spec.scopes, ctx.registry, ctx.report);
  if (scopes.length === 0 && base === undefined) ctx.warnings.push(`Role ${name} has no scopes`);
  const role: LoadedRole = {
    name, scopes, description: typeof description === 'string' ? description : null,
    ...checkMembers(spec, ctx.options, ctx.report),
  };
  return role;
}

/** Validate `load_roles` and return the roles to create: defaults not overridden, then the configured ones. */
export function loadRoles(input: unknown, options: LoadRolesOptions = {}): LoadRolesResult {
  const errors: RoleProblem[] = [];
  const warnings: string[] = [];
  if (!Array.isArray(input)) {
    errors.push({ where: 'load_roles', problem: `must be a list of role definitions, got ${JSON.stringify(input)}`, hint: HINT });
    return { ok: false, errors, warnings };
  }
  const registry = options.registry ?? DEFAULT_REGISTRY;
  const seen = new Set<string>();
  const configured: LoadedRole[] = [];
  for (const [index, raw] of input.entries()) {
    let where = `load_roles[${index}]`;
    const report: Report = (problem, hint = HINT) => errors.push({ where, problem, hint });
    if (!isRecord(raw)) { report(`a role definition must be a mapping, got ${JSON.stringify(raw)}`); continue; }
    if (typeof raw.name !== 'string') { report('Role definition must have a name', "add name: '<role name>'"); continue; }
    where = `${where} (role '${raw.name}')`;
    if (seen.has(raw.name)) { report(`Role ${raw.name} multiply defined`, 'merge the definitions into one'); continue; }
    seen.add(raw.name);
    configured.push(readRole(raw.name, raw, { registry, options, warnings, report }));
  }
  if (errors.length > 0) return { ok: false, errors, warnings };
  const defaults = DEFAULT_ROLES.filter((r) => !seen.has(r.name)).map((r) => ({ ...r, scopes: [...r.scopes] }));
  return { ok: true, roles: [...defaults, ...configured], warnings };
}

/** `loadRoles`, throwing one HubError('CONFIG_INVALID') that lists every problem. */
export function loadRolesOrThrow(input: unknown, options: LoadRolesOptions = {}): { roles: LoadedRole[]; warnings: string[] } {
  const result = loadRoles(input, options);
  if (result.ok) return { roles: result.roles, warnings: result.warnings };
  const lines = result.errors.map((e) => `${e.where}: ${e.problem}`);
  const hints = [...new Set(result.errors.map((e) => e.hint))];
  throw new HubError('CONFIG_INVALID', `invalid JupyterHub.load_roles:\n  ${lines.join('\n  ')}`, { hint: hints.join('; ') });
}
