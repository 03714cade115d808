import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HubError } from '../../src/lib/errors.js';
import { applyOverride, loadConfig } from '../../src/lib/config/index.js';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function dirWith(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'hub-cfg-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return dir;
}

/** Assert a HubError with `code` whose message matches every pattern; returns the message lines. */
async function rejectsWith(p: Promise<unknown>, code: string, patterns: RegExp[]): Promise<string[]> {
  let lines: string[] = [];
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof HubError, `not a HubError: ${String(err)}`);
    assert.equal(err.code, code);
    for (const re of patterns) assert.match(err.message, re);
    lines = err.message.split('\n');
    return true;
  });
  return lines;
}

test('an unknown option names the file, the full key and the closest valid name', async () => {
  const cwd = await dirWith({ 'hub.yml': 'JupyterHub:\n  prot: 8000\n' });
  await rejectsWith(loadConfig({ cwd, env: {} }), 'CONFIG_INVALID', [/^hub\.yml: unknown option JupyterHub\.prot \(did you mean JupyterHub\.port\?\)$/]);
});

test('an option that lives in another section is suggested there', async () => {
  const cwd = await dirWith({ 'hub.yml': 'JupyterHub:\n  allowed_users: [alice]\nSpawner:\n  home_dir_template: /srv/{username}\n' });
  await rejectsWith(loadConfig({ cwd, env: {} }), 'CONFIG_INVALID', [
    /hub\.yml: unknown option JupyterHub\.allowed_users \(did you mean Authenticator\.allowed_users\?\)/,
    /unknown option Spawner\.home_dir_template \(did you mean SimpleLocalProcessSpawner\.home_dir_template\?\)/,
  ]);
});

test('an unknown section is reported with a suggestion', async () => {
  const cwd = await dirWith({ 'hub.yml': 'Jupyterhub:\n  port: 1\nDockerSpawner:\n  image: x\nport: 8000\n' });
  const lines = await rejectsWith(loadConfig({ cwd, env: {} }), 'CONFIG_INVALID', [
    /hub\.yml: unknown section Jupyterhub \(did you mean JupyterHub\?\)/,
    /hub\.yml: unknown section DockerSpawner(\n|$)/,
    /hub\.yml: unknown section port \(did you mean JupyterHub\.port\?\)/,
  ]);
  assert.equal(lines.length, 3);
});

test('a wrong type names the key, the expected type and the value found', async () => {
  const cwd = await dirWith({ 'hub.yml': 'JupyterHub:\n  port: eighty\n' });
  await rejectsWith(loadConfig({ cwd, env: {} }), 'CONFIG_INVALID', [/^hub\.yml: JupyterHub\.port must be an integer, found "eighty" \(string\)$/]);
});

test('all problems are reported together, one line each, with a hint', async () => {
  const yml = [
    'JupyterHub:',
    '  port: eighty',
    '  admin_access: "yes"',
    '  log_level: LOUD',
    '  prot: 1',
    'Spawner:',
    '  args: [1, 2]',
    '  mem_limit: 2 gigabytes',
    '  environment: [A]',
    'Authenticator: 7',
  ].join('\n');
  const cwd = await dirWith({ 'hub.yml': yml });
  let hint: string | undefined;
  await assert.rejects(loadConfig({ cwd, env: {} }), (err: unknown) => {
    assert.ok(err instanceof HubError);
    hint = err.hint;
    const lines = err.message.split('\n');
    assert.equal(lines.length, 8, err.message);
    assert.ok(lines.every((l) => l.startsWith('hub.yml: ')), err.message);
    assert.match(err.message, /JupyterHub\.admin_access must be true or false, found "yes" \(string\)/);
    assert.match(err.message, /JupyterHub\.log_level must be one of 'DEBUG', 'INFO', 'WARN', 'WARNING', 'ERROR', 'CRITICAL' or 0, 10, 20, 30, 40, 50, found "LOUD"/);
    assert.match(err.message, /Spawner\.args\[0\] must be a string, found 1 \(number\)/);
    assert.match(err.message, /Spawner\.mem_limit must be a number of bytes or a size such as 512M/);
    assert.match(err.message, /Spawner\.environment must be a mapping, found \["A"\] \(list\)/);
    assert.match(err.message, /section Authenticator must be a mapping of options, found 7 \(number\)/);
    return true;
  });
  assert.match(hint ?? '', /hub generate-config/);
  assert.match(hint ?? '', new RegExp(`${cwd}/hub\\.yml`));
});

test('a function option in YAML or JSON says to move it to a JS/TS config file', async () => {
  const cwd = await dirWith({ 'hub.json': JSON.stringify({ Spawner: { pre_spawn_hook: 'mymodule.hook' }, Authenticator: { post_auth_hook: 'x' } }) });
  await rejectsWith(loadConfig({ cwd, env: {} }), 'CONFIG_INVALID', [
    /hub\.json: Spawner\.pre_spawn_hook must be a function or null, found "mymodule\.hook" \(string\); functions can only be set in a JS\/TS config file: move this option to hub\.config\.js or hub\.config\.ts/,
    /hub\.json: Authenticator\.post_auth_hook must be a function/,
  ]);
});

test('a missing explicit config file is CONFIG_NOT_FOUND with a hint', async () => {
  const cwd = await dirWith({});
  let hint: string | undefined;
  await assert.rejects(loadConfig({ cwd, env: {}, path: 'nope/hub.yml' }), (err: unknown) => {
    assert.ok(err instanceof HubError);
    assert.equal(err.code, 'CONFIG_NOT_FOUND');
    assert.equal(err.message, 'config file nope/hub.yml does not exist');
    hint = err.hint;
    return true;
  });
  assert.match(hint ?? '', /hub generate-config > nope\/hub\.yml/);
  await rejectsWith(loadConfig({ cwd, env: {}, path: '.' }), 'CONFIG_NOT_FOUND', [/^config file \. is not a file$/]);
});

test('YAML syntax errors and non-mapping files are CONFIG_INVALID', async () => {
  const cwd = await dirWith({ 'hub.yml': 'JupyterHub:\n  port: [1\n', 'list.yml': '- a\n- b\n' });
  await rejectsWith(loadConfig({ cwd, env: {} }), 'CONFIG_INVALID', [/^hub\.yml: cannot read the configuration: YAML Error/]);
  await rejectsWith(loadConfig({ cwd, env: {}, path: 'list.yml' }), 'CONFIG_INVALID', [/list\.yml: the configuration must be a mapping of sections/]);
});

test('a jupyterhub_config.py that Python cannot run is CONFIG_INVALID with the line, never a traceback', async () => {
  const cwd = await dirWith({
    'syntax.py': 'c = get_config()\nc.JupyterHub.port = \n',
    'raises.py': 'c = get_config()\n\nc.JupyterHub.port = int("eighty")\n',
    'imports.py': 'import no_such_module_here\n',
  });
  await rejectsWith(loadConfig({ cwd, env: {}, path: 'syntax.py' }), 'CONFIG_INVALID', [/^syntax\.py: line 2: invalid syntax$/]);
  await rejectsWith(loadConfig({ cwd, env: {}, path: 'raises.py' }), 'CONFIG_INVALID', [/^raises\.py: line 3: ValueError: invalid literal for int\(\) with base 10: 'eighty'$/]);
  await rejectsWith(loadConfig({ cwd, env: {}, path: 'imports.py' }), 'CONFIG_INVALID', [/^imports\.py: line 1: ModuleNotFoundError: No module named 'no_such_module_here'$/]);
  await rejectsWith(loadConfig({ cwd, env: { HUB_PYTHON: '/nonexistent/python3' }, path: 'syntax.py' }), 'CONFIG_INVALID', [/Python could not read it: \/nonexistent\/python3 was not found/]);
});

test('a jupyterhub_config.py: functions are reported per option, together with the usual validation problems', async () => {
  const cwd = await dirWith({
    'jupyterhub_config.py': [
      'c = get_config()',
      'def hook(spawner):',
      '    pass',
      'c.Spawner.pre_spawn_hook = hook',
      'c.Spawner.environment = {"OK": "1", "LATE": lambda spawner: spawner.user.name}',
      'c.JupyterHub.prot = 8000',
      'c.JupyterHub.port = "eighty"',
      'c.KubeSpawner.image = "jupyter/base-notebook"',
    ].join('\n'),
  });
  await rejectsWith(loadConfig({ cwd, env: {} }), 'CONFIG_INVALID', [
    /^jupyterhub_config\.py: c\.Spawner\.pre_spawn_hook: a Python function; hub runs hooks and other callables written in JavaScript/m,
    /^jupyterhub_config\.py: c\.Spawner\.environment\['LATE'\]: a Python function/m,
    /^jupyterhub_config\.py: unknown option JupyterHub\.prot \(did you mean JupyterHub\.port\?\)$/m,
    /^jupyterhub_config\.py: JupyterHub\.port must be an integer/m,
    /^jupyterhub_config\.py: unknown section KubeSpawner/m,
  ]);
});

test('a JS config without a default export is an error, not silently empty', async () => {
  const cwd = await dirWith({ 'hub.config.mjs': 'export const config = { JupyterHub: { port: 1 } };\n' });
  await rejectsWith(loadConfig({ cwd, env: {} }), 'CONFIG_INVALID', [/^hub\.config\.mjs: the module has no default export$/]);
});

test('a JS config with a syntax error or that throws names the real error and its line, not require()\'s', async () => {
  const cwd = await dirWith({
    'syntax.mjs': 'const a = 1;\nexport default { JupyterHub: { port: 1 } ;\n',
    'syntax.cjs': 'module.exports = {\n  JupyterHub: { port: 1 } ;\n};\n',
    'throws.mjs': 'const port = 1;\nthrow new Error("no secrets file");\nexport default { JupyterHub: { port } };\n',
  });
  const [mjs] = await rejectsWith(loadConfig({ cwd, env: {}, path: 'syntax.mjs' }), 'CONFIG_INVALID', [/^syntax\.mjs: cannot read the configuration: syntax error at line 2: Unexpected token ';'$/]);
  assert.doesNotMatch(mjs ?? '', /require\(\)|bug in Node/);
  await rejectsWith(loadConfig({ cwd, env: {}, path: 'syntax.cjs' }), 'CONFIG_INVALID', [/^syntax\.cjs: cannot read the configuration: syntax error at line 2: /]);
  await rejectsWith(loadConfig({ cwd, env: {}, path: 'throws.mjs' }), 'CONFIG_INVALID', [/^throws\.mjs: cannot read the configuration: no secrets file \(thrown at line 2\)$/]);
});

test('a JSON syntax error shows its code frame once', async () => {
  const cwd = await dirWith({ 'hub.json': '{"JupyterHub": {"port": 1,}}' });
  const lines = await rejectsWith(loadConfig({ cwd, env: {} }), 'CONFIG_INVALID', [/^hub\.json: cannot read the configuration: JSON Error/]);
  assert.equal(lines.filter((l) => l.startsWith('> 1 |')).length, 1, lines.join('\n'));
});

test('an unknown class name lists what is accepted', async () => {
  const cwd = await dirWith({ 'hub.yml': 'JupyterHub:\n  spawner_class: dockerspawner.DockerSpawner\n' });
  await rejectsWith(loadConfig({ cwd, env: {} }), 'CONFIG_INVALID', [
    /JupyterHub\.spawner_class must be a built-in name \(localprocess, simple\), a JupyterHub class name \(LocalProcessSpawner, SimpleLocalProcessSpawner\) or a module path/,
  ]);
});

test('bad overrides: malformed, unknown keys with suggestions, and wrong types are all reported', async () => {
  const cwd = await dirWith({});
  assert.throws(() => applyOverride({}, 'JupyterHub.port'), (e: unknown) => e instanceof HubError && e.code === 'CONFIG_INVALID' && /Section\.option=value/.test(e.message));
  assert.throws(() => applyOverride({}, 'port=1'), /not of the form Section\.option=value/);
  assert.throws(() => applyOverride({}, 'JupyterHub.prot=1'), /unknown option JupyterHub\.prot \(did you mean JupyterHub\.port\?\)/);
  assert.throws(() => applyOverride({}, 'Jupyterhub.port=1'), /unknown section Jupyterhub \(did you mean JupyterHub\?\)/);
  const lines = await rejectsWith(loadConfig({ cwd, env: {}, overrides: ['JupyterHub.port=eighty', 'JupyterHub.prot=1'] }), 'CONFIG_INVALID', [
    /override 'JupyterHub\.port=eighty': JupyterHub\.port must be an integer, found "eighty" \(string\)/,
    /override 'JupyterHub\.prot=1': unknown option JupyterHub\.prot/,
  ]);
  assert.equal(lines.length, 2);
});

test('an invalid JUPYTERHUB_CRYPT_KEY is an error that does not echo the key', async () => {
  const cwd = await dirWith({});
  const lines = await rejectsWith(loadConfig({ cwd, env: { JUPYTERHUB_CRYPT_KEY: `${'ab'.repeat(32)};secret-but-short` } }), 'CONFIG_INVALID', [
    /environment variable JUPYTERHUB_CRYPT_KEY: key 2 of 2 is not 32 bytes/,
  ]);
  assert.ok(!lines.join('\n').includes('secret-but-short'));
});

test('an invalid CryptKeeper.keys entry in the file is reported', async () => {
  const cwd = await dirWith({ 'hub.yml': 'CryptKeeper:\n  keys: [tooshort]\n' });
  await rejectsWith(loadConfig({ cwd, env: {} }), 'CONFIG_INVALID', [/CryptKeeper\.keys\[0\] must be a 32-byte key/]);
});

test('numbers out of range (negative limits and intervals, cookie_max_age_days 0) are config errors, all at once, each saying what 0 means', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'hub-ranges-'));
  try {
    await assert.rejects(loadConfig({ cwd: dir, env: {}, overrides: ['JupyterHub.active_server_limit=-1', 'JupyterHub.cookie_max_age_days=0', 'JupyterHub.last_activity_interval=-5'] }), (e: unknown) => {
      assert.ok(e instanceof HubError && e.code === 'CONFIG_INVALID');
      assert.match(e.message, /JupyterHub\.active_server_limit is -1: 0 means no limit/);
      assert.match(e.message, /JupyterHub\.cookie_max_age_days is 0: days, more than 0/);
      assert.match(e.message, /JupyterHub\.last_activity_interval is -5: seconds; 0 turns the activity poll off/);
      return true;
    });
    const ok = await loadConfig({ cwd: dir, env: {}, overrides: ['JupyterHub.active_server_limit=0', 'JupyterHub.cookie_max_age_days=0.5', 'JupyterHub.last_activity_interval=0'] });
    assert.equal(ok.config.JupyterHub.cookie_max_age_days, 0.5);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a port out of range is a config error naming the port, not the bind URL made from it', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'hub-ports-'));
  try {
    await assert.rejects(loadConfig({ cwd: dir, env: {}, overrides: ['JupyterHub.port=99999', 'JupyterHub.hub_port=-1'] }), (e: unknown) => {
      assert.ok(e instanceof HubError && e.code === 'CONFIG_INVALID');
      assert.equal(e.message, 'JupyterHub.port is 99999: a TCP port, 0 to 65535\nJupyterHub.hub_port is -1: a TCP port, 0 to 65535');
      return true;
    });
    assert.equal((await loadConfig({ cwd: dir, env: {}, overrides: ['JupyterHub.port=65535', 'JupyterHub.hub_port=0'] })).config.JupyterHub.port, 65535);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('an interval or timeout longer than a timer can hold is a config error (Node would fire it every millisecond)', async () => {
  const cwd = await dirWith({
    'hub.yml': 'JupyterHub:\n  last_activity_interval: 9999999999\nConfigurableHTTPProxy:\n  check_running_interval: 2147484\nLocalProcessSpawner:\n  start_timeout: 3000000\n  poll_interval: 2147483\n',
  });
  const lines = await rejectsWith(loadConfig({ cwd, env: {} }), 'CONFIG_INVALID', [
    /^JupyterHub\.last_activity_interval is 9999999999: seconds, at most 2147483 \(about 24 days\)/m,
    /^ConfigurableHTTPProxy\.check_running_interval is 2147484: /m,
    /^Spawner\.start_timeout is 3000000: /m,
  ]);
  assert.equal(lines.length, 3, lines.join('\n'));
});
