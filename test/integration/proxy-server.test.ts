/**
 * Our ProxyServer in-process, for behaviour where we deliberately differ from CHP 4.5 (and so cannot share
 * the black-box contract): proper HTTP statuses on failed websocket upgrades, undecodable paths routed as written,
 * a backend dying mid-response, and keep-alive to backends.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '../../src/lib/log.js';
import { ProxyServer } from '../../src/daemon/proxy/proxy-server.js';
import { RouteTable } from '../../src/daemon/proxy/route-table.js';
import { startBackend, type Backend } from '../helpers/proxy-backends.js';
import { DEAD_PORT, httpRequest } from '../helpers/proxy-http.js';
import { wsConnect } from '../helpers/proxy-ws.js';

describe('ProxyServer specifics', () => {
  const routes = new RouteTable();
  const proxy = new ProxyServer({ routes, log: silentLogger });
  let backend: Backend;
  let dying: http.Server;
  let base = '';

  before(async () => {
    backend = await startBackend('b');
    // Sends headers and half a body, then drops the connection.
    dying = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Length': '100' });
      res.write('partial');
      setImmediate(() => res.socket?.destroy());
    });
    await new Promise<void>((resolve) => dying.listen(0, '127.0.0.1', () => resolve()));
    routes.add('/b', { target: backend.url });
    routes.add('/dying', { target: `http://127.0.0.1:${(dying.address() as AddressInfo).port}` });
    routes.add('/dead', { target: `http://127.0.0.1:${DEAD_PORT}` });
    base = `http://127.0.0.1:${(await proxy.listen(0, '127.0.0.1')).port}`;
    backend.seen.length = 0;
  });
  after(async () => {
    await proxy.close(0);
    await backend.close();
    dying.closeAllConnections();
    await new Promise<void>((resolve) => dying.close(() => resolve()));
  });

  test('websocket upgrades without a route get a real 404 status line', async () => {
    await assert.rejects(wsConnect(`${base.replace('http', 'ws')}/nowhere`), /unexpected response 404/);
  });

  test('websocket upgrades to a dead backend get 503', async () => {
    await assert.rejects(wsConnect(`${base.replace('http', 'ws')}/dead/ws`), /unexpected response 503/);
  });

  test('an undecodable path goes to its route as written, for the backend to answer (the hub\'s API: JSON), not a crash', async () => {
    backend.seen.length = 0;
    assert.equal((await httpRequest(`${base}/b/%zz/%ff`)).status, 200);
    assert.equal(backend.seen[0]?.url, '/b/%zz/%ff');
    assert.equal((await httpRequest(`${base}/nowhere/%zz`)).status, 404);
    assert.equal((await httpRequest(`${base}/b/ok`)).status, 200);
  });

  test('a backend dying mid-response cuts the client response instead of leaving it hanging', { timeout: 5000 }, async () => {
    await assert.rejects(httpRequest(`${base}/dying/x`), /aborted|socket hang up|ECONNRESET/);
  });

  test('backend connections are kept alive and reused across requests', async () => {
    assert.equal((await httpRequest(`${base}/b/warmup`)).status, 200);
    const before = backend.connections();
    // Each client request is its own connection (agent: false); the proxy's side must not be.
    for (let i = 0; i < 5; i++) assert.equal((await httpRequest(`${base}/b/n${i}`)).status, 200);
    assert.equal(backend.connections(), before);
  });
});

describe('ProxyServer timeouts (CHP --proxy-timeout, --timeout)', () => {
  let backend: Backend;
  const started: ProxyServer[] = [];
  const start = async (opts: { timeout?: number; proxyTimeout?: number }): Promise<string> => {
    const routes = new RouteTable();
    routes.add('/b', { target: backend.url });
    const proxy = new ProxyServer({ routes, log: silentLogger, ...opts });
    started.push(proxy);
    return `http://127.0.0.1:${(await proxy.listen(0, '127.0.0.1')).port}`;
  };
  before(async () => {
    backend = await startBackend('b');
  });
  after(async () => {
    for (const proxy of started) await proxy.close(0);
    await backend.close();
  });

  test('a backend slower than --proxy-timeout is a 503', async () => {
    const base = await start({ proxyTimeout: 100 });
    const res = await httpRequest(`${base}/b/slow`);
    assert.equal(res.status, 503);
    assert.equal((await httpRequest(`${base}/b/fast`)).status, 200);
  });

  test('a request idle longer than --timeout has its client connection cut', async () => {
    const base = await start({ timeout: 100 });
    await assert.rejects(httpRequest(`${base}/b/slow`), /socket hang up|ECONNRESET/);
    assert.equal((await httpRequest(`${base}/b/fast`)).status, 200);
  });
});
