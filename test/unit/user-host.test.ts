import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dnsQuote, hubDomain, serverPublicUrl, serverRoutespec, userDomain, userHost } from '../../src/daemon/user-host.js';

test('dnsQuote is user.py _dns_quote (values from JupyterHub 3.0 itself)', () => {
  const cases: [string, string][] = [
    ['ada', 'ada'], ['Ada_B', 'ada_5fb'], ['a@b', 'a_40b'], ['é', '_c3_a9'], ['x~y', 'x_7ey'],
    ["o'k(1)*!", 'o_27k_281_29_2a_21'], ['a.b-c', 'a.b-c'], ['a b/c', 'a_20b_2fc'],
  ];
  for (const [name, label] of cases) assert.equal(dnsQuote(name), label, name);
});

test('user domain, host, url and routespec as user.py: the port only in URLs, the path unchanged', () => {
  const sub = 'https://Hub.Example.org:8443';
  assert.equal(hubDomain(sub), 'hub.example.org');
  assert.equal(userDomain(sub, 'Ada_B'), 'ada_5fb.hub.example.org');
  assert.equal(userHost(sub, 'ada'), 'https://ada.hub.example.org:8443');
  // A port written as the scheme's default stays, as urlparse(...).port keeps it.
  assert.equal(userHost('https://hub.example.org:443', 'ada'), 'https://ada.hub.example.org:443');
  assert.equal(userHost('https://hub.example.org', 'ada'), 'https://ada.hub.example.org');
  assert.equal(serverPublicUrl(sub, '/jh/', 'a@b', ''), 'https://a_40b.hub.example.org:8443/jh/user/a@b/');
  assert.equal(serverPublicUrl(sub, '/', 'ada', 'gpu 1'), 'https://ada.hub.example.org:8443/user/ada/gpu%201/');
  assert.equal(serverRoutespec(sub, '/', 'ada', ''), 'ada.hub.example.org/user/ada/');
});

test('without subdomain_host everything is path-only', () => {
  assert.equal(hubDomain(''), '');
  assert.equal(userHost('', 'ada'), '');
  assert.equal(serverPublicUrl('', '/', 'ada', ''), '/user/ada/');
  assert.equal(serverRoutespec('', '/', 'ada', 'x'), '/user/ada/x/');
});
