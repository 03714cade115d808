import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type HubConfig } from '../../src/lib/config/index.js';
import { HubError } from '../../src/lib/errors.js';
import { parseServiceSpecs } from '../../src/daemon/services/service-spec.js';
import { serviceEnv } from '../../src/daemon/services/service-env.js';
import { serviceHost, serviceRoutespec } from '../../src/daemon/services/service-urls.js';
import { displayedServices } from '../../src/daemon/pages/service-menu.js';

async function configWith(services: unknown[], more: string[] = []): Promise<HubConfig> {
  const cwd = await mkdtemp(path.join(tmpdir(), 'hub-svc-'));
  return (await loadConfig({ cwd, env: {}, overrides: [`JupyterHub.services=${JSON.stringify(services)}`, ...more] })).config;
}

test('service entries are read as JupyterHub reads them: a string command becomes a list, defaults filled in', async () => {
  const [s] = parseServiceSpecs(await configWith([{ name: 'cull', command: '/usr/bin/cull', admin: true }]));
  assert.ok(s);
  assert.deepEqual(s.command, ['/usr/bin/cull']);
  assert.equal(s.admin, true);
  assert.equal(s.display, true);
  assert.equal(s.oauthClientId, null, 'no url, no redirect uri: no OAuth client');
  const [web] = parseServiceSpecs(await configWith([{ name: 'web', url: 'http://127.0.0.1:9999' }]));
  assert.equal(web?.oauthClientId, 'service-web');
});

test('every problem of every service entry is reported at once, with a did-you-mean', async () => {
  const config = await configWith([{ name: 'a', comand: ['x'] }, { url: 'ftp://x' }, { name: 'a', admin: 'yes', environment: { K: ['no'] } }, { name: 'bad name' }]);
  assert.throws(() => parseServiceSpecs(config), (err: unknown) => {
    assert.ok(err instanceof HubError);
    assert.equal(err.code, 'CONFIG_INVALID');
    assert.match(err.message, /services\[0\] \(a\): no such service field comand \(did you mean command\?\)/);
    assert.match(err.message, /services\[1\] has no name/);
    assert.match(err.message, /services\[1\]\.url "ftp:\/\/x" must be an http:\/\/ or https:\/\/ URL/);
    assert.match(err.message, /services\[2\] \(a\)\.admin must be true or false/);
    assert.match(err.message, /services\[2\] \(a\)\.environment must be a mapping of variable names to strings/);
    assert.match(err.message, /services\[2\] \(a\): the name a is used by another service too/);
    assert.match(err.message, /services\[3\] \(bad name\)\.name "bad name" must start with a letter or digit/);
    return true;
  });
});

test('a managed service environment follows JupyterHub: config env, then name/url/prefix, then the account', async () => {
  const config = await configWith([{ name: 'svc', url: 'http://127.0.0.1:10101', command: ['x'], environment: { JUPYTERHUB_SERVICE_NAME: 'overridden', MINE: '1', USER: 'nope' } }], ['JupyterHub.base_url=/jh/']);
  const [spec] = parseServiceSpecs(config);
  assert.ok(spec);
  const env = serviceEnv({ config, spec, apiToken: 't0k', hubApiUrl: 'http://127.0.0.1:8081/jh/hub/api', processEnv: { PATH: '/bin', SECRET: 'x' },
    account: { name: 'svcuser', uid: 1234, gid: 1234, home: '/home/svcuser', shell: '/bin/sh' } });
  assert.equal(env.PATH, '/bin');
  assert.equal(env.SECRET, undefined, 'only env_keep passes through');
  assert.equal(env.JUPYTERHUB_SERVICE_NAME, 'svc', 'the name wins over the config environment');
  assert.equal(env.MINE, '1');
  assert.equal(env.USER, 'svcuser', 'the account wins over the config environment');
  assert.equal(env.JUPYTERHUB_SERVICE_PREFIX, '/jh/services/svc/');
  assert.equal(env.JUPYTERHUB_OAUTH_CALLBACK_URL, '/jh/services/svc/oauth_callback');
  // Byte for byte what JupyterHub 3.0's json.dumps gives (checked against its managed services' environment).
  assert.equal(env.JUPYTERHUB_OAUTH_ACCESS_SCOPES, '["access:services", "access:services!service=svc"]');
  assert.equal(env.JUPYTERHUB_OAUTH_SCOPES, env.JUPYTERHUB_OAUTH_ACCESS_SCOPES);
  assert.equal(env.JUPYTERHUB_OAUTH_CLIENT_ALLOWED_SCOPES, '[]');
  assert.equal(env.JUPYTERHUB_BASE_URL, '/jh/');
  assert.equal(env.JUPYTERHUB_API_TOKEN, 't0k');
  assert.equal(env.JUPYTERHUB_ACTIVITY_URL, undefined);
});

test('with subdomain_host, services are routed on the services. host', async () => {
  const config = await configWith([{ name: 'svc', url: 'http://127.0.0.1:10101' }], ['JupyterHub.subdomain_host=https://hub.example.org']);
  assert.equal(serviceRoutespec(config, 'svc'), 'services.hub.example.org/services/svc/');
});

test('with subdomain_host and a port, the services route has the host name only; their URLs keep the port (app.py init_services)', async () => {
  const config = await configWith([{ name: 'svc', url: 'http://127.0.0.1:10101' }], ['JupyterHub.subdomain_host=http://hub.example.org:8000']);
  assert.equal(serviceRoutespec(config, 'svc'), 'services.hub.example.org/services/svc/');
  assert.equal(serviceHost(config), 'http://services.hub.example.org:8000');
});

test('the Services menu: services with a url and display true, linked on the services host with subdomain_host', async () => {
  const services = [
    { name: 'web', url: 'http://127.0.0.1:0', command: ['x'], info: { a: 1 } }, { name: 'cron', command: ['y'] },
    { name: 'quiet', url: 'http://127.0.0.1:9', display: false }, { name: 'ext', url: 'http://127.0.0.1:8' },
  ];
  const plain = displayedServices(await configWith(services, ['JupyterHub.base_url=/jh/']), new Map([['web', 'http://127.0.0.1:4567']]));
  assert.deepEqual(plain.map((s) => [s.name, s.prefix, s.href, s.url, s.kind]), [
    ['web', '/jh/services/web/', '/jh/services/web/', 'http://127.0.0.1:4567', 'managed'],
    ['ext', '/jh/services/ext/', '/jh/services/ext/', 'http://127.0.0.1:8', 'external'],
  ]);
  assert.deepEqual(plain[0]?.info, { a: 1 });
  const sub = displayedServices(await configWith(services, ['JupyterHub.subdomain_host=https://hub.example.org']), new Map());
  assert.deepEqual(sub.map((s) => [s.prefix, s.href]), [
    ['/services/web/', 'https://services.hub.example.org/services/web/'],
    ['/services/ext/', 'https://services.hub.example.org/services/ext/'],
  ]);
});
