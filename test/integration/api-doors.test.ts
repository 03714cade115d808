import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startTestHub, request } from '../helpers/hub.js';
import { createToken } from '../../src/daemon/db/tokens-repo.js';
import { getUserByName } from '../../src/daemon/db/users-repo.js';

test('two doors: the socket serves the operator at /hub/ whatever base_url; TCP needs tokens and honours base_url', async () => {
  const t = await startTestHub({ overrides: ['JupyterHub.base_url=/jh/', 'Authenticator.admin_users=["alice"]', 'Authenticator.allowed_users=["bob"]'] });
  try {
    const socketPath = path.join(t.dir, '.hub', 'hub.sock');
    assert.match(t.status.hub_url, /\/jh\/hub\/$/);
    const viaSocket = await request({ socketPath, path: '/hub/api/users' });
    assert.equal(viaSocket.status, 200);
    assert.deepEqual((viaSocket.body as { name: string }[]).map((u) => u.name).sort(), ['alice', 'bob']);

    const version = await request({ url: `${t.status.hub_url}api/` });
    assert.equal(version.status, 200);
    assert.equal(version.headers['x-jupyterhub-version'], '3.0.0');
    assert.equal((await request({ url: t.status.hub_url.replace('/jh/', '/') + 'api/' })).status, 404, 'base_url is honoured');

    const db = t.hub.db;
    assert.ok(db);
    const alice = await getUserByName(db, 'alice');
    const bob = await getUserByName(db, 'bob');
    assert.ok(alice && bob);
    const adminToken = (await createToken(db, { userId: alice.id }, { note: 'test' })).token;
    const bobToken = (await createToken(db, { userId: bob.id }, { note: 'test' })).token;

    assert.equal((await request({ url: `${t.status.hub_url}api/users` })).status, 403);
    const asAdmin = await request({ url: `${t.status.hub_url}api/users`, headers: { authorization: `token ${adminToken}` } });
    assert.equal(asAdmin.status, 200);
    const bearer = await request({ url: `${t.status.hub_url}api/users`, headers: { authorization: `Bearer ${adminToken}` } });
    assert.equal(bearer.status, 200, 'bearer works as in JupyterHub');
    const query = await request({ url: `${t.status.hub_url}api/users?token=${adminToken}` });
    assert.equal(query.status, 200, '?token= works as in JupyterHub');
    const asBob = await request({ url: `${t.status.hub_url}api/users`, headers: { authorization: `token ${bobToken}` } });
    assert.equal(asBob.status, 403);
    assert.deepEqual(Object.keys(asBob.body as object).sort(), ['message', 'status']);
    const bobSelf = await request({ url: `${t.status.hub_url}api/users/bob`, headers: { authorization: `token ${bobToken}` } });
    assert.equal(bobSelf.status, 200);
    assert.equal((bobSelf.body as { name: string }).name, 'bob');
    const bobTokens = await request({ url: `${t.status.hub_url}api/users/bob/tokens`, headers: { authorization: `token ${bobToken}` } });
    assert.equal(bobTokens.status, 200);
    const models = (bobTokens.body as { api_tokens: Record<string, unknown>[] }).api_tokens;
    assert.equal(models.length, 1);
    assert.equal(models[0]?.note, 'test');
    assert.ok(!JSON.stringify(bobTokens.body).includes(bobToken), 'the secret is never returned');

    const envelope = await request({ url: `${t.status.hub_url}api/users?limit=1`, headers: { authorization: `token ${adminToken}`, accept: 'application/jupyterhub-pagination+json' } });
    const page = envelope.body as { items: unknown[]; _pagination: { total: number; next: { url: string } } };
    assert.equal(page.items.length, 1);
    assert.equal(page._pagination.total, 2);
    assert.match(page._pagination.next.url, /\/jh\/hub\/api\/users\?limit=1&offset=1/);

    const missing = await request({ url: `${t.status.hub_url}api/nope`, headers: { authorization: `token ${adminToken}` } });
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body, { status: 404, message: `no such path /jh/hub/api/nope` });
    const wrongMethod = await request({ url: `${t.status.hub_url}api/users`, method: 'PUT', headers: { authorization: `token ${adminToken}` } });
    assert.equal(wrongMethod.status, 405);
    const badEscape = await request({ url: `${t.status.hub_url}api/users/%E0%A4%A`, headers: { authorization: `token ${adminToken}` } });
    assert.equal(badEscape.status, 400);
    const noUser = await request({ url: `${t.status.hub_url}api/users/ghost`, headers: { authorization: `token ${adminToken}` } });
    assert.equal(noUser.status, 404);
  } finally {
    await t.stop();
  }
});

test('a failed start undoes what it started: nothing listens, the database is closed', async () => {
  // A cookie secret that is not hex fails after the database stage; the hub must release it again.
  await assert.rejects(startTestHub({ overrides: ['JupyterHub.cookie_secret=nothex'] }), (err: unknown) => {
    assert.ok(err instanceof Error);
    assert.match(err.message, /cookie_secret|hex/);
    return true;
  });
});
