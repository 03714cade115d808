import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RouteTable, parseTarget } from '../../src/daemon/proxy/route-table.js';

test('routes are stored under the canonical prefix, with data and an ISO last_activity in JSON', () => {
  let now = Date.parse('2026-01-02T03:04:05.678Z');
  const table = new RouteTable({ now: () => now });
  table.add('/user/ann/', { target: 'http://127.0.0.1:5000', jupyterhub: true, user: 'ann' });
  assert.deepEqual(table.toJson(), {
    '/user/ann': { target: 'http://127.0.0.1:5000', jupyterhub: true, user: 'ann', last_activity: '2026-01-02T03:04:05.678Z' },
  });
  now += 1000;
  assert.equal(table.get('user/ann')?.prefix, '/user/ann');
});

test('a posted last_activity is ignored: the proxy owns it', () => {
  const table = new RouteTable({ now: () => 0 });
  table.add('/a', { target: 'http://h:1', last_activity: '2000-01-01T00:00:00.000Z' });
  assert.equal(table.toJson()['/a']?.last_activity, '1970-01-01T00:00:00.000Z');
});

test('re-adding keeps the entry object (in-flight requests keep counting) but replaces data and target', () => {
  let now = 1;
  const table = new RouteTable({ now: () => now });
  const first = table.add('/a', { target: 'http://h:1', old: true });
  now = 2;
  const second = table.add('/a/', { target: 'http://h:2', fresh: true });
  assert.equal(first, second);
  assert.equal(second.targetUrl.port, '2');
  assert.deepEqual(second.data, { target: 'http://h:2', fresh: true });
  assert.equal(second.lastActivity, 2);
  assert.equal(table.size, 1);
  assert.equal(table.match('/a/x'), second);
});

test('inactive since: strictly older routes only', () => {
  let now = 100;
  const table = new RouteTable({ now: () => now });
  table.add('/old', { target: 'http://h:1' });
  now = 200;
  table.add('/new', { target: 'http://h:1' });
  assert.deepEqual(Object.keys(table.toJson(200)), ['/old']);
  assert.deepEqual(Object.keys(table.toJson(100)), []);
  assert.deepEqual(Object.keys(table.toJson(201)), ['/old', '/new']);
});

test('remove takes the route out of both the list and the matcher', () => {
  const table = new RouteTable();
  table.add('/', { target: 'http://hub:8081' });
  table.add('/user/ann', { target: 'http://h:1' });
  assert.equal(table.remove('/user/ann/'), true);
  assert.equal(table.remove('/user/ann'), false);
  assert.equal(table.match('/user/ann/tree')?.prefix, '/');
  assert.deepEqual(Object.keys(table.toJson()), ['/']);
});

test('with host routing, the host of a route is recorded in its data (as CHP)', () => {
  const table = new RouteTable({ hostRouting: true });
  table.add('/ann.hub.test/user/ann', { target: 'http://h:1' });
  table.add('/', { target: 'http://hub:1' });
  assert.equal(table.get('/ann.hub.test/user/ann')?.data.host, 'ann.hub.test');
  assert.equal(table.get('/')?.data.host, undefined);
});

test('targets must be http(s)/ws(s) URLs', () => {
  assert.equal(parseTarget('http://127.0.0.1:8888')?.port, '8888');
  assert.ok(parseTarget('https://host.example/prefix'));
  assert.equal(parseTarget('127.0.0.1:8888'), undefined);
  assert.equal(parseTarget('file:///etc/passwd'), undefined);
  assert.equal(parseTarget('not a url'), undefined);
  assert.throws(() => new RouteTable().add('/x', { target: 'nope' }), TypeError);
});
