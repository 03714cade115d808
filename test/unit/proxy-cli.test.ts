import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HubError } from '../../src/lib/errors.js';
import { parseProxyArgs } from '../../src/daemon/proxy/proxy-cli.js';
import { buildProxyArgs, buildProxyEnv } from '../../src/daemon/proxy/proxy-args.js';

test("JupyterHub's command line parses (ConfigurableHTTPProxy.start)", () => {
  const config = parseProxyArgs([
    '--ip', '', '--port', '8000', '--api-ip', '127.0.0.1', '--api-port', '8001',
    '--error-target', 'http://127.0.0.1:8081/hub/error', '--log-level', 'info', '--host-routing',
    '--ssl-key', '/k.pem', '--ssl-cert', '/c.pem',
  ]);
  assert.notEqual(config, 'help');
  if (config === 'help') return;
  assert.equal(config.ip, '');
  assert.equal(config.port, 8000);
  assert.equal(config.apiIp, '127.0.0.1');
  assert.equal(config.apiPort, 8001);
  assert.equal(config.errorTarget, 'http://127.0.0.1:8081/hub/error');
  assert.equal(config.hostRouting, true);
  assert.equal(config.sslKey, '/k.pem');
  assert.equal(config.xfwd, true);
});

test("CHP's defaults: port 8000, API on localhost at port+1, info, keep-alive 5 s; '*' means all interfaces", () => {
  const config = parseProxyArgs(['--ip', '*', '--port=9000']);
  assert.notEqual(config, 'help');
  if (config === 'help') return;
  assert.equal(config.ip, '');
  assert.equal(config.apiIp, 'localhost');
  assert.equal(config.apiPort, 9001);
  assert.equal(config.logLevel, 'info');
  assert.equal(config.keepAliveTimeout, 5000);
  const defaults = parseProxyArgs([]);
  assert.ok(defaults !== 'help' && defaults.port === 8000 && defaults.apiPort === 8001);
  const noXfwd = parseProxyArgs(['--no-x-forward', '--log-level', 'DEBUG']);
  assert.ok(noXfwd !== 'help' && noXfwd.xfwd === false && noXfwd.logLevel === 'debug');
});

test('unsupported CHP flags are refused by name, bad values are usage errors', () => {
  const isCode = (code: string) => (err: unknown) => err instanceof HubError && err.code === code;
  assert.throws(() => parseProxyArgs(['--storage-backend', 'x']), isCode('NOT_IMPLEMENTED'));
  assert.throws(() => parseProxyArgs(['--insecure']), isCode('NOT_IMPLEMENTED'));
  assert.throws(() => parseProxyArgs(['--bogus']), isCode('USAGE'));
  assert.throws(() => parseProxyArgs(['--port', '70000']), isCode('USAGE'));
  assert.throws(() => parseProxyArgs(['--log-level', 'loud']), isCode('USAGE'));
  assert.throws(() => parseProxyArgs(['--default-target', '127.0.0.1:8081']), isCode('USAGE'));
  assert.throws(() => parseProxyArgs(['--ssl-key', '/k.pem']), isCode('USAGE'));
  assert.equal(parseProxyArgs(['-h']), 'help');
});

test('buildProxyArgs is what JupyterHub passes; the token is never in it', () => {
  const args = buildProxyArgs({
    ip: '', port: 8000, apiIp: '127.0.0.1', apiPort: 8001, errorTarget: 'http://127.0.0.1:8081/hub/error', hostRouting: true, sslKey: '/k', sslCert: '/c',
  });
  assert.deepEqual(args, [
    '--ip', '', '--port', '8000', '--api-ip', '127.0.0.1', '--api-port', '8001', '--error-target', 'http://127.0.0.1:8081/hub/error',
    '--log-level', 'info', '--host-routing', '--ssl-key', '/k', '--ssl-cert', '/c',
  ]);
  const parsed = parseProxyArgs(args);
  assert.ok(parsed !== 'help' && parsed.hostRouting && parsed.port === 8000);
});

test('buildProxyEnv adds the token; NODE_PATH only for configurable-http-proxy and only when unset', () => {
  const env = buildProxyEnv({ PATH: '/bin' }, 'tok', ['node', 'proxy-main.js']);
  assert.equal(env.CONFIGPROXY_AUTH_TOKEN, 'tok');
  assert.equal(env.NODE_PATH, undefined);
  const kept = buildProxyEnv({ NODE_PATH: '/mine' }, 'tok', ['configurable-http-proxy']);
  assert.equal(kept.NODE_PATH, '/mine');
});
