import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  DEFAULT_ROLES, JUPYTERHUB_3_0_SCOPES, ScopeError, checkScopesExist, createScopeRegistry, defineCustomScopes,
  expandScopes, isValidRoleName, loadRoles, loadRolesOrThrow, rolesToExpandedScopes, rolesToScopes,
  JUPYTERHUB_3_0_REGISTRY, type LoadRolesResult,
} from '../../src/daemon/auth/scopes/index.js';
import { pyStrings, pyValue, runPythonScopes, type PyResponse } from '../helpers/python-scopes.js';

const NAMES = ['teacher', 'ab', 'abc', 'a-b', 'a.b~c_d', 'Teacher', '1abc', 'abc-', 'ab_', 'a b c', 'x'.repeat(255), 'x'.repeat(256), 'server', 'té-st'];
const SCOPE_CHECKS = [['read:users'], ['read:userz'], ['all'], ['read:users!user=a'], ['read:users!user'], ['read:users!group'], ['read:users!foo=bar'], ['custom:x:y']];
const CUSTOM: unknown[] = [
  { 'custom:lab:read': { description: 'r', subscopes: ['custom:lab:read:files'] }, 'custom:lab:read:files': { description: 'f' } },
  { 'custom:okay': { description: 'fine' } },
  { 'custom:ok': { description: 'one character too short' } },
  { 'lab:read': { description: 'no prefix' } },
  { 'custom:Upper': { description: 'case' } },
  { 'custom:x-': { description: 'trailing' } },
  { 'custom:x': { description: 'too short after prefix' } },
  { 'custom:no-desc': {} },
  { 'custom:sub': { description: 'd', subscopes: ['read:users'] } },
  { 'custom:sub': { description: 'd', subscopes: ['custom:missing'] } },
  { 'custom:sub': { description: 'd', subscopes: 'custom:sub' } },
  { 'read:users': { description: 'redefine' } },
];

describe('roles vs JupyterHub 3.0', () => {
  let roles: PyResponse | undefined;
  let names: PyResponse[] = [];
  let exist: PyResponse[] = [];
  let custom: PyResponse[] = [];
  before(async () => {
    const all = await runPythonScopes([
      { op: 'default_roles' },
      ...NAMES.map((name) => ({ op: 'validate_role_name' as const, name })),
      ...SCOPE_CHECKS.map((scopes) => ({ op: 'check_scopes_exist' as const, scopes, whoFor: 'role teacher' })),
      ...CUSTOM.map((scopes) => ({ op: 'define_custom_scopes' as const, scopes, expand: ['custom:lab:read!user=ann'] })),
    ]);
    roles = all[0];
    names = all.slice(1, 1 + NAMES.length);
    exist = all.slice(1 + NAMES.length, 1 + NAMES.length + SCOPE_CHECKS.length);
    custom = all.slice(1 + NAMES.length + SCOPE_CHECKS.length);
  });

  it('has the same default roles, descriptions and scopes', () => {
    const py = pyValue(roles) as { name: string; description: string; scopes: string[] }[];
    assert.deepEqual(DEFAULT_ROLES.map((r) => ({ name: r.name, description: r.description, scopes: [...r.scopes] })), py);
  });

  it(`accepts and rejects the same role names (${NAMES.length} cases)`, () => {
    for (const [i, name] of NAMES.entries()) assert.equal(isValidRoleName(name), names[i]?.ok, name);
  });

  it(`finds the same unknown scopes and bad filters, with the same message (${SCOPE_CHECKS.length} cases)`, () => {
    for (const [i, scopes] of SCOPE_CHECKS.entries()) {
      const r = exist[i];
      let ours: string | true = true;
      try {
        checkScopesExist(scopes, JUPYTERHUB_3_0_REGISTRY, 'role teacher');
      } catch (err) {
        ours = err instanceof Error ? err.message : String(err);
      }
      // Ours names the role in the 'all' message too, and drops the filter JupyterHub prints twice.
      const norm = (m: string): string => m.replace(/Scope filter \S+ '/, "Scope filter '").replace(' for role teacher', '');
      if (r?.ok) assert.equal(ours, true, scopes.join());
      else assert.equal(typeof ours === 'string' ? norm(ours) : ours, norm(r?.error ?? ''), scopes.join());
    }
  });

  it(`accepts and rejects the same custom scopes, and expands them alike (${CUSTOM.length} cases)`, () => {
    for (const [i, input] of CUSTOM.entries()) {
      const r = custom[i];
      let ours: string[] | ScopeError;
      try {
        const registry = createScopeRegistry({ definitions: JUPYTERHUB_3_0_SCOPES, customScopes: input });
        const ask = registry.has('custom:lab:read') ? ['custom:lab:read!user=ann'] : [];
        ours = [...expandScopes(ask, { registry }).scopes].sort();
      } catch (err) {
        assert.ok(err instanceof ScopeError, String(err));
        ours = err;
      }
      const label = JSON.stringify(input);
      if (r?.ok) assert.deepEqual(ours, pyStrings(r), label);
      else assert.ok(ours instanceof ScopeError && ours.reason === 'invalid-custom-scope', `${label}: JupyterHub says ${r?.error ?? ''}`);
    }
  });
});

function errorsOf(result: LoadRolesResult): string[] {
  return result.ok ? [] : result.errors.map((e) => `${e.where}: ${e.problem}`);
}

describe('load_roles validation', () => {
  it('merges a configured default role over the default and keeps the others', () => {
    const r = loadRoles([{ name: 'user', scopes: ['self', 'shares!user'] }, { name: 'teacher', scopes: ['users', 'groups'], users: ['ann'] }]);
    assert.ok(r.ok);
    assert.deepEqual(r.roles.map((x) => x.name), ['admin', 'server', 'token', 'user', 'teacher']);
    const user = r.roles.find((x) => x.name === 'user');
    assert.equal(user?.description, 'Standard user privileges');
    assert.equal(user?.users, undefined, 'user role members left to the Authenticator');
    assert.deepEqual(r.roles.find((x) => x.name === 'teacher')?.users, ['ann']);
  });

  it('reports every problem, naming the role', () => {
    const r = loadRoles([
      { name: 'Bad Name', scopes: [] },
      { scopes: ['read:users'] },
      { name: 'teacher', scopes: ['read:userz', 'read:users!foo=x'] },
      { name: 'teacher', scopes: [] },
      { name: 'admin', scopes: ['read:hub'] },
      { name: 'monitor', services: ['cull'], users: 'ann' },
      'nope',
    ], { knownServices: new Set(['other']) });
    assert.deepEqual(errorsOf(r), [
      "load_roles[0] (role 'Bad Name'): Invalid role name: \"Bad Name\". Role names must be 3-255 characters, contain only lowercase ascii letters, numbers, and URL unreserved special characters '-.~_', start with a letter, and end with a letter or number.",
      'load_roles[1]: Role definition must have a name',
      "load_roles[2] (role 'teacher'): Scope 'read:userz' for role teacher does not exist",
      "load_roles[2] (role 'teacher'): Scope filter '!foo=x' in scope 'read:users!foo=x' for role teacher does not exist",
      "load_roles[3] (role 'teacher'): Role teacher multiply defined",
      'load_roles[4] (role \'admin\'): Cannot override admin role admin.scopes = ["read:hub"]',
      'load_roles[5] (role \'monitor\'): users must be a list of names, got "ann"',
      "load_roles[5] (role 'monitor'): services cull is in the role but no such service is defined",
      'load_roles[6]: a role definition must be a mapping, got "nope"',
    ]);
  });

  it('warns about unknown keys and empty new roles', () => {
    const r = loadRoles([{ name: 'empty', colour: 'red' }]);
    assert.ok(r.ok);
    assert.deepEqual(r.warnings, ['Ignoring unrecognized key(s) colour in role empty', 'Role empty has no scopes']);
  });

  it('accepts custom scopes from the registry, and admin restated as is', () => {
    const registry = createScopeRegistry({ customScopes: { 'custom:lab:use': { description: 'use the lab' } } });
    const admin = DEFAULT_ROLES.find((x) => x.name === 'admin');
    assert.ok(loadRoles([{ name: 'lab-user', scopes: ['custom:lab:use!group=g'] }, { name: 'admin', scopes: [...(admin?.scopes ?? [])].reverse(), users: ['root'] }], { registry }).ok);
    assert.equal(loadRoles([{ name: 'lab-user', scopes: ['custom:lab:use'] }]).ok, false);
  });

  it('loadRolesOrThrow lists every problem in one config error', () => {
    assert.throws(() => loadRolesOrThrow([{ name: 'x' }, { name: 'ok-role', scopes: ['nope'] }]),
      (e: unknown) => e instanceof Error && 'code' in e && e.code === 'CONFIG_INVALID' && /load_roles\[0\].*\n.*load_roles\[1\]/s.test(e.message));
    assert.throws(() => loadRolesOrThrow({ name: 'x' }), /must be a list of role definitions/);
  });
});

describe('roles to scopes', () => {
  it('unions raw scopes and expands them for the owner', () => {
    assert.deepEqual([...rolesToScopes([{ scopes: ['a', 'b'] }, { scopes: ['b', 'c'] }])], ['a', 'b', 'c']);
    const server = DEFAULT_ROLES.find((r) => r.name === 'server');
    const scopes = rolesToExpandedScopes(server ? [server] : [], { kind: 'user', name: 'ann' });
    assert.deepEqual([...scopes.scopes].sort(), ['access:servers!user=ann', 'read:users:activity!user=ann', 'users:activity!user=ann']);
  });

  it('rejects custom scopes that break the rules, with the rule in the message', () => {
    assert.throws(() => defineCustomScopes({ 'lab:read': { description: 'x' } }, JUPYTERHUB_3_0_SCOPES), /Invalid scope name: 'lab:read'\. Custom scopes must start with `custom:`/);
    assert.throws(() => defineCustomScopes({ 'custom:a:b': { description: 'x', subscopes: ['read:users'] } }, JUPYTERHUB_3_0_SCOPES), /non-custom subscope read:users is not allowed/);
    assert.throws(() => defineCustomScopes({ 'read:users': { description: 'x' } }, JUPYTERHUB_3_0_SCOPES), /Cannot redefine scope read:users/);
    assert.throws(() => defineCustomScopes({ 'custom:a:b': {} }, JUPYTERHUB_3_0_SCOPES), /missing key 'description'/);
    const { warnings } = defineCustomScopes({ 'custom:a:b': { description: 'x', colour: 'red' } }, JUPYTERHUB_3_0_SCOPES);
    assert.deepEqual(warnings, ['Ignoring unrecognized key(s) colour in custom scope custom:a:b']);
  });
});
