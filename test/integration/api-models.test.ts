/**
 * The list fast path (models/user-model.ts `userModelFilter`) must give exactly what the scopes module's
 * filterUserModel gives, for every combination of held scopes: checked here over a generated set of scope
 * combinations (plain and filtered) and users with and without servers.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expandScopes, filterUserModel } from '../../src/daemon/auth/scopes/index.js';
import { fullUserModel, userModelFilter } from '../../src/daemon/api/models/user-model.js';
import type { UserAggregate } from '../../src/daemon/api/models/user-query.js';
import { FakeServerManager } from '../helpers/openapi.js';

const SCOPES = ['read:users', 'read:users:name', 'read:users:groups', 'read:users:activity', 'read:servers', 'read:roles:users', 'admin:auth_state', 'admin:server_state', 'admin:users', 'admin:servers', 'list:users'];
const FILTERS = ['', '!user=ann', '!user=bob', '!group=crew', '!server=ann/', '!server=ann/gpu'];

function user(name: string, groups: string[]): UserAggregate {
  const when = new Date('2026-01-02T03:04:05Z');
  return {
    id: 1, name, admin: false, created: '2026-01-02T03:04:05Z', lastActivity: null,
    groups, roles: ['user'],
    spawners: [
      { name: '', started: when, last_activity: when, state: { pid: 1 }, user_options: {}, hasServer: true },
      { name: 'gpu', started: null, last_activity: null, state: null, user_options: null, hasServer: false },
    ],
  };
}

/** A deterministic pseudo-random sequence, so a failure names a reproducible case. */
function* combos(count: number): Generator<string[]> {
  let seed = 7;
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (let i = 0; i < count; i++) {
    const k = 1 + next(3);
    yield Array.from({ length: k }, () => `${SCOPES[next(SCOPES.length)]}${FILTERS[next(FILTERS.length)]}`);
  }
}

describe('user model filter', () => {
  it('the fast path equals filterUserModel for 2,000 scope combinations x 3 users x stopped servers on/off', () => {
    const servers = new FakeServerManager();
    servers.set('ann', '', { ready: true, state: { pid: 1 } });
    const users = [user('ann', ['crew']), user('bob', []), user('cy', ['crew'])];
    let compared = 0;
    for (const raw of combos(2000)) {
      const held = expandScopes(raw, { owner: { kind: 'user', name: 'root' } });
      const fast = userModelFilter(held);
      for (const includeStopped of [false, true]) {
        for (const u of users) {
          const full = fullUserModel(u, { baseUrl: '/', subdomainHost: '', servers, includeStopped });
          assert.deepEqual(fast(full), filterUserModel(held, full), `${raw.join(' ')} on ${u.name}`);
          compared++;
        }
      }
    }
    assert.equal(compared, 12_000);
  });
});
