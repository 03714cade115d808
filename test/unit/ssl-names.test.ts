/** The pure parts of internal_ssl: SAN spelling, the trust table, serials, certipy.json parsing. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalAltName, normalizeAltNames } from '../../src/daemon/ssl/alt-names.js';
import { AUTHORITY_NAMES, TRUST_TABLE, trustBundleFileName } from '../../src/daemon/ssl/authorities.js';
import { randomSerialHex } from '../../src/daemon/ssl/cert-builder.js';
import { defaultFiles, linkSignee, parseCertipyStore, serializeCertipyStore } from '../../src/daemon/ssl/certipy-records.js';
import { HubError } from '../../src/lib/errors.js';

const isConfigError = (err: unknown): boolean => err instanceof HubError && err.code === 'CONFIG_INVALID';

test('alt names are written as JupyterHub writes them, and bare names are understood', () => {
  assert.equal(canonicalAltName('DNS:Hub.Example.org'), 'DNS:hub.example.org');
  assert.equal(canonicalAltName('ip:10.0.0.5'), 'IP:10.0.0.5');
  assert.equal(canonicalAltName('IP:0:0:0:0:0:0:0:1'), 'IP:::1');
  assert.equal(canonicalAltName('hub.internal'), 'DNS:hub.internal');
  assert.equal(canonicalAltName('192.168.1.2'), 'IP:192.168.1.2');
  assert.equal(canonicalAltName('::1'), 'IP:::1');
  assert.equal(canonicalAltName('URI:spiffe://hub'), 'URI:spiffe://hub');
  assert.deepEqual(normalizeAltNames(['IP:127.0.0.1', 'DNS:localhost', 'localhost', '127.0.0.1']), ['IP:127.0.0.1', 'DNS:localhost']);
  assert.throws(() => canonicalAltName('IP:not-an-ip'), isConfigError);
  assert.throws(() => canonicalAltName('DNS:'), isConfigError);
  assert.throws(() => canonicalAltName('FOO:bar'), isConfigError);
});

test('the trust table is JupyterHub 3.0 app.py init_internal_ssl, verbatim', () => {
  assert.deepEqual([...TRUST_TABLE['hub-ca']], [...AUTHORITY_NAMES]);
  assert.deepEqual([...TRUST_TABLE['proxy-api-ca']], ['hub-ca', 'services-ca', 'notebooks-ca']);
  assert.deepEqual([...TRUST_TABLE['proxy-client-ca']], ['hub-ca', 'notebooks-ca']);
  assert.deepEqual([...TRUST_TABLE['notebooks-ca']], ['hub-ca', 'proxy-client-ca']);
  assert.deepEqual([...TRUST_TABLE['services-ca']], ['hub-ca', 'proxy-api-ca']);
  assert.equal(trustBundleFileName('notebooks-ca'), 'notebooks-ca_trust.crt');
});

test('serials are random, positive and 16 bytes without a leading zero', () => {
  const serials = new Set(Array.from({ length: 50 }, () => randomSerialHex()));
  assert.equal(serials.size, 50);
  for (const s of serials) {
    assert.match(s, /^[0-9a-f]{32}$/);
    const first = parseInt(s.slice(0, 2), 16);
    assert.ok(first >= 0x40 && first < 0x80, s);
  }
});

test('certipy.json: Certipy paths, sign links, 4-space JSON that parses back; a broken index is a config error', () => {
  const store = {
    'hub-ca': { serial: 0, is_ca: true, parent_ca: '', signees: null, files: defaultFiles('internal-ssl', 'hub-ca', '') },
    'hub-internal': { serial: 0, is_ca: false, parent_ca: '', signees: null, files: defaultFiles('internal-ssl/', 'hub-internal', 'internal-ssl/hub-ca/hub-ca.crt') },
  };
  assert.deepEqual(store['hub-internal'].files, { key: 'internal-ssl/hub-internal/hub-internal.key', cert: 'internal-ssl/hub-internal/hub-internal.crt', ca: 'internal-ssl/hub-ca/hub-ca.crt' });
  linkSignee(store, 'hub-ca', 'hub-internal');
  assert.deepEqual(store['hub-ca'].signees, { 'hub-internal': 1 });
  assert.equal(store['hub-internal'].parent_ca, 'hub-ca');
  const text = serializeCertipyStore(store);
  assert.match(text, /^\{\n {4}"hub-ca": \{\n {8}"serial": 0,/);
  assert.deepEqual(parseCertipyStore(text, 'certipy.json'), store);
  assert.throws(() => parseCertipyStore('{"x": {"files": 3}}', '/s/certipy.json'), (err: unknown) => isConfigError(err) && (err as HubError).message.includes('/s/certipy.json'));
  assert.throws(() => parseCertipyStore('not json', 'certipy.json'), isConfigError);
});
