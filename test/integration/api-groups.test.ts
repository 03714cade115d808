import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startApiTestHub, type ApiTestHub } from '../helpers/openapi.js';

type Model = Record<string, unknown>;
const PAGED = { accept: 'application/jupyterhub-pagination+json' };

describe('groups API', () => {
  let h: ApiTestHub;
  before(async () => {
    h = await startApiTestHub();
    await h.api('POST', '/users', { body: { usernames: ['ann', 'bob', 'cy'] } });
  });
  after(async () => h.stop());

  it('creates one with members, many at once; 409 for an existing name; unknown members create nothing', async () => {
    const one = await h.api('POST', '/groups/red', { body: { users: ['Ann', 'bob'] } });
    assert.equal(one.status, 201);
    assert.deepEqual(one.body, { kind: 'group', name: 'red', roles: [], users: ['ann', 'bob'], properties: {} });
    assert.equal((await h.api('POST', '/groups/red')).status, 409);
    const many = await h.api('POST', '/groups', { body: { groups: ['blue', 'green'], users: ['cy'] } });
    assert.equal(many.status, 201);
    assert.deepEqual((many.body as Model[]).map((g) => g.users), [['cy'], ['cy']]);
    assert.equal((await h.api('POST', '/groups', { body: { groups: ['pink', 'red'] } })).status, 409);
    assert.equal((await h.api('GET', '/groups/pink')).status, 404, 'all or nothing');
    assert.equal((await h.api('POST', '/groups', { body: { groups: ['pink'], users: ['nobody'] } })).status, 400);
    assert.equal((await h.api('GET', '/groups/pink')).status, 404);
    assert.equal((await h.api('POST', '/groups', { body: { groups: 'pink' } })).status, 400, 'a string is not a list');
    assert.equal((await h.api('POST', '/groups', { body: { groups: [''] } })).status, 400, 'empty name');
  });

  it('adds and removes members; the user model shows groups', async () => {
    const added = await h.api('POST', '/groups/blue/users', { body: { users: ['ann', 'ann', 'cy'] } });
    // In the order added, as JupyterHub lists them: cy was in blue first; ann joined red before blue.
    assert.deepEqual((added.body as Model).users, ['cy', 'ann']);
    assert.deepEqual(((await h.api('GET', '/users/ann')).body as Model).groups, ['red', 'blue']);
    const removed = await h.api('DELETE', '/groups/blue/users', { body: { users: ['ann', 'bob'] } });
    assert.deepEqual((removed.body as Model).users, ['cy']);
    assert.equal((await h.api('POST', '/groups/blue/users', { body: { users: ['nobody'] } })).status, 400);
    assert.equal((await h.api('POST', '/groups/blue/users', { body: {} })).status, 400);
    assert.equal((await h.api('POST', '/groups/blue/users')).status, 400);
    assert.equal((await h.api('POST', '/groups/none/users', { body: { users: [] } })).status, 404);
  });

  it('sets properties (PUT, 4.x) to a JSON dict', async () => {
    const r = await h.api('PUT', '/groups/green/properties', { body: { quota: 5, tags: ['x'] } });
    assert.equal(r.status, 200);
    assert.deepEqual((r.body as Model).properties, { quota: 5, tags: ['x'] });
    assert.deepEqual(((await h.api('GET', '/groups/green')).body as Model).properties, { quota: 5, tags: ['x'] });
    assert.equal((await h.api('PUT', '/groups/green/properties', { body: [1] })).status, 400);
    assert.equal((await h.api('PUT', '/groups/none/properties', { body: {} })).status, 404);
  });

  it('lists with pagination; a !group= filtered list:groups lists only those; read:groups:name shows only the name', async () => {
    const page = (await h.api('GET', '/groups?limit=2', { headers: PAGED })).body as { items: Model[]; _pagination: Model };
    assert.deepEqual(page.items.map((g) => g.name), ['red', 'blue']);
    assert.equal(page._pagination.total, 3);
    const only = await h.tokenWith(['list:groups!group=green', 'read:groups!group=green']);
    assert.deepEqual(((await h.api('GET', '/groups', { token: only })).body as Model[]).map((g) => g.name), ['green']);
    const userFiltered = await h.tokenWith(['list:groups!user=ann']);
    assert.equal((await h.api('GET', '/groups', { token: userFiltered })).status, 403);
    const names = await h.tokenWith(['read:groups:name']);
    assert.deepEqual((await h.api('GET', '/groups/red', { token: names })).body, { kind: 'group', name: 'red' });
  });

  it('deletes groups (204, then 404); Authenticator.manage_groups turns group writes off', async () => {
    assert.equal((await h.api('DELETE', '/groups/green')).status, 204);
    assert.equal((await h.api('DELETE', '/groups/green')).status, 404);
    const managed = await startApiTestHub(['Authenticator.manage_groups=true']);
    try {
      assert.equal((await managed.api('POST', '/groups/x')).status, 400);
      assert.equal((await managed.api('POST', '/groups', { body: { groups: ['x'] } })).status, 400);
      assert.equal((await managed.api('GET', '/groups')).status, 200);
    } finally {
      await managed.stop();
    }
  });
});
