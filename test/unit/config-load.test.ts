import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, resolveClassRef } from '../../src/lib/config/index.js';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function dirWith(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'hub-cfg-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  return dir;
}

test('no config file: every option has its default, nothing is explicit', async () => {
  const cwd = await dirWith({});
  const loaded = await loadConfig({ cwd, env: {} });
  assert.equal(loaded.filepath, null);
  assert.deepEqual(loaded.warnings, []);
  assert.equal(loaded.explicit.size, 0);
  assert.equal(loaded.config.JupyterHub.port, 8000);
});

test('the search stays in cwd: a hub.yml in the parent directory is not used', async () => {
  const parent = await dirWith({ 'hub.yml': 'JupyterHub:\n  port: 1\n', 'child/.keep': '' });
  const loaded = await loadConfig({ cwd: path.join(parent, 'child'), env: {} });
  assert.equal(loaded.filepath, null);
  assert.equal(loaded.config.JupyterHub.port, 8000);
});

test('an empty file and null sections (all options commented out) are fine', async () => {
  const cwd = await dirWith({ 'hub.yml': '', 'nulls.yml': 'JupyterHub:\nSpawner:\n# port: 1\n' });
  const empty = await loadConfig({ cwd, env: {} });
  assert.equal(empty.filepath, path.join(cwd, 'hub.yml'));
  assert.equal(empty.config.JupyterHub.port, 8000);
  const nulls = await loadConfig({ cwd, env: {}, path: 'nulls.yml' });
  assert.equal(nulls.filepath, path.join(cwd, 'nulls.yml'));
  assert.equal(nulls.explicit.size, 0);
});

test('yml, yaml, json and .hubrc are found and parsed; several candidates give a warning', async () => {
  for (const [name, text] of [
    ['hub.yml', 'JupyterHub:\n  port: 1001\n'],
    ['hub.yaml', 'JupyterHub: {port: 1001}\n'],
    ['hub.json', '{"JupyterHub": {"port": 1001}}'],
    ['.hubrc', 'JupyterHub:\n  port: 1001\n'],
    ['.hubrc.json', '{"JupyterHub": {"port": 1001}}'],
  ] as const) {
    const cwd = await dirWith({ [name]: text });
    const loaded = await loadConfig({ cwd, env: {} });
    assert.equal(loaded.filepath, path.join(cwd, name), name);
    assert.equal(loaded.config.JupyterHub.port, 1001, name);
    assert.deepEqual(loaded.warnings, [], name);
  }
  const cwd = await dirWith({ 'hub.yml': 'JupyterHub: {port: 1}\n', 'hub.json': '{}' });
  const loaded = await loadConfig({ cwd, env: {} });
  assert.equal(loaded.config.JupyterHub.port, 1);
  assert.match(loaded.warnings.join('\n'), /found several config files in .* \(hub\.yml, hub\.json\); using hub\.yml/);
});

test('a JupyterHub jupyterhub_config.py is run by Python as JupyterHub runs it and read like hub.yml', async () => {
  const py = [
    'import os',
    'from jupyterhub.spawner import SimpleLocalProcessSpawner',
    'c = get_config()  # noqa',
    'c.JupyterHub.port = int(os.environ["TEST_HUB_PORT"])',
    'c.JupyterHub.spawner_class = SimpleLocalProcessSpawner',
    "c.JupyterHub.authenticator_class = 'jupyterhub.auth.DummyAuthenticator'",
    "c.Authenticator.admin_users = {'zoe', 'adam'}",
    "c.Spawner.env_keep.append('MY_VAR')",
    "c.Spawner.args = ('--debug',)",
    "c.LocalProcessSpawner.environment = {'A': '1', 'N': '2'}",
    "c.JupyterHub.load_roles = [{'name': 'readers', 'scopes': ['read:users'], 'users': ['zoe']}]",
    "c.JupyterHub.cookie_secret = bytes.fromhex('00ff' * 16)",
    "print('config output goes to stderr, not into the result')",
    'import logging',
    'c.Application.log_level = logging.DEBUG',
    "c.Application.log_datefmt = '%H:%M'",
    "c.JupyterHub.log_datefmt = '%Y'",
    "load_subconfig(os.path.join(os.path.dirname(__file__), 'more_config.py'))",
  ].join('\n');
  const cwd = await dirWith({ 'jupyterhub_config.py': py, 'more_config.py': 'c.Spawner.default_url = "/tree"\n' });
  const loaded = await loadConfig({ cwd, env: { TEST_HUB_PORT: '8123' } });
  assert.equal(loaded.filepath, path.join(cwd, 'jupyterhub_config.py'));
  const { JupyterHub, Authenticator, Spawner, LocalProcessSpawner } = loaded.config;
  assert.equal(JupyterHub.port, 8123, 'the file reads its environment');
  assert.equal(JupyterHub.spawner_class, 'simple', 'a class object is its dotted name, mapped as in hub.yml');
  assert.equal(JupyterHub.authenticator_class, 'dummy');
  assert.deepEqual([...Authenticator.admin_users].sort(), ['adam', 'zoe'], 'a set');
  assert.deepEqual(Spawner.env_keep.slice(-2), ['JUPYTERHUB_SINGLEUSER_APP', 'MY_VAR'], 'append() applies to JupyterHub\'s default');
  assert.ok(Spawner.env_keep.includes('PATH'));
  assert.deepEqual(Spawner.args, ['--debug'], 'a tuple');
  assert.deepEqual(LocalProcessSpawner.environment, { A: '1', N: '2' });
  assert.deepEqual(JupyterHub.load_roles, [{ name: 'readers', scopes: ['read:users'], users: ['zoe'] }]);
  assert.equal(Spawner.default_url, '/tree', 'load_subconfig');
  assert.equal(JupyterHub.cookie_secret, '00ff'.repeat(16), 'raw bytes: the same secret, in hub\'s hex form');
  assert.ok(loaded.explicit.has('JupyterHub.port'));
  assert.equal(JupyterHub.log_level, 10, 'c.Application applies to JupyterHub (logging.DEBUG)');
  assert.equal(JupyterHub.log_datefmt, '%Y', 'unless JupyterHub sets the option itself');

  // hub's own file wins when both are there, with the usual warning.
  await writeFile(path.join(cwd, 'hub.yml'), 'JupyterHub: {port: 1}\n');
  const both = await loadConfig({ cwd, env: { TEST_HUB_PORT: '8123' } });
  assert.equal(both.config.JupyterHub.port, 1);
  assert.match(both.warnings.join('\n'), /\(hub\.yml, jupyterhub_config\.py\); using hub\.yml/);
});

test('JS config files (ESM and CommonJS) may hold functions and classes', async () => {
  const esm = await dirWith({
    'hub.config.mjs': [
      'class MyAuth {}',
      'export default {',
      '  JupyterHub: { port: 1002, authenticator_class: MyAuth, user_redirect_hook: (path) => path },',
      '  Spawner: { pre_spawn_hook: async (spawner) => spawner, environment: { A: "1", B: () => "2" }, port: undefined },',
      '  Authenticator: { admin_users: new Set(["a", "b", "a"]) },',
      '  PAMAuthenticator: { open_sessions: true },',
      '};',
    ].join('\n'),
  });
  const { config, filepath } = await loadConfig({ cwd: esm, env: {} });
  assert.equal(filepath, path.join(esm, 'hub.config.mjs'));
  assert.equal(config.JupyterHub.port, 1002);
  assert.equal(typeof config.Spawner.pre_spawn_hook, 'function');
  assert.equal(typeof config.JupyterHub.user_redirect_hook, 'function');
  assert.equal(config.Spawner.environment.A, '1');
  assert.equal(typeof config.Spawner.environment.B, 'function');
  assert.deepEqual(config.Authenticator.admin_users, ['a', 'b']);
  const ref = resolveClassRef('Authenticator', config.JupyterHub.authenticator_class);
  assert.equal(ref.kind, 'value');
  assert.equal(config.Spawner.port, 0);
  // A class of the user's own gets only the family root's settings: hub cannot know what it subclasses.
  assert.equal(config.PAMAuthenticator.open_sessions, true);
  assert.equal(config.Authenticator.open_sessions, false);

  const cjs = await dirWith({ 'hub.config.cjs': 'module.exports = { JupyterHub: { port: 1003 }, Spawner: { post_stop_hook: function () {} } };' });
  const c2 = await loadConfig({ cwd: cjs, env: {} });
  assert.equal(c2.config.JupyterHub.port, 1003);
  assert.equal(typeof c2.config.Spawner.post_stop_hook, 'function');

  const typeModule = await dirWith({ 'package.json': '{"type": "module"}', 'hub.config.js': 'export default { JupyterHub: { port: 1004 } };' });
  assert.equal((await loadConfig({ cwd: typeModule, env: {} })).config.JupyterHub.port, 1004);
});

test('a TypeScript config file is compiled and loaded', async () => {
  const cwd = await dirWith({
    'hub.config.ts': [
      'interface Spawnerish { name: string }',
      'const hook = async (spawner: Spawnerish): Promise<void> => { void spawner.name; };',
      'const config: Record<string, Record<string, unknown>> = {',
      '  JupyterHub: { port: 1005 as number, log_level: "DEBUG" },',
      '  Spawner: { pre_spawn_hook: hook, cmd: "jupyterhub-singleuser" },',
      '};',
      'export default config;',
    ].join('\n'),
  });
  const { config, filepath } = await loadConfig({ cwd, env: {} });
  assert.equal(filepath, path.join(cwd, 'hub.config.ts'));
  assert.equal(config.JupyterHub.port, 1005);
  assert.equal(config.JupyterHub.log_level, 10);
  assert.deepEqual(config.Spawner.cmd, ['jupyterhub-singleuser']);
  assert.equal(typeof config.Spawner.pre_spawn_hook, 'function');
});

test('values are normalised: url prefix, log level names, commands, sets, byte sizes, hex, class names', async () => {
  const yml = [
    'JupyterHub:',
    '  base_url: jupyter',
    '  log_level: warning',
    '  cookie_secret: "ABCDEF01"',
    '  spawner_class: jupyterhub.spawner.SimpleLocalProcessSpawner',
    '  authenticator_class: ./auth/my-auth.js',
    '  proxy_class: default',
    'Spawner:',
    '  cmd: /opt/conda/bin/jupyterhub-singleuser',
    '  mem_limit: 1.5G',
    '  mem_guarantee: 1048576',
    '  cpu_limit: 2',
    'Authenticator:',
    '  allowed_users: [a, b, a]',
    'ConfigurableHTTPProxy:',
    '  log_level: DEBUG',
  ].join('\n');
  const cwd = await dirWith({ 'hub.yml': yml });
  const { config } = await loadConfig({ cwd, env: {} });
  assert.equal(config.JupyterHub.base_url, '/jupyter/');
  assert.equal(config.JupyterHub.log_level, 30);
  assert.equal(config.JupyterHub.cookie_secret, 'abcdef01');
  assert.equal(config.JupyterHub.spawner_class, 'simple');
  assert.equal(config.JupyterHub.authenticator_class, path.join(cwd, 'auth/my-auth.js'));
  assert.deepEqual(resolveClassRef('Authenticator', config.JupyterHub.authenticator_class), { kind: 'module', specifier: path.join(cwd, 'auth/my-auth.js') });
  assert.equal(config.JupyterHub.proxy_class, 'configurable-http-proxy');
  const more = await loadConfig({ cwd, env: {}, overrides: ['JupyterHub.spawner_class=spawners/mine.mjs', 'JupyterHub.proxy_class=@org/hub-proxy', 'JupyterHub.authenticator_class=PAMAuthenticator'] });
  assert.equal(more.config.JupyterHub.spawner_class, path.join(cwd, 'spawners/mine.mjs'));
  assert.equal(more.config.JupyterHub.proxy_class, '@org/hub-proxy');
  assert.equal(more.config.JupyterHub.authenticator_class, 'pam');
  assert.deepEqual(config.Spawner.cmd, ['/opt/conda/bin/jupyterhub-singleuser']);
  assert.equal(config.Spawner.mem_limit, 1.5 * 1024 ** 3);
  assert.equal(config.Spawner.mem_guarantee, 1048576);
  assert.equal(config.Spawner.cpu_limit, 2);
  assert.deepEqual(config.Authenticator.allowed_users, ['a', 'b']);
  assert.equal(config.ConfigurableHTTPProxy.log_level, 'debug');
});

test('inheritance: subclass sections see parent settings, and their own settings win', async () => {
  const yml = [
    'JupyterHub:',
    '  spawner_class: localprocess',
    'Spawner:',
    '  cmd: [from-spawner]',
    '  args: [--debug]',
    'LocalProcessSpawner:',
    '  cmd: [from-local]',
    'SimpleLocalProcessSpawner:',
    '  args: [--simple]',
    '  home_dir_template: /srv/{username}',
    'Authenticator:',
    '  admin_users: [root]',
    'PAMAuthenticator:',
    '  open_sessions: true',
    'DummyAuthenticator:',
    '  password: pw',
    'Proxy:',
    '  should_start: false',
    'ConfigurableHTTPProxy:',
    '  api_url: http://10.0.0.1:8001',
  ].join('\n');
  const cwd = await dirWith({ 'hub.yml': yml });
  const { config, explicit } = await loadConfig({ cwd, env: {} });
  assert.deepEqual(config.Spawner.cmd, ['from-local']);
  assert.deepEqual(config.Spawner.args, ['--debug'], 'SimpleLocalProcessSpawner settings do not apply to localprocess');
  assert.deepEqual(config.LocalProcessSpawner.args, ['--debug']);
  assert.deepEqual(config.SimpleLocalProcessSpawner.args, ['--simple']);
  assert.deepEqual(config.SimpleLocalProcessSpawner.cmd, ['from-local']);
  assert.equal(config.SimpleLocalProcessSpawner.home_dir_template, '/srv/{username}');
  assert.equal(config.Spawner.home_dir_template, '/tmp/{username}');
  assert.deepEqual(config.Authenticator.admin_users, ['root']);
  assert.deepEqual(config.PAMAuthenticator.admin_users, ['root']);
  assert.equal(config.PAMAuthenticator.open_sessions, true);
  assert.equal(config.Authenticator.open_sessions, true, 'pam is the default authenticator');
  assert.equal(config.Authenticator.password, '', 'DummyAuthenticator settings do not apply to pam');
  assert.equal(config.DummyAuthenticator.password, 'pw');
  assert.equal(config.Proxy.should_start, false);
  assert.equal(config.ConfigurableHTTPProxy.should_start, false);
  assert.equal(config.Proxy.api_url, 'http://10.0.0.1:8001');
  for (const key of ['Spawner.cmd', 'LocalProcessSpawner.cmd', 'PAMAuthenticator.admin_users', 'Authenticator.open_sessions', 'Proxy.api_url']) {
    assert.ok(explicit.has(key), key);
  }
  assert.ok(!explicit.has('Spawner.home_dir_template'));

  const dummy = await loadConfig({ cwd, env: {}, overrides: ['JupyterHub.authenticator_class=dummy', 'JupyterHub.spawner_class=simple'] });
  assert.equal(dummy.config.Authenticator.password, 'pw');
  assert.equal(dummy.config.Authenticator.open_sessions, false);
  assert.deepEqual(dummy.config.Spawner.args, ['--simple']);
  assert.equal(dummy.config.Spawner.home_dir_template, '/srv/{username}');
});

test('overrides: JSON first, plain text for text options, later wins, and they count as explicit', async () => {
  const cwd = await dirWith({ 'hub.yml': 'JupyterHub:\n  port: 1\n  hub_ip: 10.0.0.9\n' });
  const { config, explicit } = await loadConfig({
    cwd,
    env: {},
    overrides: [
      'JupyterHub.port=0',
      'JupyterHub.hub_ip=10.0.0.1',
      'JupyterHub.ip=0',
      'Authenticator.admin_users=["a","b"]',
      'JupyterHub.log_level=INFO',
      'Spawner.cmd=jupyterhub-singleuser --x',
      'Spawner.mem_limit=2G',
      'Spawner.cpu_limit=0.5',
      'Spawner.hub_connect_url=null',
      'JupyterHub.default_url="/hub/home"',
      'JupyterHub.cookie_max_age_days=1',
      'Proxy.should_start=false',
      'JupyterHub.port=2',
    ],
  });
  assert.equal(config.JupyterHub.port, 2);
  assert.equal(config.JupyterHub.hub_ip, '10.0.0.1');
  assert.equal(config.JupyterHub.ip, '0');
  assert.deepEqual(config.Authenticator.admin_users, ['a', 'b']);
  assert.equal(config.JupyterHub.log_level, 20);
  assert.deepEqual(config.Spawner.cmd, ['jupyterhub-singleuser --x']);
  assert.equal(config.Spawner.mem_limit, 2 * 1024 ** 3);
  assert.equal(config.Spawner.cpu_limit, 0.5);
  assert.equal(config.Spawner.hub_connect_url, null);
  assert.equal(config.JupyterHub.default_url, '/hub/home');
  assert.equal(config.JupyterHub.cookie_max_age_days, 1);
  assert.equal(config.Proxy.should_start, false);
  assert.ok(explicit.has('JupyterHub.port') && explicit.has('Authenticator.admin_users') && explicit.has('PAMAuthenticator.admin_users'));
});

test('environment: CONFIGPROXY_AUTH_TOKEN and JUPYTERHUB_CRYPT_KEY fill unset options only', async () => {
  const hex = 'ab'.repeat(32);
  const b64 = Buffer.alloc(32, 7).toString('base64'); // 44 characters with padding, as JupyterHub expects
  const cwd = await dirWith({});
  const env = { CONFIGPROXY_AUTH_TOKEN: 'tok', JUPYTERHUB_CRYPT_KEY: `${hex};${b64}; ` };
  const { config, explicit } = await loadConfig({ cwd, env });
  assert.equal(config.ConfigurableHTTPProxy.auth_token, 'tok');
  assert.equal(config.Proxy.auth_token, 'tok');
  assert.deepEqual(config.CryptKeeper.keys, [Buffer.alloc(32, 0xab), Buffer.alloc(32, 7)]);
  assert.ok(explicit.has('ConfigurableHTTPProxy.auth_token') && explicit.has('CryptKeeper.keys'));

  const set = await dirWith({ 'hub.yml': `ConfigurableHTTPProxy:\n  auth_token: fromfile\nCryptKeeper:\n  keys: ["${'cd'.repeat(32)}"]\n` });
  const fromFile = await loadConfig({ cwd: set, env });
  assert.equal(fromFile.config.ConfigurableHTTPProxy.auth_token, 'fromfile');
  assert.deepEqual(fromFile.config.CryptKeeper.keys, [Buffer.alloc(32, 0xcd)]);
  assert.equal((await loadConfig({ cwd, env: { CONFIGPROXY_AUTH_TOKEN: '' } })).config.ConfigurableHTTPProxy.auth_token, '');
});

test('defaults derived from other options: api_url under internal_ssl, ssl_alt_names from trusted_alt_names', async () => {
  const cwd = await dirWith({ 'hub.yml': 'JupyterHub:\n  internal_ssl: true\n  trusted_alt_names: [DNS:hub.example]\n' });
  const { config, explicit } = await loadConfig({ cwd, env: {} });
  assert.equal(config.ConfigurableHTTPProxy.api_url, 'https://127.0.0.1:8001');
  assert.deepEqual(config.Spawner.ssl_alt_names, ['DNS:hub.example']);
  assert.ok(!explicit.has('ConfigurableHTTPProxy.api_url'));
});

test('loaded values are copies: mutating one load does not leak into the next', async () => {
  const cwd = await dirWith({});
  const first = await loadConfig({ cwd, env: {} });
  first.config.Spawner.args.push('--leak');
  first.config.LocalProcessSpawner.env_keep.length = 0;
  const second = await loadConfig({ cwd, env: {} });
  assert.deepEqual(second.config.Spawner.args, []);
  assert.ok(second.config.LocalProcessSpawner.env_keep.includes('PATH'));
});
