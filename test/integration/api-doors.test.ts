import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
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

/** Bytes over a fresh TCP connection, and everything the server sends until it closes the connection. */
async function rawExchange(url: string, payload: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const c = net.connect(Number(port), hostname, () => c.write(payload));
    let got = '';
    c.on('data', (d: Buffer) => (got += d.toString('latin1')));
    c.on('error', reject);
    c.on('close', () => resolve(got));
  });
}

test('a method tornado does not support is a 405 on every path as in JupyterHub (JSON on the API), also one Node\'s parser does not know', async () => {
  const t = await startTestHub();
  try {
    const socketPath = path.join(t.dir, '.hub', 'hub.sock');
    const origin = new URL(t.status.hub_url).origin;
    for (const method of ['PROPFIND', 'FOO']) {
      for (const p of ['/hub/api/users', '/hub/api/nope', '/hub/api']) {
        const r = await request({ url: origin + p, method });
        assert.equal(r.status, 405, `${method} ${p}`);
        assert.deepEqual(r.body, { status: 405, message: 'Method Not Allowed' });
        assert.equal(r.headers['content-type'], 'application/json');
        assert.equal(r.headers['x-jupyterhub-version'], '3.0.0', 'the hub\'s headers, as on any answer');
      }
      for (const p of ['/hub/home', '/hub/nope', '/hub', '/', '/user/ann/tree']) {
        const r = await request({ url: origin + p, method });
        assert.equal(r.status, 405, `${method} ${p}`);
        assert.match(String(r.headers['content-type']), /^text\/html/, `${method} ${p}: the error page`);
        assert.match(String(r.body), /405/);
      }
      const viaSocket = await request({ socketPath, path: '/hub/api/users', method });
      assert.deepEqual([viaSocket.status, viaSocket.body], [405, { status: 405, message: 'Method Not Allowed' }]);
    }
    assert.ok(t.logs.some((l) => /^WARNING 405 FOO \/hub\/api\/users \(@127\.0\.0\.1\) [\d.]+ms$/.test(l)), 'logged like any request');
    // Written by hand: the request line and headers as sent, the connection closed after the answer.
    const raw = await rawExchange(t.status.hub_url, 'FOO /hub/api/users?x=1 HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\n{}');
    assert.match(raw, /^HTTP\/1\.1 405 Method Not Allowed\r\n/);
    assert.match(raw, /\r\nConnection: close\r\n/i);
    assert.ok(raw.endsWith('{"status":405,"message":"Method Not Allowed"}'), raw);
    // Other parse errors keep Node's own answer.
    assert.equal(await rawExchange(t.status.hub_url, 'GET /hub/api HTTP/1.1\r\nHost: localhost\r\nno colon here\r\n\r\n'), 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    assert.equal((await request({ url: `${t.status.hub_url}api/` })).status, 200, 'and the hub answers on');
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
