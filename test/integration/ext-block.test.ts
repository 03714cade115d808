import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startTestHub, request } from '../helpers/hub.js';
import { createToken } from '../../src/daemon/db/tokens-repo.js';
import { getUserByName } from '../../src/daemon/db/users-repo.js';

test('blocking a user ends their tokens and sessions at once; unblocking restores API access', async () => {
  const t = await startTestHub({ overrides: ['Authenticator.allowed_users=["alice"]'] });
  try {
    const db = t.hub.db;
    assert.ok(db);
    const alice = await getUserByName(db, 'alice');
    assert.ok(alice);
    const { token } = await createToken(db, { userId: alice.id }, { note: 'cli' });
    const me = { url: `${t.status.hub_url}api/users/alice`, headers: { authorization: `token ${token}` } };
    assert.equal((await request(me)).status, 200);
    const socketPath = path.join(t.dir, '.hub', 'hub.sock');

    const blocked = await request({ socketPath, path: '/hub/ext/users/alice/block', method: 'POST' });
    assert.equal(blocked.status, 200);
    assert.deepEqual(blocked.body, { name: 'alice', blocked: true });
    assert.equal((await request(me)).status, 403, 'the token stops working at once (no cache delay)');
    const after = await getUserByName(db, 'alice');
    assert.notEqual(after?.cookie_id, alice.cookie_id, 'every login cookie is invalidated');
    const list = await request({ socketPath, path: '/hub/ext/blocked' });
    assert.deepEqual(list.body, { items: ['alice'] });

    const unblocked = await request({ socketPath, path: '/hub/ext/users/alice/block', method: 'DELETE' });
    assert.equal(unblocked.status, 204);
    assert.equal((await request(me)).status, 200);
    assert.equal((await request({ socketPath, path: '/hub/ext/users/nobody/block', method: 'POST' })).status, 404);
    // Only admins may block: alice's own token is refused.
    assert.equal((await request({ url: `${t.status.hub_url}ext/users/alice/block`, method: 'POST', headers: { authorization: `token ${token}` } })).status, 403);
  } finally {
    await t.stop();
  }
});
