/**
 * Default target, error target and host routing, black-box against our proxy-main AND the real
 * configurable-http-proxy, with the flags JupyterHub passes (--error-target <hub>/hub/error, --host-routing).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBackend, type Backend } from '../helpers/proxy-backends.js';
import { CHP_AVAILABLE, PROXY_KINDS, startProxyUnderTest, type ProxyUnderTest } from '../helpers/proxy-harness.js';
import { DEAD_PORT, httpRequest } from '../helpers/proxy-http.js';

interface Echo {
  backend: string;
  url: string;
}

for (const kind of PROXY_KINDS) {
  const skip = kind === 'chp' && !CHP_AVAILABLE ? 'configurable-http-proxy not installed' : false;

  describe(`default and error targets (${kind})`, { skip }, () => {
    let hub: Backend;
    let errors: Backend;
    let proxy: ProxyUnderTest;
    let deadPort: number;

    before(async () => {
      [hub, errors] = [await startBackend('hub'), await startBackend('errors')];
      deadPort = DEAD_PORT;
      proxy = await startProxyUnderTest(kind, { defaultTarget: hub.url, errorTarget: `${errors.url}/hub/error` });
      await proxy.api('POST', '/api/routes/user/gone', { body: JSON.stringify({ target: `http://127.0.0.1:${deadPort}` }) });
    });
    after(async () => {
      await proxy.stop();
      await hub.close();
      await errors.close();
    });

    test('paths without a more specific route go to the default target, path intact', async () => {
      const echo = (await httpRequest(`${proxy.publicUrl}/hub/login?next=%2Fuser%2Fx`)).json() as Echo;
      assert.equal(echo.backend, 'hub');
      assert.equal(echo.url, '/hub/login?next=%2Fuser%2Fx');
    });

    test('503: the error target is asked for /503?url=<original> and its page is relayed with status 503', async () => {
      const res = await httpRequest(`${proxy.publicUrl}/user/gone/lab?x=1`);
      assert.equal(res.status, 503);
      assert.match(String(res.headers['content-type']), /application\/json/);
      const asked = res.json() as Echo;
      assert.equal(asked.backend, 'errors');
      const url = new URL(asked.url, 'http://x');
      assert.equal(url.pathname, '/hub/error/503');
      assert.equal(url.searchParams.get('url'), '/user/gone/lab?x=1');
    });

    test('404 (no route at all) goes to the error target as /404', async () => {
      assert.equal((await proxy.api('DELETE', '/api/routes/')).status, 204);
      try {
        const res = await httpRequest(`${proxy.publicUrl}/nowhere/at/all`);
        assert.equal(res.status, 404);
        const asked = new URL((res.json() as Echo).url, 'http://x');
        assert.equal(asked.pathname, '/hub/error/404');
        assert.equal(asked.searchParams.get('url'), '/nowhere/at/all');
      } finally {
        await proxy.api('POST', '/api/routes/', { body: JSON.stringify({ target: hub.url }) });
      }
    });
  });

  describe(`error target down (${kind})`, { skip }, () => {
    let proxy: ProxyUnderTest;
    before(async () => {
      const dead = DEAD_PORT;
      proxy = await startProxyUnderTest(kind, { errorTarget: `http://127.0.0.1:${dead}/hub/error` });
      await proxy.api('POST', '/api/routes/user/gone', { body: JSON.stringify({ target: `http://127.0.0.1:${dead}` }) });
    });
    after(() => proxy.stop());

    test('the status is still 503 / 404 when the error page cannot be fetched', async () => {
      assert.equal((await httpRequest(`${proxy.publicUrl}/user/gone/x`)).status, 503);
      assert.equal((await httpRequest(`${proxy.publicUrl}/nothing`)).status, 404);
    });
  });

  describe(`host routing (${kind})`, { skip }, () => {
    let backend: Backend;
    let proxy: ProxyUnderTest;
    before(async () => {
      backend = await startBackend('ann');
      proxy = await startProxyUnderTest(kind, { hostRouting: true });
      const res = await proxy.api('POST', '/api/routes/ann.hub.test/user/ann', { body: JSON.stringify({ target: backend.url, jupyterhub: true }) });
      assert.equal(res.status, 201);
    });
    after(async () => {
      await proxy.stop();
      await backend.close();
    });

    test('the Host header (port ignored) is the first segment; the path is forwarded unchanged', async () => {
      const port = new URL(proxy.publicUrl).port;
      const res = await httpRequest(`${proxy.publicUrl}/user/ann/tree`, { headers: { Host: `ann.hub.test:${port}` } });
      assert.equal(res.status, 200);
      assert.equal((res.json() as Echo).url, '/user/ann/tree');
      const other = await httpRequest(`${proxy.publicUrl}/user/ann/tree`, { headers: { Host: `bob.hub.test:${port}` } });
      assert.equal(other.status, 404);
    });

    test('the route records its host in the data, as CHP does', async () => {
      const route = (await proxy.api('GET', '/api/routes/ann.hub.test/user/ann')).json() as Record<string, unknown>;
      assert.equal(route.host, 'ann.hub.test');
      assert.equal(route.target, backend.url);
    });
  });
}
