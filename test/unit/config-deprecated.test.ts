import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/lib/config/index.js';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function load(yml: string, overrides: string[] = []): ReturnType<typeof loadConfig> {
  const dir = await mkdtemp(path.join(tmpdir(), 'hub-cfg-'));
  dirs.push(dir);
  await writeFile(path.join(dir, 'hub.yml'), yml);
  return loadConfig({ cwd: dir, env: {}, overrides });
}

test('JupyterHub.admin_users is used when Authenticator.admin_users is empty, and ignored (with a warning) when it is set, as app.py init_users', async () => {
  const { config, warnings, explicit } = await load('JupyterHub:\n  admin_users: [bob, alice]\nAuthenticator:\n  admin_users: [alice, carol]\n');
  assert.deepEqual([...config.Authenticator.admin_users].sort(), ['alice', 'carol']);
  assert.deepEqual([...config.PAMAuthenticator.admin_users].sort(), ['alice', 'carol']);
  assert.equal(warnings[0], 'hub.yml: JupyterHub.admin_users: DEPRECATED since version 0.7.2, use Authenticator.admin_users instead.');
  assert.match(warnings[1] ?? '', /JupyterHub\.admin_users is ignored because Authenticator\.admin_users is set/);
  assert.ok(explicit.has('Authenticator.admin_users'));
  const alone = await load('JupyterHub:\n  admin_users: [bob]\n');
  assert.deepEqual(alone.config.Authenticator.admin_users, ['bob']);
  assert.ok(alone.explicit.has('Authenticator.admin_users'));
});

test('proxy options move to ConfigurableHTTPProxy, as JupyterHub 3.0 does', async () => {
  const yml = [
    'JupyterHub:',
    '  proxy_cmd: /usr/local/bin/configurable-http-proxy',
    '  proxy_auth_token: secret',
    '  debug_proxy: true',
    '  proxy_check_interval: 12',
    'ConfigurableHTTPProxy:',
    '  command: [other]',
  ].join('\n');
  const { config, warnings, explicit } = await load(yml);
  assert.deepEqual(config.ConfigurableHTTPProxy.command, ['/usr/local/bin/configurable-http-proxy']);
  assert.deepEqual(config.Proxy.command, ['/usr/local/bin/configurable-http-proxy']);
  assert.equal(config.ConfigurableHTTPProxy.auth_token, 'secret');
  assert.equal(config.ConfigurableHTTPProxy.debug, true);
  assert.equal(config.ConfigurableHTTPProxy.check_running_interval, 12);
  assert.ok(explicit.has('ConfigurableHTTPProxy.auth_token'));
  const text = warnings.join('\n');
  assert.match(text, /^hub\.yml: JupyterHub\.proxy_cmd: DEPRECATED since version 0\.8\. Use ConfigurableHTTPProxy\.command$/m);
  assert.match(text, /JupyterHub\.proxy_auth_token: DEPRECATED since version 0\.8: Use ConfigurableHTTPProxy\.auth_token/);
  assert.match(text, /JupyterHub\.debug_proxy: DEPRECATED since version 0\.8: Use ConfigurableHTTPProxy\.debug/);
  assert.match(text, /JupyterHub\.proxy_cmd overrides ConfigurableHTTPProxy\.command from hub\.yml, as in JupyterHub/);
});

test('the old proxy token beats CONFIGPROXY_AUTH_TOKEN, like any configured token', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'hub-cfg-'));
  dirs.push(dir);
  await writeFile(path.join(dir, 'hub.yml'), 'JupyterHub:\n  proxy_auth_token: old\n');
  const { config } = await loadConfig({ cwd: dir, env: { CONFIGPROXY_AUTH_TOKEN: 'env' } });
  assert.equal(config.ConfigurableHTTPProxy.auth_token, 'old');
});

test('proxy_api_ip and proxy_api_port become ConfigurableHTTPProxy.api_url', async () => {
  const both = await load('JupyterHub:\n  proxy_api_ip: 10.1.2.3\n  proxy_api_port: 9001\n');
  assert.equal(both.config.ConfigurableHTTPProxy.api_url, 'http://10.1.2.3:9001');
  assert.equal(both.warnings.length, 2);
  assert.match(both.warnings.join('\n'), /JupyterHub\.proxy_api_ip: DEPRECATED since version 0\.8 : Use ConfigurableHTTPProxy\.api_url/);
  // app.py: the port defaults to the public port + 1.
  const ipOnly = await load('JupyterHub:\n  port: 9000\n  proxy_api_ip: 10.1.2.3\n');
  assert.equal(ipOnly.config.ConfigurableHTTPProxy.api_url, 'http://10.1.2.3:9001');
  const portOnly = await load('JupyterHub:\n  proxy_api_port: 7000\n');
  assert.equal(portOnly.config.ConfigurableHTTPProxy.api_url, 'http://127.0.0.1:7000');
});

test('hub_connect_port becomes hub_connect_url unless that is set', async () => {
  const a = await load('JupyterHub:\n  hub_connect_port: 9090\n  hub_ip: 10.0.0.5\n  base_url: /jh/\n');
  assert.equal(a.config.JupyterHub.hub_connect_url, 'http://10.0.0.5:9090/jh/hub/');
  assert.match(a.warnings.join('\n'), /JupyterHub\.hub_connect_port: DEPRECATED since version 0\.9: Use hub_connect_url/);
  const b = await load('JupyterHub:\n  hub_connect_port: 9090\n  hub_ip: 0.0.0.0\n  hub_connect_ip: hub.internal\n');
  assert.equal(b.config.JupyterHub.hub_connect_url, 'http://hub.internal:9090/hub/');
  const c = await load('JupyterHub:\n  hub_connect_port: 9090\n  hub_ip: 0.0.0.0\n');
  assert.equal(c.config.JupyterHub.hub_connect_url, `http://${hostname()}:9090/hub/`);
  const d = await load('JupyterHub:\n  hub_connect_port: 9090\n  hub_connect_url: http://x:1/hub/\n');
  assert.equal(d.config.JupyterHub.hub_connect_url, 'http://x:1/hub/');
});

test('options that do nothing or have no replacement only warn', async () => {
  const { config, warnings } = await load('JupyterHub:\n  confirm_no_ssl: true\n  extra_log_file: /var/log/hub.log\n');
  assert.equal(config.JupyterHub.confirm_no_ssl, true);
  assert.deepEqual(warnings, [
    'hub.yml: JupyterHub.confirm_no_ssl: DEPRECATED: does nothing',
    'hub.yml: JupyterHub.extra_log_file: DEPRECATED: use output redirection instead, e.g. jupyterhub &>> /var/log/jupyterhub.log',
  ]);
});

test('Authenticator renames apply in the section they are written in', async () => {
  const { config, warnings } = await load('PAMAuthenticator:\n  whitelist: [a]\n  group_whitelist: [staff]\n');
  assert.deepEqual(config.PAMAuthenticator.allowed_users, ['a']);
  assert.deepEqual(config.Authenticator.allowed_users, ['a']);
  assert.deepEqual(config.PAMAuthenticator.allowed_groups, ['staff']);
  assert.deepEqual(config.LocalAuthenticator.allowed_users, []);
  assert.equal(warnings.length, 2);
  assert.match(warnings.join('\n'), /PAMAuthenticator\.whitelist: Deprecated, use `Authenticator\.allowed_users`/);
});

test('a deprecated option set to its default is ignored without a warning (traitlets observers fire on change)', async () => {
  const { config, warnings } = await load('JupyterHub:\n  proxy_cmd: []\n  admin_users: []\n  confirm_no_ssl: false\n  hub_connect_port: 0\n');
  assert.deepEqual(warnings, []);
  assert.deepEqual(config.ConfigurableHTTPProxy.command, ['configurable-http-proxy']);
  assert.equal(config.JupyterHub.hub_connect_url, '');
});

test('deprecated options given as overrides warn with the override as source', async () => {
  const { config, warnings } = await load('', ['JupyterHub.debug_proxy=true']);
  assert.equal(config.ConfigurableHTTPProxy.debug, true);
  assert.deepEqual(warnings, ["override 'JupyterHub.debug_proxy=true': JupyterHub.debug_proxy: DEPRECATED since version 0.8: Use ConfigurableHTTPProxy.debug"]);
});
