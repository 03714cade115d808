import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { hostWithoutPort, routingPath } from '../../src/daemon/proxy/request-path.js';

function req(url: string, host?: string): IncomingMessage {
  return { url, headers: host === undefined ? {} : { host } } as unknown as IncomingMessage;
}

test('the query is not part of the routing path; percent-escapes are decoded', () => {
  assert.equal(routingPath(req('/user/ann/tree?x=1'), false), '/user/ann/tree');
  assert.equal(routingPath(req('/user/a%40b/lab'), false), '/user/a@b/lab');
  assert.equal(routingPath(req('/user/a%20b/'), false), '/user/a b/');
});

test('dot segments are resolved before matching, as http-proxy-3 resolves the path it forwards (CHP 5.x)', () => {
  assert.equal(routingPath(req('/user/ann/../bob/api'), false), '/user/bob/api');
  assert.equal(routingPath(req('/user/ann/%2e%2e/bob/'), false), '/user/bob/');
  assert.equal(routingPath(req('/static/app.js'), false), '/static/app.js');
});

test('an undecodable escape is kept as written, so the request still reaches its route and its backend answers', () => {
  assert.equal(routingPath(req('/user/%zz/'), false), '/user/%zz/');
  assert.equal(routingPath(req('/hub/api/users/%ff'), false), '/hub/api/users/%ff');
  assert.equal(routingPath(req('/user/a%40b/%E0%A4%A/x'), false), '/user/a@b/%E0%A4%A/x');
  assert.equal(routingPath(req('/user/a%40b/100%'), false), '/user/a@b/100%');
});

test('host routing puts the host, without port, first', () => {
  assert.equal(routingPath(req('/user/ann/', 'ann.hub.test:8443'), true), '/ann.hub.test/user/ann/');
  assert.equal(hostWithoutPort('[::1]:8000'), '[::1]');
  assert.equal(hostWithoutPort('hub.test'), 'hub.test');
  assert.equal(hostWithoutPort(undefined), '');
});
