import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HubError } from '../../src/lib/errors.js';
import { pyQuote, routespecFromChpPath, routespecToChpPath, validateRoutespec } from '../../src/daemon/proxy/chp-routespec.js';

test('routespec -> CHP path, as ConfigurableHTTPProxy._routespec_to_chp_path', () => {
  assert.equal(routespecToChpPath('/', false), '/');
  assert.equal(routespecToChpPath('/user/ann/', false), '/user/ann');
  assert.equal(routespecToChpPath('/user/ann', false), '/user/ann');
  assert.equal(routespecToChpPath('ann.hub.test/user/ann/', true), '/ann.hub.test/user/ann');
  assert.equal(routespecToChpPath('/', true), '/');
});

test('host routes only with host routing, and only host routes then (validate_routespec)', () => {
  assert.throws(() => validateRoutespec('ann.hub.test/user/ann/', false), (e: unknown) => e instanceof HubError && e.code === 'USAGE');
  assert.throws(() => validateRoutespec('/user/ann/', true), HubError);
  assert.equal(validateRoutespec('/user/ann', false), '/user/ann/');
});

test('CHP path -> routespec re-escapes as Python quote(safe="@/~") and restores the trailing slash', () => {
  assert.equal(routespecFromChpPath('/user/ann', false), '/user/ann/');
  assert.equal(routespecFromChpPath('/', false), '/');
  assert.equal(routespecFromChpPath('/user/a b', false), '/user/a%20b/');
  assert.equal(routespecFromChpPath('/user/a@b~c', false), '/user/a@b~c/');
  assert.equal(routespecFromChpPath('/ann.hub.test/user/ann', true), 'ann.hub.test/user/ann/');
  assert.equal(routespecFromChpPath('/', true), '/');
});

test('pyQuote matches urllib.parse.quote for the characters usernames bring', () => {
  assert.equal(pyQuote("a!b'c(d)e*f"), 'a%21b%27c%28d%29e%2Af');
  assert.equal(pyQuote('ünï'), '%C3%BCn%C3%AF');
  assert.equal(pyQuote('a+b&c=d'), 'a%2Bb%26c%3Dd');
  assert.equal(pyQuote('A-Z_a.z~0/9@'), 'A-Z_a.z~0/9@');
});
