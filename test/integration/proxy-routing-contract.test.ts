/**
 * Proxying behaviour (in the spirit of CHP's proxy_spec), black-box, against our proxy-main AND the real
 * configurable-http-proxy: routing by longest prefix, prefixes kept, X-Forwarded-*, 404/503, websockets,
 * and when last_activity moves.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBackend, type Backend } from '../helpers/proxy-backends.js';
import { CHP_AVAILABLE, PROXY_KINDS, lastActivity, startProxyUnderTest, type ProxyUnderTest } from '../helpers/proxy-harness.js';
import { clockTick, eventually, DEAD_PORT, httpRequest } from '../helpers/proxy-http.js';
import { wsConnect } from '../helpers/proxy-ws.js';

interface Echo {
  backend: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

for (const kind of PROXY_KINDS) {
  describe(`proxying contract (${kind})`, { skip: kind === 'chp' && !CHP_AVAILABLE ? 'configurable-http-proxy not installed' : false }, () => {
    let a: Backend;
    let b: Backend;
    let proxy: ProxyUnderTest;
    let deadPort: number;
    const add = async (prefix: string, target: string): Promise<void> => {
      const res = await proxy.api('POST', `/api/routes${prefix}`, { body: JSON.stringify({ target }) });
      assert.equal(res.status, 201);
    };
    const get = (path: string, headers?: Record<string, string>) => httpRequest(`${proxy.publicUrl}${path}`, { headers });
    /** Activity recorded before this resolves is visible: a later request's activity has shown up. */
    const barrier = async (): Promise<void> => {
      const seen = await lastActivity(proxy, '/barrier');
      await clockTick();
      assert.equal((await get('/barrier/ok')).status, 200);
      await eventually('barrier activity', async () => ((await lastActivity(proxy, '/barrier')) > seen ? true : undefined));
    };

    before(async () => {
      [a, b] = [await startBackend('a'), await startBackend('b')];
      deadPort = DEAD_PORT;
      proxy = await startProxyUnderTest(kind);
      await add('/user/a', a.url);
      await add('/user/a/deeper', b.url);
      await add('/barrier', b.url);
      await add('/dead', `http://127.0.0.1:${deadPort}`);
    });
    after(async () => {
      await proxy.stop();
      await a.close();
      await b.close();
    });

    test('health check answers {"status":"OK"}', async () => {
      const res = await get('/_chp_healthz');
      assert.equal(res.status, 200);
      assert.deepEqual(res.json(), { status: 'OK' });
    });

    test('longest prefix wins, the prefix is not stripped, the query is kept', async () => {
      const one = (await get('/user/a/tree/x?q=1&r=2')).json() as Echo;
      assert.equal(one.backend, 'a');
      assert.equal(one.url, '/user/a/tree/x?q=1&r=2');
      const two = (await get('/user/a/deeper/lab')).json() as Echo;
      assert.equal(two.backend, 'b');
      assert.equal(two.url, '/user/a/deeper/lab');
      assert.equal(((await get('/user/a')).json() as Echo).backend, 'a');
    });

    test('prefixes match whole segments: /user/ab is not under /user/a (404 without a default route)', async () => {
      const res = await get('/user/ab/x');
      assert.equal(res.status, 404);
      assert.match(String(res.headers['content-type']), /text\/html/);
    });

    test('X-Forwarded-For/-Proto/-Port/-Host reach the backend; Host is passed through', async () => {
      const port = new URL(proxy.publicUrl).port;
      const echo = (await get('/user/a/headers')).json() as Echo;
      assert.equal(echo.headers['x-forwarded-for'], '127.0.0.1');
      assert.equal(echo.headers['x-forwarded-proto'], 'http');
      assert.equal(echo.headers['x-forwarded-port'], port);
      assert.equal(echo.headers['x-forwarded-host'], `127.0.0.1:${port}`);
      assert.equal(echo.headers.host, `127.0.0.1:${port}`);
    });

    test('request bodies are forwarded', async () => {
      const res = await httpRequest(`${proxy.publicUrl}/user/a/api/contents`, { method: 'PUT', body: '{"x":1}', headers: { 'Content-Type': 'application/json' } });
      const echo = res.json() as Echo;
      assert.equal(echo.method, 'PUT');
      assert.equal(echo.body, '{"x":1}');
    });

    test('a route whose backend is down answers 503', async () => {
      const res = await get('/dead/anything');
      assert.equal(res.status, 503);
    });

    test('a successful request moves last_activity', async () => {
      const before = await lastActivity(proxy, '/user/a');
      await clockTick();
      assert.equal((await get('/user/a/ok')).status, 200);
      await eventually('activity after 200', async () => ((await lastActivity(proxy, '/user/a')) > before ? true : undefined));
    });

    test('redirects, backend 404s and 503s do not move last_activity', async () => {
      const before = await lastActivity(proxy, '/user/a');
      const dead = await lastActivity(proxy, '/dead');
      await clockTick();
      assert.equal((await get('/user/a/redirect')).status, 302);
      assert.equal((await get('/user/a/notfound')).status, 404);
      assert.equal((await get('/dead/x')).status, 503);
      await barrier();
      assert.equal(await lastActivity(proxy, '/user/a'), before);
      assert.equal(await lastActivity(proxy, '/dead'), dead);
    });

    test('request body chunks count as activity even when the answer is an error (as CHP)', async () => {
      const before = await lastActivity(proxy, '/user/a');
      await clockTick();
      const res = await httpRequest(`${proxy.publicUrl}/user/a/notfound`, { method: 'POST', body: 'payload' });
      assert.equal(res.status, 404);
      await eventually('activity from the body', async () => ((await lastActivity(proxy, '/user/a')) > before ? true : undefined));
    });

    test('websockets: echo through the proxy, prefix kept, X-Forwarded-For on the upgrade', async () => {
      const ws = await wsConnect(`${proxy.publicUrl.replace('http', 'ws')}/user/a/api/kernels/k1/channels?session=s`);
      try {
        ws.send('hello');
        assert.equal(await ws.next(), 'a:hello');
        const seen = a.wsSeen.at(-1);
        assert.equal(seen?.url, '/user/a/api/kernels/k1/channels?session=s');
        assert.equal(seen?.headers['x-forwarded-for'], '127.0.0.1');
      } finally {
        await ws.close();
      }
    });

    test('websocket frames from the client move last_activity', async () => {
      const ws = await wsConnect(`${proxy.publicUrl.replace('http', 'ws')}/user/a/ws`);
      try {
        const before = await lastActivity(proxy, '/user/a');
        await clockTick();
        ws.send('ping');
        assert.equal(await ws.next(), 'a:ping');
        await eventually('activity from a frame', async () => ((await lastActivity(proxy, '/user/a')) > before ? true : undefined));
      } finally {
        await ws.close();
      }
    });

    test('frames pushed by the backend alone do not move last_activity (as CHP)', async () => {
      const before = await lastActivity(proxy, '/user/a');
      await clockTick();
      const ws = await wsConnect(`${proxy.publicUrl.replace('http', 'ws')}/user/a/push`);
      try {
        assert.deepEqual([await ws.next(), await ws.next(), await ws.next()], ['push-1', 'push-2', 'push-3']);
        await barrier();
        assert.equal(await lastActivity(proxy, '/user/a'), before);
      } finally {
        await ws.close();
      }
    });

    test('a websocket to a backend that is down fails', async () => {
      await assert.rejects(wsConnect(`${proxy.publicUrl.replace('http', 'ws')}/dead/ws`));
    });
  });
}
