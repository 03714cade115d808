/**
 * ChpClient, the hub's side of the proxy API, against our proxy-main AND the real configurable-http-proxy:
 * JupyterHub's route shape, the jupyterhub marker, escaping, token mismatch, retries while the proxy is down.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HubError } from '../../src/lib/errors.js';
import { createLogger } from '../../src/lib/log.js';
import { ChpClient } from '../../src/daemon/proxy/chp-client.js';
import { CHP_AVAILABLE, PROXY_KINDS, startProxyUnderTest, type ProxyUnderTest } from '../helpers/proxy-harness.js';
import { freePort } from '../helpers/proxy-http.js';

for (const kind of PROXY_KINDS) {
  const skip = kind === 'chp' && !CHP_AVAILABLE ? 'configurable-http-proxy not installed' : false;

  describe(`ChpClient against ${kind}`, { skip }, () => {
    let proxy: ProxyUnderTest;
    let client: ChpClient;
    const warnings: string[] = [];

    before(async () => {
      proxy = await startProxyUnderTest(kind, { defaultTarget: 'http://127.0.0.1:9' });
      const log = createLogger({ level: 30, format: '%(message)s', datefmt: '', write: (l) => warnings.push(l) });
      client = new ChpClient({ apiUrl: proxy.apiUrl, authToken: proxy.token, log });
    });
    after(async () => {
      client.close();
      await proxy.stop();
    });

    test("addRoute + getAllRoutes: JupyterHub's shape, marker posted and removed, last_activity kept in data", async () => {
      await client.addRoute('/user/ann/', 'http://127.0.0.1:5001', { user: 'ann', server_name: '' });
      const raw = (await proxy.api('GET', '/api/routes/user/ann')).json() as Record<string, unknown>;
      assert.equal(raw.jupyterhub, true);
      const all = await client.getAllRoutes();
      const route = all['/user/ann/'];
      assert.ok(route);
      assert.equal(route.routespec, '/user/ann/');
      assert.equal(route.target, 'http://127.0.0.1:5001');
      assert.equal(route.data.user, 'ann');
      assert.equal(route.data.server_name, '');
      assert.ok(!('jupyterhub' in route.data));
      assert.equal(typeof route.data.last_activity, 'string');
    });

    test('routes without the jupyterhub key (here the --default-target) are not returned', async () => {
      const raw = await client.getRawRoutes();
      assert.ok('/' in raw);
      assert.ok(!('/' in (await client.getAllRoutes())));
    });

    test('the root route added by the hub round-trips as routespec /', async () => {
      await client.addRoute('/', 'http://127.0.0.1:8081', { hub: true });
      const root = await client.getRoute('/');
      assert.deepEqual({ ...root, data: { ...root?.data, last_activity: undefined } }, { routespec: '/', target: 'http://127.0.0.1:8081', data: { hub: true, last_activity: undefined } });
    });

    test('escaped routespecs round-trip (CHP stores them unescaped)', async () => {
      await client.addRoute('/user/a%20b/', 'http://127.0.0.1:5002', { user: 'a b' });
      const raw = await client.getRawRoutes();
      assert.ok('/user/a b' in raw);
      assert.ok('/user/a%20b/' in (await client.getAllRoutes()));
      assert.equal((await client.getRoute('/user/a%20b/'))?.target, 'http://127.0.0.1:5002');
    });

    test('getRoute: present, missing, and a route without a trailing slash', async () => {
      assert.equal((await client.getRoute('/user/ann'))?.routespec, '/user/ann/');
      assert.equal(await client.getRoute('/user/nobody/'), undefined);
    });

    test('deleteRoute removes; deleting again only warns', async () => {
      await client.addRoute('/user/tmp/', 'http://127.0.0.1:5003', {});
      await client.deleteRoute('/user/tmp/');
      assert.equal(await client.getRoute('/user/tmp/'), undefined);
      await client.deleteRoute('/user/tmp/');
      assert.ok(warnings.some((w) => w.includes('/user/tmp/') && w.includes('already deleted')));
    });

    test('getRawRoutes filters by inactiveSince on the proxy side', async () => {
      const future = new Date(Date.now() + 60_000);
      const past = new Date(Date.now() - 3_600_000);
      assert.ok('/user/ann' in (await client.getRawRoutes({ inactiveSince: future })));
      assert.deepEqual(await client.getRawRoutes({ inactiveSince: past }), {});
    });

    test('a wrong token is a HubError that names CONFIGPROXY_AUTH_TOKEN, without retrying', async () => {
      const wrong = new ChpClient({ apiUrl: proxy.apiUrl, authToken: 'not-the-token', retryDeadlineMs: 60_000 });
      const started = Date.now();
      try {
        await assert.rejects(wrong.getAllRoutes(), (err: unknown) => {
          assert.ok(err instanceof HubError);
          assert.equal(err.code, 'FORBIDDEN');
          assert.match(err.message, /CONFIGPROXY_AUTH_TOKEN differs between hub and proxy/);
          assert.ok(!err.message.includes(proxy.token));
          return true;
        });
        assert.ok(Date.now() - started < 5000);
      } finally {
        wrong.close();
      }
    });
  });
}

describe('ChpClient retries', () => {
  test('a call made while the proxy is down is retried and succeeds once it comes up', async () => {
    const apiPort = await freePort();
    const lines: string[] = [];
    const log = createLogger({ level: 30, format: '%(message)s', datefmt: '', write: (l) => lines.push(l) });
    const client = new ChpClient({ apiUrl: `http://127.0.0.1:${apiPort}`, authToken: 'tok', retryDeadlineMs: 20_000, log });
    const pending = client.addRoute('/user/late/', 'http://127.0.0.1:5009', {});
    const proxy = await startProxyUnderTest('ours', { token: 'tok', apiPort });
    try {
      await pending;
      assert.equal((await proxy.api('GET', '/api/routes/user/late')).status, 200);
      assert.ok(lines.some((l) => /ECONNREFUSED.*retrying/.test(l)), 'the first attempts failed and were retried');
    } finally {
      client.close();
      await proxy.stop();
    }
  });

  test('past the deadline, an unreachable proxy is a HubError naming the API URL', async () => {
    const apiPort = await freePort();
    const client = new ChpClient({ apiUrl: `http://127.0.0.1:${apiPort}`, authToken: 'tok', retryDeadlineMs: 300 });
    const started = Date.now();
    await assert.rejects(client.getAllRoutes(), (err: unknown) => {
      assert.ok(err instanceof HubError);
      assert.equal(err.code, 'API_ERROR');
      assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${apiPort}.*ECONNREFUSED`));
      return true;
    });
    assert.ok(Date.now() - started >= 300);
    client.close();
  });
});
