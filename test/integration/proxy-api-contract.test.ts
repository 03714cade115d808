/**
 * CHP's REST API contract (in the spirit of its api_spec), black-box, run against our proxy-main AND the real
 * configurable-http-proxy: whatever passes for both is behaviour JupyterHub can rely on from either.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBackend, type Backend } from '../helpers/proxy-backends.js';
import { CHP_AVAILABLE, PROXY_KINDS, startProxyUnderTest, type ProxyUnderTest } from '../helpers/proxy-harness.js';
import { clockTick, httpRequest } from '../helpers/proxy-http.js';

type Routes = Record<string, Record<string, unknown>>;

for (const kind of PROXY_KINDS) {
  describe(`REST API contract (${kind})`, { skip: kind === 'chp' && !CHP_AVAILABLE ? 'configurable-http-proxy not installed' : false }, () => {
    let backend: Backend;
    let proxy: ProxyUnderTest;

    before(async () => {
      backend = await startBackend('default');
      proxy = await startProxyUnderTest(kind, { defaultTarget: backend.url });
    });
    after(async () => {
      await proxy.stop();
      await backend.close();
    });

    test('GET /api/routes lists the default target as route / with an ISO last_activity', async () => {
      const res = await proxy.api('GET', '/api/routes');
      assert.equal(res.status, 200);
      assert.match(String(res.headers['content-type']), /application\/json/);
      const routes = res.json() as Routes;
      assert.equal(routes['/']?.target, backend.url);
      assert.match(String(routes['/']?.last_activity), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    });

    test('POST stores target and extra data, 201 with an empty body; GET echoes them', async () => {
      const post = await proxy.api('POST', '/api/routes/user/ann', { body: JSON.stringify({ target: 'http://127.0.0.1:9', jupyterhub: true, user: 'ann', n: 3 }) });
      assert.equal(post.status, 201);
      assert.equal(post.text, '');
      const one = await proxy.api('GET', '/api/routes/user/ann');
      assert.equal(one.status, 200);
      const route = one.json() as Record<string, unknown>;
      assert.deepEqual({ ...route, last_activity: undefined }, { target: 'http://127.0.0.1:9', jupyterhub: true, user: 'ann', n: 3, last_activity: undefined });
      const all = (await proxy.api('GET', '/api/routes')).json() as Routes;
      assert.deepEqual(all['/user/ann'], route);
    });

    test('trailing slashes name the same route; keys are stored without one', async () => {
      assert.equal((await proxy.api('POST', '/api/routes/user/bob/', { body: JSON.stringify({ target: 'http://127.0.0.1:9' }) })).status, 201);
      const all = (await proxy.api('GET', '/api/routes')).json() as Routes;
      assert.ok('/user/bob' in all);
      assert.ok(!('/user/bob/' in all));
      assert.equal((await proxy.api('GET', '/api/routes/user/bob/')).status, 200);
      assert.equal((await proxy.api('DELETE', '/api/routes/user/bob/')).status, 204);
      assert.equal((await proxy.api('GET', '/api/routes/user/bob')).status, 404);
    });

    test('POST again replaces the route and its data', async () => {
      await proxy.api('POST', '/api/routes/user/cy', { body: JSON.stringify({ target: 'http://127.0.0.1:9', old: 1 }) });
      await proxy.api('POST', '/api/routes/user/cy', { body: JSON.stringify({ target: 'http://127.0.0.1:10', fresh: 2 }) });
      const route = (await proxy.api('GET', '/api/routes/user/cy')).json() as Record<string, unknown>;
      assert.equal(route.target, 'http://127.0.0.1:10');
      assert.equal(route.fresh, 2);
      assert.ok(!('old' in route));
    });

    test('GET of a missing route is 404 with an empty body; DELETE of one is 404', async () => {
      const get = await proxy.api('GET', '/api/routes/nobody/here');
      assert.equal(get.status, 404);
      assert.equal(get.text, '');
      assert.equal((await proxy.api('DELETE', '/api/routes/nobody/here')).status, 404);
    });

    test('DELETE removes a route: 204, then it is gone from GET', async () => {
      await proxy.api('POST', '/api/routes/user/del', { body: JSON.stringify({ target: 'http://127.0.0.1:9' }) });
      const del = await proxy.api('DELETE', '/api/routes/user/del');
      assert.equal(del.status, 204);
      const all = (await proxy.api('GET', '/api/routes')).json() as Routes;
      assert.ok(!('/user/del' in all));
    });

    test('POST with a body that is not JSON, or a target that is not a string, is 400', async () => {
      assert.equal((await proxy.api('POST', '/api/routes/user/x', { body: 'not json' })).status, 400);
      assert.equal((await proxy.api('POST', '/api/routes/user/x', { body: JSON.stringify({ target: 5 }) })).status, 400);
      assert.equal((await proxy.api('POST', '/api/routes/user/x', { body: JSON.stringify({ user: 'x' }) })).status, 400);
      assert.equal((await proxy.api('GET', '/api/routes/user/x')).status, 404);
    });

    test('missing or wrong token is 403 for every method; `token <t>` is accepted', async () => {
      for (const token of [null, 'wrong']) {
        assert.equal((await proxy.api('GET', '/api/routes', { token })).status, 403);
        assert.equal((await proxy.api('POST', '/api/routes/user/z', { token, body: JSON.stringify({ target: 'http://127.0.0.1:9' }) })).status, 403);
        assert.equal((await proxy.api('DELETE', '/api/routes/user/ann', { token })).status, 403);
      }
      const bearer = await httpRequest(`${proxy.apiUrl}/api/routes`, { headers: { Authorization: `Bearer ${proxy.token}` } });
      assert.equal(bearer.status, 403, 'only the `token` scheme is accepted');
      assert.equal((await proxy.api('GET', '/api/routes/user/z')).status, 404);
      assert.equal((await proxy.api('GET', '/api/routes/user/ann')).status, 200);
    });

    test('other methods are 405, other paths 404', async () => {
      assert.equal((await proxy.api('PUT', '/api/routes/user/ann', { body: '{}' })).status, 405);
      assert.equal((await proxy.api('PATCH', '/api/routes')).status, 405);
      assert.equal((await proxy.api('GET', '/api/other')).status, 404);
      assert.equal((await proxy.api('GET', '/')).status, 404);
    });

    test('inactive_since (and inactiveSince) return only routes idle since then; a bad timestamp is 400', async () => {
      await proxy.api('POST', '/api/routes/idle/old', { body: JSON.stringify({ target: 'http://127.0.0.1:9' }) });
      await clockTick();
      const cut = new Date().toISOString();
      await clockTick();
      await proxy.api('POST', '/api/routes/idle/new', { body: JSON.stringify({ target: 'http://127.0.0.1:9' }) });
      for (const param of ['inactive_since', 'inactiveSince']) {
        const res = await proxy.api('GET', `/api/routes?${param}=${encodeURIComponent(cut)}`);
        assert.equal(res.status, 200);
        const routes = res.json() as Routes;
        assert.ok('/idle/old' in routes, param);
        assert.ok(!('/idle/new' in routes), param);
      }
      const bad = await proxy.api('GET', '/api/routes?inactive_since=not-a-date');
      assert.equal(bad.status, 400);
      assert.match(bad.text, /not-a-date/);
    });

    test('prefixes arrive URL-encoded and are stored decoded', async () => {
      assert.equal((await proxy.api('POST', '/api/routes/user/a%20b', { body: JSON.stringify({ target: 'http://127.0.0.1:9' }) })).status, 201);
      const all = (await proxy.api('GET', '/api/routes')).json() as Routes;
      assert.ok('/user/a b' in all);
      assert.equal((await proxy.api('DELETE', '/api/routes/user/a%20b')).status, 204);
    });

    test('the default route can be deleted and re-added through the API like any other', async () => {
      assert.equal((await proxy.api('DELETE', '/api/routes/')).status, 204);
      assert.ok(!('/' in ((await proxy.api('GET', '/api/routes')).json() as Routes)));
      assert.equal((await proxy.api('POST', '/api/routes/', { body: JSON.stringify({ target: backend.url }) })).status, 201);
      assert.equal((((await proxy.api('GET', '/api/routes')).json() as Routes)['/'])?.target, backend.url);
    });
  });
}
