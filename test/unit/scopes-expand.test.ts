import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  BUILTIN_SCOPES, DEFAULT_REGISTRY, JUPYTERHUB_3_0_REGISTRY, JUPYTERHUB_3_0_SCOPES, SELF_SCOPES_3_0, ScopeError,
  createScopeRegistry, expandScope, expandScopes, type OAuthClientRef, type ScopeOwner,
} from '../../src/daemon/auth/scopes/index.js';
import { pyStrings, pyValue, runPythonScopes, type PyClient, type PyRequest, type PyResponse } from '../helpers/python-scopes.js';

const J3 = JUPYTERHUB_3_0_REGISTRY;
const SCOPE_NAMES = Object.keys(JUPYTERHUB_3_0_SCOPES);
const FILTERS = ['', '!user=alice', '!server=alice/foo', '!group=staff', '!service=svc'];

const RAW_SETS: string[][] = [
  ['self'], ['inherit'], ['(no_scope)'], ['admin:users'], ['users', 'read:users!user=bob'],
  ['read:users!user=alice', 'read:users!group=staff'], ['servers!server=alice/foo'], ['read:servers!server=bob/'],
  ['access:servers!server=alice/'], ['users:activity!user', 'access:servers!user'], ['read:services!service'],
  ['servers!server'], ['access:servers!server'], ['self', 'admin:servers'], ['tokens!user', 'read:tokens'],
  ['read:roles!group=staff'], ['self!user=bob'], ['list:users!group=staff', 'read:users:activity'],
  ['read:users:name!user=alice', 'read:users:name'], ['admin:groups!group=staff', 'groups!group=students'],
  ['self', 'read:users!user=bob', 'servers!user'],
  ['admin-ui', 'admin:users', 'admin:servers', 'tokens', 'admin:groups', 'list:services', 'read:services', 'read:hub',
    'proxy', 'shutdown', 'access:services', 'access:servers', 'read:roles', 'read:metrics'],
];
const OWNERS: (ScopeOwner | undefined)[] = [undefined, { kind: 'user', name: 'alice' }, { kind: 'service', name: 'svc' }];
const CLIENTS: (OAuthClientRef | undefined)[] = [undefined, { kind: 'server', user: 'alice', server: 'foo' }, { kind: 'service', service: 'svc2' }];

interface ExpandCase { scopes: string[]; owner?: ScopeOwner; client?: OAuthClientRef }
const EXPAND_CASES: ExpandCase[] = RAW_SETS.flatMap((scopes) =>
  OWNERS.flatMap((owner) => CLIENTS.map((client) => ({ scopes, owner, client }))));

function pyClient(c: OAuthClientRef | undefined): PyClient | undefined {
  if (c === undefined || c.kind === 'hub') return undefined;
  return c;
}

const sorted = (it: Iterable<string>): string[] => [...it].sort();
/** 3.0 emits this for a bare !server on read scopes; it names no user, and we leave it out (expand.ts). */
const withoutEmptyUser = (list: string[]): string[] => list.filter((s) => !s.endsWith('!user='));

describe('scope expansion vs JupyterHub 3.0', () => {
  let defs: PyResponse[] = [];
  let single: PyResponse[] = [];
  let many: PyResponse[] = [];
  before(async () => {
    const singleReqs: PyRequest[] = SCOPE_NAMES.flatMap((n) => FILTERS.map((f) => ({ op: 'expand_scope' as const, scope: n + f })));
    const manyReqs: PyRequest[] = EXPAND_CASES.map((c) => {
      const client = pyClient(c.client);
      return { op: 'expand', scopes: c.scopes, ...(c.owner ? { owner: c.owner } : {}), ...(client ? { client } : {}) };
    });
    const all = await runPythonScopes([{ op: 'definitions' }, { op: 'self', user: 'alice' }, ...singleReqs, ...manyReqs]);
    defs = all.slice(0, 2);
    single = all.slice(2, 2 + singleReqs.length);
    many = all.slice(2 + singleReqs.length);
  });

  it('defines exactly the 3.0 scopes, descriptions and sub-scopes', () => {
    const py = pyValue(defs[0]) as Record<string, { description: string; doc_description?: string; subscopes?: string[] }>;
    assert.deepEqual(Object.keys(JUPYTERHUB_3_0_SCOPES).sort(), Object.keys(py).sort());
    for (const [name, def] of Object.entries(py)) {
      const ours = JUPYTERHUB_3_0_SCOPES[name];
      assert.equal(ours?.description, def.description, name);
      assert.equal(ours?.docDescription, def.doc_description, name);
      assert.deepEqual(ours?.subscopes, def.subscopes, name);
    }
  });

  it("expands 'self' for a user to the same list", () => {
    assert.deepEqual(sorted(SELF_SCOPES_3_0.map((s) => `${s}!user=alice`)), pyStrings(defs[1]));
  });

  it(`expands each scope with each filter kind like _expand_scope (${SCOPE_NAMES.length * FILTERS.length} cases)`, () => {
    assert.equal(single.length, SCOPE_NAMES.length * FILTERS.length);
    let i = 0;
    for (const name of SCOPE_NAMES) {
      for (const filter of FILTERS) {
        assert.deepEqual(sorted(expandScope(name + filter, J3)), pyStrings(single[i]), name + filter);
        i++;
      }
    }
  });

  it(`expands raw scope sets with owners and OAuth clients like expand_scopes (${EXPAND_CASES.length} cases)`, () => {
    for (const [i, c] of EXPAND_CASES.entries()) {
      const warnings: string[] = [];
      const ours = expandScopes(c.scopes, { registry: J3, owner: c.owner, oauthClient: c.client, onWarning: (w) => warnings.push(w) });
      const label = JSON.stringify(c);
      assert.deepEqual(sorted(ours.scopes), withoutEmptyUser(pyStrings(many[i])), label);
      assert.equal(warnings.length, many[i]?.warnings.length, `${label}: warnings ${JSON.stringify(warnings)} vs ${JSON.stringify(many[i]?.warnings)}`);
    }
  });

  it('adds only start:servers beside servers with the later scopes (the default registry)', () => {
    for (const [i, c] of EXPAND_CASES.entries()) {
      const ours = sorted(expandScopes(c.scopes, { owner: c.owner, oauthClient: c.client }).scopes);
      const py = withoutEmptyUser(pyStrings(many[i]));
      assert.deepEqual(ours.filter((s) => !s.startsWith('start:servers')), py, JSON.stringify(c));
      const expectedStart = py.filter((s) => s === 'servers' || s.startsWith('servers!')).map((s) => `start:${s}`);
      assert.deepEqual(ours.filter((s) => s.startsWith('start:servers')), expectedStart, JSON.stringify(c));
    }
  });
});

describe('scope expansion (hand-written)', () => {
  it('keeps every filter kind on every sub-scope', () => {
    assert.deepEqual(sorted(expandScopes(['read:users!group=staff']).scopes),
      ['read:users!group=staff', 'read:users:activity!group=staff', 'read:users:groups!group=staff', 'read:users:name!group=staff']);
    assert.deepEqual(sorted(expandScopes(['tokens!service=svc']).scopes), ['read:tokens!service=svc', 'tokens!service=svc']);
  });

  it('lets a server filter on a read scope read the owning user name', () => {
    assert.deepEqual(sorted(expandScopes(['read:servers!server=bob/lab']).scopes),
      ['read:servers!server=bob/lab', 'read:users:name!server=bob/lab', 'read:users:name!user=bob']);
    assert.deepEqual(sorted(expandScopes(['access:servers!server=bob/']).scopes), ['access:servers!server=bob/']);
  });

  it('binds bare filters to the owner and the OAuth client, and drops unbound ones with a warning', () => {
    const owner: ScopeOwner = { kind: 'user', name: 'ann' };
    assert.deepEqual(sorted(expandScopes(['access:servers!user'], { owner }).scopes), ['access:servers!user=ann']);
    const client: OAuthClientRef = { kind: 'server', user: 'ann', server: 'x' };
    assert.deepEqual(sorted(expandScopes(['access:servers!server'], { owner, oauthClient: client }).scopes), ['access:servers!server=ann/x']);
    assert.deepEqual(sorted(expandScopes(['read:services!service'], { owner: { kind: 'service', name: 's1' } }).scopes),
      ['read:services!service=s1', 'read:services:name!service=s1']);
    const warnings: string[] = [];
    assert.deepEqual(sorted(expandScopes(['access:servers!server', 'read:hub'], { owner, onWarning: (w) => warnings.push(w) }).scopes), ['read:hub']);
    assert.match(warnings.join(), /Not expanding !server filter without target server/);
  });

  it("turns 'self' into the user's scopes, and into nothing (with a warning) for a service", () => {
    const user = expandScopes(['self'], { owner: { kind: 'user', name: 'ann' } });
    assert.ok(user.scopes.has('servers!user=ann') && user.scopes.has('start:servers!user=ann') && !user.scopes.has('self'));
    const warnings: string[] = [];
    assert.equal(expandScopes(['self'], { owner: { kind: 'service', name: 's' }, onWarning: (w) => warnings.push(w) }).scopes.size, 0);
    assert.equal(warnings.length, 1);
  });

  it("keeps 'inherit' for token resolution", () => {
    assert.deepEqual(sorted(expandScopes(['inherit']).scopes), ['inherit']);
  });

  it('reduces: an unfiltered scope swallows its filtered forms', () => {
    assert.deepEqual(sorted(expandScopes(['read:users:name!user=a', 'list:users']).scopes), ['list:users', 'read:users:name']);
  });

  it('refuses unknown scopes and malformed filters with clear errors', () => {
    assert.throws(() => expandScopes(['read:userz']), (e: unknown) => e instanceof ScopeError && e.reason === 'unknown-scope' && /Scope 'read:userz' does not exist/.test(e.message));
    assert.throws(() => expandScopes(['all']), /Draft scope 'all' is now called 'inherit'/);
    assert.throws(() => expandScopes(['read:users!users=a']), (e: unknown) => e instanceof ScopeError && e.reason === 'bad-filter');
    assert.throws(() => expandScopes(['read:users!group']), /Scope filter '!group'/);
    assert.throws(() => expandScopes(['shares', 'nope'], { whoFor: 'role teacher' }), /Scope 'nope' for role teacher does not exist/);
  });

  it('defines the later scopes without touching 3.0 ones other than servers', () => {
    for (const [name, def] of Object.entries(JUPYTERHUB_3_0_SCOPES)) {
      if (name !== 'servers') assert.deepEqual(BUILTIN_SCOPES[name], def, name);
    }
    assert.deepEqual(sorted(DEFAULT_REGISTRY.closure('shares')),
      ['access:servers', 'groups:shares', 'read:groups:shares', 'read:shares', 'read:users:shares', 'shares', 'users:shares']);
    assert.deepEqual(sorted(DEFAULT_REGISTRY.closure('servers')), ['delete:servers', 'read:servers', 'read:users:name', 'servers', 'start:servers']);
    assert.equal(J3.has('start:servers'), false);
  });

  it('a registry expands custom scopes through their custom sub-scopes', () => {
    const registry = createScopeRegistry({
      customScopes: {
        'custom:lab:read': { description: 'read', subscopes: ['custom:lab:read:files'] },
        'custom:lab:read:files': { description: 'files' },
      },
    });
    assert.deepEqual(sorted(expandScopes(['custom:lab:read!user=ann'], { registry }).scopes), ['custom:lab:read!user=ann', 'custom:lab:read:files!user=ann']);
    assert.throws(() => expandScopes(['custom:lab:read']), /does not exist/);
  });
});
