import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RouteTrie, canonicalPrefix, pathSegments } from '../../src/daemon/proxy/route-trie.js';

test('segments ignore leading and trailing slashes and keep inner empty ones (as CHP)', () => {
  assert.deepEqual(pathSegments('/'), []);
  assert.deepEqual(pathSegments(''), []);
  assert.deepEqual(pathSegments('/user/ann/'), ['user', 'ann']);
  assert.deepEqual(pathSegments('//a//b//'), ['a', '', 'b']);
  assert.equal(canonicalPrefix('user/ann/'), '/user/ann');
  assert.equal(canonicalPrefix('///'), '/');
  assert.equal(canonicalPrefix('//a//b//'), '/a//b');
});

test('longest prefix wins, by whole segments', () => {
  const t = new RouteTrie<string>();
  t.set('/user/ann', 'ann');
  t.set('/user/ann/deeper', 'deeper');
  t.set('/user', 'users');
  assert.equal(t.match('/user/ann/lab/tree')?.value, 'ann');
  assert.equal(t.match('/user/ann/lab/tree')?.prefix, '/user/ann');
  assert.equal(t.match('/user/ann/deeper/x')?.value, 'deeper');
  assert.equal(t.match('/user/ann')?.value, 'ann');
  assert.equal(t.match('/user/ann/')?.value, 'ann');
  assert.equal(t.match('/user/annabel')?.value, 'users');
  assert.equal(t.match('/user')?.value, 'users');
  assert.equal(t.match('/hub/login'), undefined);
});

test('an intermediate node without a route falls back to the nearest shorter route', () => {
  const t = new RouteTrie<string>();
  t.set('/', 'root');
  t.set('/a/b/c', 'abc');
  assert.equal(t.match('/a/b')?.value, 'root');
  assert.equal(t.match('/a/b/cd')?.value, 'root');
  assert.equal(t.match('/a/b/c/d')?.value, 'abc');
});

test('the root route matches everything and is matched exactly by /', () => {
  const t = new RouteTrie<string>();
  assert.equal(t.match('/'), undefined);
  t.set('/', 'hub');
  assert.equal(t.match('/')?.value, 'hub');
  assert.equal(t.match('/anything/at/all')?.prefix, '/');
  assert.equal(t.get(''), 'hub');
});

test('host routes: the host is simply the first segment', () => {
  const t = new RouteTrie<string>();
  t.set('/ann.hub.test/user/ann', 'ann');
  t.set('/bob.hub.test/', 'bob-all');
  assert.equal(t.match('/ann.hub.test/user/ann/tree')?.value, 'ann');
  assert.equal(t.match('/ann.hub.test/hub/')?.value, undefined);
  assert.equal(t.match('/bob.hub.test/user/ann/tree')?.value, 'bob-all');
});

test('delete removes exactly one route, prunes empty branches, keeps routes above and below', () => {
  const t = new RouteTrie<string>();
  t.set('/a', 'a');
  t.set('/a/b/c', 'abc');
  t.set('/a/b/c/d', 'abcd');
  assert.equal(t.size, 3);
  assert.equal(t.delete('/a/b'), false, 'no route at an intermediate node');
  assert.equal(t.delete('/a/b/c/'), true);
  assert.equal(t.delete('/a/b/c'), false, 'already gone');
  assert.equal(t.size, 2);
  assert.equal(t.match('/a/b/c/x')?.value, 'a');
  assert.equal(t.match('/a/b/c/d/x')?.value, 'abcd');
  assert.equal(t.delete('/a/b/c/d'), true);
  assert.equal(t.match('/a/b/c/d/x')?.value, 'a');
  assert.equal(t.delete('/a'), true);
  assert.equal(t.match('/a'), undefined);
  assert.equal(t.size, 0);
});

test('deleting the root route leaves the others', () => {
  const t = new RouteTrie<string>();
  t.set('/', 'root');
  t.set('/x', 'x');
  assert.equal(t.delete('/'), true);
  assert.equal(t.match('/y'), undefined);
  assert.equal(t.match('/x/y')?.value, 'x');
});

test('set replaces the value at a prefix without growing the count; get is exact', () => {
  const t = new RouteTrie<number>();
  t.set('/p', 1);
  t.set('/p/', 2);
  assert.equal(t.size, 1);
  assert.equal(t.get('/p'), 2);
  assert.equal(t.get('/p/q'), undefined);
  assert.equal(t.get('/'), undefined);
});

test('lookups stay correct with many routes (cost is per segment, not per route)', () => {
  const t = new RouteTrie<number>();
  for (let i = 0; i < 20_000; i++) t.set(`/user/u${i}`, i);
  assert.equal(t.size, 20_000);
  assert.equal(t.match('/user/u12345/api/kernels')?.value, 12345);
  assert.equal(t.match('/user/u20000/'), undefined);
  for (let i = 0; i < 20_000; i += 2) t.delete(`/user/u${i}`);
  assert.equal(t.size, 10_000);
  assert.equal(t.match('/user/u12344/x'), undefined);
  assert.equal(t.match('/user/u12345/x')?.value, 12345);
});
