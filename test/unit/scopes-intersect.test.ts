import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  JUPYTERHUB_3_0_REGISTRY, ScopeError, checkTokenScopes, expandScopes, intersectScopes, requestedTokenScopes,
  resolveTokenScopes, rolesToExpandedScopes, toExpandedScopes, type GroupMembership,
} from '../../src/daemon/auth/scopes/index.js';
import { pyStrings, runPythonScopes, type PyResponse } from '../helpers/python-scopes.js';

const MEMBERSHIP: Record<string, string[]> = { alice: ['staff'], bob: ['staff', 'students'], carol: [], dave: ['students'] };
const inAnyGroup: GroupMembership = (user, groups) => (MEMBERSHIP[user] ?? []).some((g) => groups.has(g));

const HAND_PAIRS: [string[], string[]][] = [
  [['read:users'], ['read:users!user=alice']],
  [['read:users!user=alice', 'read:users!user=bob'], ['read:users!user=bob', 'read:users!user=carol']],
  [['servers!server=alice/foo'], ['servers!user=alice']],
  [['servers!server=alice/foo', 'servers!server=bob/'], ['servers!user=alice']],
  [['servers!server=alice/foo'], ['servers!group=staff']],
  [['servers!server=dave/x'], ['servers!group=staff']],
  [['read:users!user=alice'], ['read:users!group=staff']],
  [['read:users!user=carol'], ['read:users!group=staff']],
  [['read:users!group=staff'], ['read:users!group=students']],
  [['read:users!group=staff', 'read:users!user=dave'], ['read:users!user=dave', 'read:users!group=students']],
  [['users', 'servers!user=alice'], ['read:users!user=bob', 'servers']],
  [['access:servers!server=alice/x'], ['access:servers!user=alice', 'access:servers!server=alice/x']],
  [['read:users!user=ghost'], ['read:users!group=staff']],
  [['proxy', 'shutdown'], ['read:hub']],
];

/** Seeded so a failure reproduces; the universe is small so filters collide often. */
function randomPairs(count: number, seed: number): [string[], string[]][] {
  let state = seed;
  const next = (n: number): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
  const bases = ['read:users', 'servers', 'access:servers'];
  const filters = ['', '!user=alice', '!user=bob', '!user=carol', '!server=alice/', '!server=alice/x', '!server=bob/',
    '!server=dave/y', '!group=staff', '!group=students'];
  const side = (): string[] => Array.from({ length: 1 + next(4) }, () => `${bases[next(bases.length)] ?? ''}${filters[next(filters.length)] ?? ''}`);
  return Array.from({ length: count }, () => [side(), side()]);
}

const PAIRS = [...HAND_PAIRS, ...randomPairs(300, 20261125)];
const sorted = (it: Iterable<string>): string[] => [...it].sort();

describe('scope intersection vs JupyterHub 3.0 _intersect_expanded_scopes', () => {
  let results: PyResponse[] = [];
  before(async () => {
    results = await runPythonScopes(PAIRS.flatMap(([a, b]) => [
      { op: 'intersect' as const, a, b, db: true },
      { op: 'intersect' as const, a, b, db: false },
    ]), MEMBERSHIP);
  });

  it(`matches with group membership (db) and without, both orders (${PAIRS.length * 2} cases)`, () => {
    for (const [i, [a, b]] of PAIRS.entries()) {
      const ea = toExpandedScopes(a);
      const eb = toExpandedScopes(b);
      const label = `${JSON.stringify(a)} & ${JSON.stringify(b)}`;
      assert.deepEqual(sorted(intersectScopes(ea, eb, inAnyGroup).scopes), pyStrings(results[2 * i]), `${label} (db)`);
      assert.deepEqual(sorted(intersectScopes(eb, ea, inAnyGroup).scopes), pyStrings(results[2 * i]), `${label} (db, swapped)`);
      assert.deepEqual(sorted(intersectScopes(ea, eb).scopes), pyStrings(results[2 * i + 1]), `${label} (no db)`);
    }
  });
});

describe('scope intersection (hand-written)', () => {
  it('a server filter survives against its user, not against another user', () => {
    const r = intersectScopes(toExpandedScopes(['servers!server=ann/x', 'servers!server=bo/']), toExpandedScopes(['servers!user=ann']));
    assert.deepEqual(sorted(r.scopes), ['servers!server=ann/x']);
  });

  it('resolves group filters only through the membership callback', () => {
    const a = toExpandedScopes(['read:users!user=alice', 'read:users!user=carol']);
    const b = toExpandedScopes(['read:users!group=staff']);
    assert.deepEqual(sorted(intersectScopes(a, b, inAnyGroup).scopes), ['read:users!user=alice']);
    assert.deepEqual(sorted(intersectScopes(a, b).scopes), []);
  });
});

describe('token scopes', () => {
  const owner = { kind: 'user' as const, name: 'alice' };
  const ownerScopes = rolesToExpandedScopes([{ scopes: ['self'] }], owner);

  it("'inherit' gives exactly the owner's scopes", () => {
    assert.equal(resolveTokenScopes({ tokenScopes: ['inherit'], owner, ownerScopes }).scopes, ownerScopes);
  });

  it('keeps what the owner holds, adds identify scopes, and reports the rest as discarded', () => {
    const r = resolveTokenScopes({ tokenScopes: ['read:users', 'servers!user'], owner, ownerScopes });
    assert.ok(r.scopes.scopes.has('servers!user=alice') && r.scopes.scopes.has('read:users:groups!user=alice'));
    assert.ok(!r.scopes.scopes.has('read:users'));
    assert.ok(r.discarded.has('read:users') && r.discarded.has('list:users') === false);
  });

  it('OAuth tokens also carry access to the issuing server when the owner has it', () => {
    const r = resolveTokenScopes({ tokenScopes: [], owner, ownerScopes, oauthClient: { kind: 'server', user: 'alice', server: 'lab' } });
    assert.deepEqual(sorted(r.scopes.scopes), ['access:servers!server=alice/lab', 'read:users:groups!user=alice', 'read:users:name!user=alice']);
  });

  it('refuses to issue scopes the owner lacks, naming them', () => {
    assert.doesNotThrow(() => checkTokenScopes(['read:users!user=alice', 'inherit'], { owner, ownerScopes }));
    assert.throws(() => checkTokenScopes(['admin:users'], { owner, ownerScopes }),
      (e: unknown) => e instanceof ScopeError && e.reason === 'excess-scopes' && /Not assigning requested scopes .*admin:users.* not held by User alice/.test(e.message));
    assert.throws(() => checkTokenScopes(['read:userz'], { owner, ownerScopes }), /Scope 'read:userz' for token does not exist/);
  });

  it('resolves a token request to raw scopes: scopes, roles, or the token role', () => {
    const roles: Record<string, { scopes: string[] }> = { token: { scopes: ['inherit'] }, reader: { scopes: ['read:users', 'read:hub'] } };
    const find = (n: string): { scopes: string[] } | undefined => roles[n];
    assert.deepEqual(requestedTokenScopes({ scopes: ['read:hub'] }, find), ['read:hub']);
    assert.deepEqual(requestedTokenScopes({ roles: ['reader'] }, find), ['read:users', 'read:hub']);
    assert.deepEqual(requestedTokenScopes({}, find), ['inherit']);
    assert.deepEqual(requestedTokenScopes({}, () => undefined), ['inherit']);
    assert.throws(() => requestedTokenScopes({ roles: ['nope'] }, find), /No such role: nope/);
    assert.throws(() => requestedTokenScopes({ roles: ['reader'], scopes: [] }, find), /Can only assign one of scopes or roles/);
  });

  it('expands with the 3.0 registry when asked', () => {
    const r = expandScopes(['servers'], { registry: JUPYTERHUB_3_0_REGISTRY });
    assert.equal(r.scopes.has('start:servers'), false);
  });
});
