/**
 * Our API in-process, for what the black-box contract cannot compare with CHP 4.5: where CHP 4.5 hangs or
 * differs from 5.x, and our own limits.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../src/lib/log.js';
import { ProxyApi } from '../../src/daemon/proxy/proxy-api.js';
import { RouteTable } from '../../src/daemon/proxy/route-table.js';
import { httpRequest } from '../helpers/proxy-http.js';

describe('ProxyApi specifics', () => {
  const routes = new RouteTable();
  const api = new ProxyApi({ routes, log: silentLogger, authToken: 't0ken', maxBodyBytes: 1024 });
  let base = '';
  const auth = { Authorization: 'token t0ken' };
  before(async () => {
    const address = await api.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${address.port}`;
  });
  after(() => api.close());

  test('DELETE /api/routes without a prefix names the root route (CHP throws and never answers)', async () => {
    routes.add('/', { target: 'http://127.0.0.1:1' });
    assert.equal((await httpRequest(`${base}/api/routes`, { method: 'DELETE', headers: auth })).status, 204);
    assert.equal(routes.get('/'), undefined);
  });

  test('an empty inactive_since means no filter (CHP 5.x; 4.5 answers 400)', async () => {
    routes.add('/x', { target: 'http://127.0.0.1:1' });
    const res = await httpRequest(`${base}/api/routes?inactive_since=`, { headers: auth });
    assert.equal(res.status, 200);
    assert.ok('/x' in (res.json() as object));
  });

  test('an undecodable prefix is 400, a body over the limit 413, a target that is no URL 400', async () => {
    assert.equal((await httpRequest(`${base}/api/routes/user/%zz`, { headers: auth })).status, 400);
    const big = JSON.stringify({ target: 'http://127.0.0.1:1', pad: 'x'.repeat(2000) });
    assert.equal((await httpRequest(`${base}/api/routes/big`, { method: 'POST', headers: auth, body: big })).status, 413);
    assert.equal(routes.get('/big'), undefined);
    const res = await httpRequest(`${base}/api/routes/bad`, { method: 'POST', headers: auth, body: JSON.stringify({ target: 'localhost:80' }) });
    assert.equal(res.status, 400);
    assert.equal(routes.get('/bad'), undefined);
  });

  test('JSON null / array bodies are "no target" (CHP: `JSON.parse(body) || {}`)', async () => {
    for (const body of ['null', '[]', '"x"', '0']) {
      assert.equal((await httpRequest(`${base}/api/routes/n`, { method: 'POST', headers: auth, body })).status, 400, body);
    }
  });
});

describe('ProxyApi without a token', () => {
  const api = new ProxyApi({ routes: new RouteTable(), log: silentLogger });
  let base = '';
  before(async () => {
    base = `http://127.0.0.1:${(await api.listen(0, '127.0.0.1')).port}`;
  });
  after(() => api.close());

  test('is open, as CHP without CONFIGPROXY_AUTH_TOKEN', async () => {
    assert.equal((await httpRequest(`${base}/api/routes`)).status, 200);
    assert.equal((await httpRequest(`${base}/api/routes/a`, { method: 'POST', body: JSON.stringify({ target: 'http://h:1' }) })).status, 201);
  });
});
