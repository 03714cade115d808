import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  ENDPOINT_SCOPES, JUPYTERHUB_3_0_REGISTRY, ScopeError, authorize, checkScope, decodePathArg, expandScopes, needsGroups,
  needsScope, scopeFilterFor, toExpandedScopes, type ExpandedScopes, type HttpMethod, type ScopeTarget,
} from '../../src/daemon/auth/scopes/index.js';
import { pyValue, runPythonScopes, type PyResponse } from '../helpers/python-scopes.js';

const MEMBERSHIP: Record<string, string[]> = { alice: ['staff'], bob: ['staff', 'students'], carol: [], dave: ['students'] };
const j3 = (raw: string[], owner?: string): ExpandedScopes =>
  expandScopes(raw, { registry: JUPYTERHUB_3_0_REGISTRY, ...(owner ? { owner: { kind: 'user' as const, name: owner } } : {}) });

const HELD: ExpandedScopes[] = [
  j3(['read:users']), j3(['self'], 'alice'), j3(['read:users!group=staff']), j3(['servers!server=alice/foo']),
  j3(['servers!user=bob']), j3(['servers!group=students']), j3(['read:services!service=svc']),
  j3(['admin:groups!group=staff']), j3([]), j3(['read:users!user=carol', 'read:users:name']),
];
const REQUIRED = ['read:users', 'read:users:name', 'servers', 'read:servers', 'delete:servers', 'read:services', 'read:groups', 'groups'];
type Args = { user_name?: string; server_name?: string; group_name?: string; service_name?: string };
const ARGS: Args[] = [
  {}, { user_name: 'alice' }, { user_name: 'bob' }, { user_name: 'carol' }, { user_name: 'ghost' },
  { user_name: 'alice', server_name: '' }, { user_name: 'alice', server_name: 'foo' }, { user_name: 'bob', server_name: 'x' },
  { user_name: 'dave', server_name: 'y' }, { group_name: 'staff' }, { group_name: 'students' }, { service_name: 'svc' },
  { service_name: 'other' },
];
const CASES = HELD.flatMap((held) => REQUIRED.flatMap((scope) => ARGS.map((args) => ({ held, scope, args }))));

function targetOf(args: Args): ScopeTarget {
  const t: ScopeTarget = {};
  if (args.user_name !== undefined) {
    t.user = args.user_name;
    t.userGroups = MEMBERSHIP[args.user_name] ?? [];
  }
  if (args.server_name !== undefined) t.server = `${args.user_name ?? ''}/${args.server_name}`;
  if (args.group_name !== undefined) t.group = args.group_name;
  if (args.service_name !== undefined) t.service = args.service_name;
  return t;
}

/** A concrete path for one of JupyterHub's URL patterns, and the `:name` path we expect it to match. */
function samplePath(pattern: string): string {
  return pattern.replace(/^\/api/, '').replace(/\/\?$/, '/')
    .replace('(?:/([^/]+))?', '/v')
    .replace(/\/(users|groups|services|servers|tokens|token|cookie)\/\(\[\^\/\][+*]\)/g, (_m, seg: string) => `/${seg}/x-${seg}`);
}

describe('scope checks vs JupyterHub 3.0 _check_scope_access', () => {
  let results: PyResponse[] = [];
  let endpoints: PyResponse | undefined;
  before(async () => {
    const all = await runPythonScopes([
      { op: 'endpoints' },
      ...CASES.map((c) => ({ op: 'check_access' as const, held: [...c.held.scopes], scope: c.scope, args: c.args })),
    ], MEMBERSHIP);
    endpoints = all[0];
    results = all.slice(1);
  });

  it(`grants and refuses alike, with 404 for held-but-filtered (${CASES.length} cases)`, () => {
    for (const [i, c] of CASES.entries()) {
      const py = pyValue(results[i]);
      const label = `${JSON.stringify([...c.held.scopes])} ${c.scope} ${JSON.stringify(c.args)} -> ${String(py)}`;
      assert.equal(checkScope(c.held, c.scope, targetOf(c.args)), py === true, label);
      const decision = authorize(c.held, [c.scope], targetOf(c.args));
      if (py === false) assert.deepEqual(decision.allowed ? 'allowed' : decision.status, 403, label);
      if (py === 'HTTP 404') assert.deepEqual(decision.allowed ? 'allowed' : decision.status, 404, label);
    }
  });

  it('the endpoint table needs what @needs_scope needs (start:servers for starts, by design)', () => {
    const list = pyValue(endpoints) as { pattern: string; method: HttpMethod; scopes: string[] | null }[];
    let compared = 0;
    for (const { pattern, method, scopes } of list) {
      // `/authorizations/token` without a token and POST on it are 404/500 in 3.0, not endpoints; OAuth endpoints
      // authenticate on their own.
      if (pattern.includes('oauth2') || pattern === '/api/authorizations/token' || (pattern.startsWith('/api/authorizations/token') && method === 'POST')) continue;
      const match = needsScope(method, samplePath(pattern));
      assert.ok(match, `${method} ${pattern} (${samplePath(pattern)}) is in the table`);
      const auth = match.endpoint.auth;
      const ours = auth.kind === 'scopes' ? [...auth.anyOf] : null;
      const expected = scopes?.map((s) => (s === 'servers' && method === 'POST' && /server/.test(pattern) && !/admin-access/.test(pattern) ? 'start:servers' : s)) ?? null;
      // POST /users/:user/tokens checks `tokens` inside the handler (it may authenticate from the body).
      if (method === 'POST' && pattern.endsWith('/tokens')) assert.deepEqual(ours, ['tokens']);
      else assert.deepEqual(ours, expected, `${method} ${pattern}`);
      compared++;
    }
    assert.ok(compared >= 30, `compared ${compared} endpoints`);
  });
});

describe('scope checks (hand-written)', () => {
  const self = expandScopes(['self'], { owner: { kind: 'user', name: 'ann' } });

  it('checks each filter kind', () => {
    assert.equal(checkScope(self, 'servers', { user: 'ann' }), true);
    assert.equal(checkScope(self, 'servers', { user: 'bo' }), false);
    assert.equal(checkScope(self, 'start:servers', { user: 'ann', server: 'ann/lab' }), true);
    const server = toExpandedScopes(['access:servers!server=ann/lab']);
    assert.equal(checkScope(server, 'access:servers', { user: 'ann', server: 'ann/lab' }), true);
    assert.equal(checkScope(server, 'access:servers', { user: 'ann', server: 'ann/' }), false);
    assert.equal(checkScope(server, 'access:servers', { user: 'ann' }), false);
    const group = toExpandedScopes(['read:users!group=g1', 'read:groups!group=g1']);
    assert.equal(checkScope(group, 'read:users', { user: 'x', userGroups: ['g0', 'g1'] }), true);
    assert.equal(checkScope(group, 'read:users', { user: 'x' }), false, 'groups unknown: no access');
    assert.equal(checkScope(group, 'read:groups', { group: 'g1' }), true);
    assert.equal(checkScope(group, 'read:groups', { group: 'g2' }), false);
    const svc = toExpandedScopes(['access:services!service=s1']);
    assert.equal(checkScope(svc, 'access:services', { service: 's1' }), true);
    assert.equal(checkScope(svc, 'access:services', { service: 's2' }), false);
    assert.equal(needsGroups(group, 'read:users'), true);
    assert.equal(needsGroups(self, 'read:users'), false);
  });

  it('a filtered scope passes without a target; the list is post-filtered', () => {
    const held = toExpandedScopes(['list:users!user=ann', 'list:users!group=g']);
    assert.equal(checkScope(held, 'list:users'), true);
    assert.deepEqual(authorize(held, ['list:users']), { allowed: true, scope: 'list:users', filtered: true });
    const keep = scopeFilterFor(held, 'list:users');
    const users = [{ name: 'ann', groups: [] }, { name: 'bo', groups: ['g'] }, { name: 'cy', groups: ['h'] }];
    assert.deepEqual(users.filter((u) => keep({ kind: 'user', ...u })).map((u) => u.name), ['ann', 'bo']);
    assert.equal(scopeFilterFor(held, 'read:hub')({ kind: 'user', name: 'ann' }), false);
  });

  it('tries every listed scope before refusing (4.x+ behaviour)', () => {
    const held = toExpandedScopes(['read:users!user=ann', 'read:users:name']);
    assert.deepEqual(authorize(held, ['read:users', 'read:users:name'], { user: 'bo' }), { allowed: true, scope: 'read:users:name', filtered: false });
    const narrow = toExpandedScopes(['read:users!user=ann']);
    const refused = authorize(narrow, ['read:users', 'read:users:name'], { user: 'bo' });
    assert.equal(refused.allowed ? 0 : refused.status, 404);
    const none = authorize(narrow, ['admin:users'], { user: 'ann' });
    assert.ok(!none.allowed && none.status === 403 && /requires any of \[admin:users\]/.test(none.message));
  });

  it('decodes path arguments as tornado does', () => {
    assert.equal(decodePathArg('a%40b.c'), 'a@b.c');
    assert.equal(decodePathArg('a+b'), 'a+b');
    assert.equal(decodePathArg('caf%C3%A9'), 'café');
    assert.equal(decodePathArg('100%'), '100%');
    assert.equal(decodePathArg('%zz%4'), '%zz%4');
    assert.throws(() => decodePathArg('%ff'), (e: unknown) => e instanceof ScopeError && e.reason === 'bad-path-argument');
  });

  it('looks endpoints up with decoded targets', () => {
    const m = needsScope('POST', '/users/a%40b/servers/my%20lab');
    assert.deepEqual(m?.target, { user: 'a@b', server: 'a@b/my lab' });
    assert.deepEqual(m?.endpoint.auth, { kind: 'scopes', anyOf: ['start:servers'] });
    assert.deepEqual(needsScope('DELETE', '/users/ann/server')?.target, { user: 'ann', server: 'ann/' });
    assert.deepEqual(needsScope('GET', '/users/ann/servers/')?.target, undefined, 'no GET on a server in 3.0');
    assert.deepEqual(needsScope('POST', '/users/ann/servers/')?.target, { user: 'ann', server: 'ann/' });
    assert.deepEqual(needsScope('GET', '/groups/g1')?.target, { group: 'g1' });
    assert.equal(needsScope('GET', '/')?.endpoint.auth.kind, 'none');
    assert.equal(needsScope('GET', '/user')?.endpoint.auth.kind, 'token');
    assert.equal(needsScope('GET', '/nope'), undefined);
    assert.equal(needsScope('GET', '/users//tokens'), undefined);
    assert.ok(ENDPOINT_SCOPES.length > 30);
  });
});
