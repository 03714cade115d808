import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startApiTestHub, type ApiTestHub } from '../helpers/openapi.js';
import type { ShutdownOptions } from '../../src/daemon/api/routes/shutdown.js';

type Model = Record<string, unknown>;

describe('hub-level API: version, info, services, proxy, shutdown', () => {
  let h: ApiTestHub;
  before(async () => {
    h = await startApiTestHub(['JupyterHub.services=[{"name":"admin-svc","api_token":"api-test-admin-service-token-0123456789","admin":true},{"name":"web","url":"http://127.0.0.1:9999","info":{"team":"x"},"display":false}]']);
  });
  after(async () => h.stop());

  it('every reply carries X-JupyterHub-Version 3.0.0; GET / needs no token', async () => {
    const r = await h.api('GET', '/', { token: null });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { version: '3.0.0' });
    assert.equal(r.headers['x-jupyterhub-version'], '3.0.0');
    assert.equal((await h.api('GET', '/users/nobody')).headers['x-jupyterhub-version'], '3.0.0');
  });

  it('info needs read:hub', async () => {
    const r = await h.api('GET', '/info');
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.body as Model).sort(), ['authenticator', 'python', 'spawner', 'sys_executable', 'version']);
    assert.equal((await h.api('GET', '/info', { token: await h.tokenWith(['read:users']) })).status, 403);
  });

  it('services: a dict of models; read:services:name shows kind, name, admin; unknown is a 404', async () => {
    const all = (await h.api('GET', '/services')).body as Record<string, Model>;
    assert.deepEqual(Object.keys(all).sort(), ['admin-svc', 'web']);
    assert.equal(all.web?.prefix, '/services/web/');
    assert.equal(all.web?.url, 'http://127.0.0.1:9999');
    assert.deepEqual(all.web?.info, { team: 'x' });
    assert.equal(all.web?.display, false);
    assert.deepEqual(all['admin-svc']?.roles, ['admin']);
    const names = await h.tokenWith(['read:services:name']);
    assert.deepEqual((await h.api('GET', '/services/web', { token: names })).body, { kind: 'service', name: 'web', admin: false });
    assert.equal((await h.api('GET', '/services/nope')).status, 404);
    const one = await h.tokenWith(['list:services!service=web']);
    assert.deepEqual(Object.keys((await h.api('GET', '/services', { token: one })).body as Model), ['web']);
  });

  it('proxy: 503 without one; with one, routes (paged by spec), resync, and PATCH to a new proxy', async () => {
    assert.equal((await h.api('GET', '/proxy')).status, 503);
    const calls: string[] = [];
    const routes = Object.fromEntries(['/', '/user/a/', '/user/b/', '/user/c/'].map((k) => [k, { target: 'http://127.0.0.1:1' }]));
    h.deps.proxy = {
      getRoutes: async () => routes,
      sync: async () => void calls.push('sync'),
      reconfigure: async (url, token) => void calls.push(`reconfigure ${url} ${token}`),
    };
    assert.deepEqual((await h.api('GET', '/proxy')).body, routes);
    assert.deepEqual(Object.keys((await h.api('GET', '/proxy?offset=1&limit=2')).body as Model), ['/user/a/', '/user/b/']);
    const env = (await h.api('GET', '/proxy?limit=3', { headers: { accept: 'application/jupyterhub-pagination+json' } })).body as { _pagination: Model };
    assert.equal(env._pagination.total, 4);
    assert.equal((await h.api('POST', '/proxy')).status, 200);
    assert.equal((await h.api('PATCH', '/proxy', { body: { api_url: 'http://127.0.0.1:8001', auth_token: 'x' } })).status, 200);
    assert.equal((await h.api('PATCH', '/proxy')).status, 400);
    assert.equal((await h.api('PATCH', '/proxy', { body: ['x'] })).status, 400);
    assert.equal((await h.api('PATCH', '/proxy', { body: { api_url: 5 } })).status, 400);
    assert.deepEqual(calls, ['sync', 'reconfigure http://127.0.0.1:8001 x']);
    assert.equal((await h.api('GET', '/proxy', { token: await h.tokenWith(['read:hub']) })).status, 403);
    h.deps.proxy = undefined;
  });

  it('shutdown: 202 then the callback with the options; 400 for non-booleans; 403 without the scope', async () => {
    const seen: ShutdownOptions[] = [];
    h.deps.shutdown = (o) => void seen.push(o);
    assert.equal((await h.api('POST', '/shutdown', { body: { proxy: 'yes' } })).status, 400);
    assert.equal((await h.api('POST', '/shutdown', { token: await h.tokenWith(['admin:users']) })).status, 403);
    const r = await h.api('POST', '/shutdown', { body: { servers: false, proxy: true } });
    assert.equal(r.status, 202);
    assert.deepEqual(r.body, { message: 'Shutting down Hub' });
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(seen, [{ servers: false, proxy: true }]);
    h.deps.shutdown = undefined;
  });
});
