/** CHP's --api-ssl-* / --client-ssl-* flags: parsed as CHP parses them, built as JupyterHub builds them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildProxyArgs } from '../../src/daemon/proxy/proxy-args.js';
import { parseProxyArgs } from '../../src/daemon/proxy/proxy-cli.js';
import { HubError } from '../../src/lib/errors.js';

const isCode = (code: string) => (err: unknown) => err instanceof HubError && err.code === code;
const api = { keyfile: '/s/proxy-api/proxy-api.key', certfile: '/s/proxy-api/proxy-api.crt', cafile: '/s/proxy-api-ca_trust.crt' };
const client = { keyfile: '/s/proxy-client/proxy-client.key', certfile: '/s/proxy-client/proxy-client.crt', cafile: '/s/proxy-client-ca_trust.crt' };

test('buildProxyArgs appends JupyterHub _get_ssl_options flag for flag, and they parse back', () => {
  const args = buildProxyArgs({ ip: '127.0.0.1', port: 8000, apiIp: '127.0.0.1', apiPort: 8001, apiSsl: api, clientSsl: client });
  assert.deepEqual(args.slice(args.indexOf('--api-ssl-key')), [
    '--api-ssl-key', api.keyfile, '--api-ssl-cert', api.certfile, '--api-ssl-ca', api.cafile, '--api-ssl-request-cert', '--api-ssl-reject-unauthorized',
    '--client-ssl-key', client.keyfile, '--client-ssl-cert', client.certfile, '--client-ssl-ca', client.cafile, '--client-ssl-request-cert',
    '--client-ssl-reject-unauthorized',
  ]);
  const parsed = parseProxyArgs(args);
  assert.ok(parsed !== 'help');
  assert.deepEqual(parsed.apiSsl, { key: api.keyfile, cert: api.certfile, ca: api.cafile, requestCert: true });
  assert.deepEqual(parsed.clientSsl, { key: client.keyfile, cert: client.certfile, ca: client.cafile });
});

test('without TLS flags nothing changes; partial pairs are usage errors', () => {
  const plain = parseProxyArgs([]);
  assert.ok(plain !== 'help' && plain.apiSsl === undefined && plain.clientSsl === undefined);
  assert.ok(!buildProxyArgs({ ip: '', port: 1, apiIp: '', apiPort: 2 }).some((a) => a.includes('ssl')));
  assert.throws(() => parseProxyArgs(['--api-ssl-key', '/k']), isCode('USAGE'));
  assert.throws(() => parseProxyArgs(['--api-ssl-ca', '/ca', '--api-ssl-request-cert']), isCode('USAGE'));
  assert.throws(() => parseProxyArgs(['--client-ssl-cert', '/c']), isCode('USAGE'));
  // Trusting a CA for backends without presenting a certificate is allowed, as in CHP.
  const caOnly = parseProxyArgs(['--client-ssl-ca', '/ca']);
  assert.ok(caOnly !== 'help');
  assert.deepEqual(caOnly.clientSsl, { key: undefined, cert: undefined, ca: '/ca' });
  // Still refused by name: the public listener's client-certificate flags.
  assert.throws(() => parseProxyArgs(['--ssl-request-cert']), isCode('NOT_IMPLEMENTED'));
});
