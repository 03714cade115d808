/**
 * Spawner and Authenticator options checked at load as JupyterHub 3.0 reads them: the format_string templates
 * (notebook_dir, default_url, home_dir_template) and their fields, options of other JupyterHub versions that 3.0
 * would silently ignore (Authenticator.blacklist above all), and Python's float spelling for CPU_LIMIT.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { HubError } from '../../src/lib/errors.js';
import { formatString, loadConfig } from '../../src/lib/config/index.js';
import { pythonFloat, templateNamespace } from '../../src/daemon/spawner/singleuser-contract.js';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function load(file: string, text: string, overrides: string[] = []): Promise<ReturnType<typeof loadConfig>> {
  const dir = await mkdtemp(path.join(tmpdir(), 'hub-tpl-'));
  dirs.push(dir);
  await writeFile(path.join(dir, file), text);
  return loadConfig({ cwd: dir, env: {}, overrides });
}

function configError(patterns: RegExp[]): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof HubError && err.code === 'CONFIG_INVALID', String(err));
    for (const re of patterns) assert.match(err.message, re);
    return true;
  };
}

test("format_string: {username} is the name as it is, {base_url} the server's prefix, {{ }} literal braces", () => {
  const ns = templateNamespace('/', 'ada+b', '');
  assert.equal(formatString('/srv/{username}/{{notebooks}}', ns), '/srv/ada+b/{notebooks}');
  assert.equal(formatString('{base_url}lab', ns), '/user/ada%2Bb/lab');
  assert.equal(formatString('{base_url}lab', templateNamespace('/jh/', 'ada', 'gpu')), '/jh/user/ada/gpu/lab');
});

test('format_string agrees with Python str.format on the same template and namespace', () => {
  const template = '{{x}}/{username}/{base_url}}}';
  const python = execFileSync('/usr/bin/python3', ['-c', `import sys; print(sys.argv[1].format(username='a b+c', base_url='/user/a%20b%2Bc/'), end='')`, template], { encoding: 'utf8' });
  assert.equal(formatString(template, templateNamespace('/', 'a b+c', '')), python);
});

test('a template field JupyterHub 3.0 does not know is a config error at load (a KeyError at every spawn there)', async () => {
  await assert.rejects(load('hub.yml', 'Spawner:\n  notebook_dir: /srv/{user}\n  default_url: /lab/{servername}\n'), configError([
    /Spawner\.notebook_dir "\/srv\/\{user\}" uses \{user\}, which JupyterHub 3\.0 does not know .*its fields are \{username\} and \{base_url\}/,
    /Spawner\.default_url "\/lab\/\{servername\}" uses \{servername\}/,
  ]));
  await assert.rejects(load('hub.yml', 'Spawner:\n  notebook_dir: "/srv/{username!r}/}"\n'), configError([/only plain \{name\} fields are supported/]));
  await assert.rejects(load('hub.yml', 'Spawner:\n  default_url: "/lab/}"\n'), configError([/a single '\}'/]));
  // home_dir_template is formatted with username alone, and only checked when the simple spawner runs.
  await assert.rejects(load('hub.yml', 'JupyterHub:\n  spawner_class: simple\nSimpleLocalProcessSpawner:\n  home_dir_template: /tmp{base_url}\n'),
    configError([/SimpleLocalProcessSpawner\.home_dir_template "\/tmp\{base_url\}" uses \{base_url\}.*its fields are \{username\}$/m]));
  const localprocess = await load('hub.yml', 'SimpleLocalProcessSpawner:\n  home_dir_template: /tmp{base_url}\n');
  assert.equal(localprocess.config.SimpleLocalProcessSpawner.home_dir_template, '/tmp{base_url}');
  const ok = await load('hub.yml', 'Spawner:\n  notebook_dir: "~/{username}/{{x}}"\n  default_url: "{base_url}lab"\n');
  assert.equal(ok.config.Spawner.notebook_dir, '~/{username}/{{x}}');
});

test('Authenticator.blacklist (ignored by JupyterHub 3.0, blocking nobody) and later versions\' options say what to write', async () => {
  await assert.rejects(load('jupyterhub_config.py', "c.Authenticator.blacklist = {'mallory'}\nc.Spawner.server_token_scopes = ['users:activity!user']\n"), configError([
    /unknown option Authenticator\.blacklist: renamed blocked_users in JupyterHub 1\.2 .*use Authenticator\.blocked_users/,
    /unknown option Spawner\.server_token_scopes: an option of JupyterHub 4\.0/,
  ]));
  await assert.rejects(load('hub.yml', '', ['PAMAuthenticator.allow_all=true']), configError([/unknown option PAMAuthenticator\.allow_all: an option of JupyterHub 5\.0/]));
  // Not an Authenticator section: the usual suggestion.
  await assert.rejects(load('hub.yml', 'JupyterHub:\n  blacklist: [x]\n'), configError([/unknown option JupyterHub\.blacklist(?!:)/]));
});

test("CPU_LIMIT and CPU_GUARANTEE are written as Python's str(float)", () => {
  const samples = [2, 0.5, 1.25, 0, 16, 1e16, 1.5e17, 0.0001, 0.00001, 1e-7, 123456789.5];
  const python = execFileSync('/usr/bin/python3', ['-c', 'import sys; print("\\n".join(str(float(a)) for a in sys.argv[1:]))', ...samples.map(String)], { encoding: 'utf8' });
  assert.deepEqual(samples.map(pythonFloat), python.trim().split('\n'));
});
