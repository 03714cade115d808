import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli, startDaemon, tempDir, type RunningDaemon } from '../helpers/cli.js';

/**
 * A JupyterHub directory taken over as it is: `hub start` where only a jupyterhub_config.py lies runs the hub
 * that file describes (run by Python, as JupyterHub runs it), and the admin CLI, started in the same directory,
 * finds that hub through the same file.
 */
let dir = '';
let daemon: RunningDaemon | undefined;

before(async () => {
  dir = await tempDir('hub-pyconfig-');
  await writeFile(
    path.join(dir, 'jupyterhub_config.py'),
    `import os
from jupyterhub.auth import DummyAuthenticator
c = get_config()  # noqa
c.JupyterHub.ip = c.JupyterHub.hub_ip = '127.0.0.1'
c.JupyterHub.port = c.JupyterHub.hub_port = 0
c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:0'
c.JupyterHub.db_url = 'sqlite:///' + os.path.join(os.path.dirname(__file__), 'from-python.sqlite')
c.JupyterHub.authenticator_class = DummyAuthenticator
c.Authenticator.admin_users = {'ada'}
c.JupyterHub.load_groups = {'staff': ['ada', 'bob']}
print('jupyterhub_config.py was run')
`,
  );
  daemon = await startDaemon([], { cwd: dir });
});

after(async () => {
  await daemon?.stop();
});

test('hub start runs the hub a jupyterhub_config.py describes, and the CLI finds it through the same file', async () => {
  assert.ok(existsSync(path.join(dir, 'from-python.sqlite')), 'db_url computed by the Python file');
  assert.match(daemon?.output() ?? '', /jupyterhub_config\.py/, 'the log names the config file');
  const users = await runCli(['users', 'ls', '--json'], { cwd: dir });
  assert.equal(users.code, 0, users.stderr);
  const rows = JSON.parse(users.stdout) as Array<{ name: string; admin: boolean }>;
  assert.deepEqual(rows.map((u) => [u.name, u.admin]).sort(), [['ada', true], ['bob', false]]);
  const group = await runCli(['groups', 'show', 'staff', '--json'], { cwd: dir });
  assert.equal(group.code, 0, group.stderr);
  assert.deepEqual((JSON.parse(group.stdout) as { users: string[] }).users.sort(), ['ada', 'bob']);
});

test('a broken jupyterhub_config.py stops hub start with the line and a hint, no traceback', async () => {
  const broken = await tempDir('hub-pyconfig-broken-');
  await writeFile(path.join(broken, 'jupyterhub_config.py'), 'c = get_config()\nc.JupyterHub.port = int(os.environ["PORT"])\n');
  const r = await runCli(['start'], { cwd: broken });
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /jupyterhub_config\.py: line 2: NameError: name 'os' is not defined/);
  assert.doesNotMatch(r.stderr, /Traceback|\n\s+at /);
});
