import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli, startDaemon, tempDir } from '../helpers/cli.js';
import { makeJupyterhubDb } from '../helpers/jupyterhub-db.js';
import { startPostgres } from '../helpers/postgres.js';

const HUB_YML = 'ConfigurableHTTPProxy:\n  api_url: http://127.0.0.1:0\nJupyterHub:\n  hub_ip: 127.0.0.1\n  hub_port: 0\n  ip: 127.0.0.1\n  port: 0\n  db_url: sqlite:///jupyterhub.sqlite\n';

test('a database made by JupyterHub 3.0: start refuses with the exact command, upgrade-db backs up and adopts it, its token works', async () => {
  const dir = await tempDir();
  // The service stays declared, as in the JupyterHub config that made the database (undeclared ones are dropped).
  await writeFile(path.join(dir, 'hub.yml'), HUB_YML + '  services: [{name: monitor}]\n');
  const dbFile = path.join(dir, 'jupyterhub.sqlite');
  const fixture = await makeJupyterhubDb(`sqlite:///${dbFile}`);
  const original = readFileSync(dbFile);

  const refused = await runCli(['start'], { cwd: dir });
  assert.equal(refused.code, 5, refused.stderr);
  assert.match(refused.stderr, /alembic revision 651f5419b74d/);
  assert.ok(refused.stderr.includes(`hub upgrade-db -c ${path.join(dir, 'hub.yml')}`), refused.stderr);

  const up = await runCli(['upgrade-db', '--json'], { cwd: dir });
  assert.equal(up.code, 0, up.stderr);
  const result = JSON.parse(up.stdout) as { backup: string; applied: string[] };
  assert.match(path.basename(result.backup), /^jupyterhub\.sqlite\.\d{4}-\d{2}-\d{2}-\d{6}$/);
  assert.deepEqual(readFileSync(result.backup), original, 'the backup is the database as JupyterHub left it');
  assert.ok(result.applied.length > 0);

  const again = await runCli(['upgrade-db'], { cwd: dir });
  assert.equal(again.code, 0);
  assert.match(again.stdout, /already up to date/);
  assert.equal(readdirSync(dir).filter((f) => f.startsWith('jupyterhub.sqlite.2')).length, 1, 'no second backup when nothing is pending');

  const daemon = await startDaemon([], { cwd: dir });
  try {
    const users = JSON.parse((await runCli(['users', 'ls', '--json'], { cwd: dir })).stdout) as { name: string; admin: boolean; groups: string[] }[];
    assert.deepEqual(users.map((u) => [u.name, u.admin, u.groups]).sort(), [['alice', true, ['staff']], ['bob', false, ['staff']]]);
    const status = JSON.parse((await runCli(['status', '--json'], { cwd: dir })).stdout) as { hub_url: string };
    // alice's token, made and hashed by JupyterHub 3.0, authenticates against hub's API.
    const res = await fetch(new URL('api/users', status.hub_url), { headers: { authorization: `token ${fixture.aliceToken}` } });
    assert.equal(res.status, 200);
    const wrong = await fetch(new URL('api/users', status.hub_url), { headers: { authorization: `token ${fixture.aliceToken.slice(0, -1)}x` } });
    assert.equal(wrong.status, 403);
    const tokens = JSON.parse((await runCli(['tokens', 'ls', '--json'], { cwd: dir })).stdout) as { user?: string; service?: string }[];
    assert.deepEqual(tokens.map((t) => t.user ?? `service:${t.service}`).sort(), ['alice', 'bob', 'service:monitor']);
  } finally {
    await daemon.stop();
  }
});

test('--upgrade-db (JupyterHub.upgrade_db) upgrades at start', async () => {
  const dir = await tempDir();
  await writeFile(path.join(dir, 'hub.yml'), HUB_YML);
  await makeJupyterhubDb(`sqlite:///${path.join(dir, 'jupyterhub.sqlite')}`);
  const daemon = await startDaemon(['--upgrade-db'], { cwd: dir });
  assert.match(daemon.output(), /Upgraded the database/);
  assert.ok(readdirSync(dir).some((f) => /^jupyterhub\.sqlite\.\d{4}-/.test(f)), 'backup made');
  const end = await daemon.stop();
  assert.equal(end.code, 0);
});

test('reset-db refuses off a terminal without --answer-yes, refuses while the hub runs, and resets when confirmed', async () => {
  const dir = await tempDir();
  await writeFile(path.join(dir, 'hub.yml'), HUB_YML + 'Authenticator:\n  admin_users: [alice]\n');
  const daemon = await startDaemon([], { cwd: dir });
  const noYes = await runCli(['reset-db'], { cwd: dir });
  assert.equal(noYes.code, 11, noYes.stderr);
  assert.match(noYes.stderr, /not on a terminal/);
  assert.match(noYes.stderr, /--answer-yes/);
  const whileRunning = await runCli(['reset-db', '--answer-yes'], { cwd: dir });
  assert.equal(whileRunning.code, 8, whileRunning.stderr);
  assert.match(whileRunning.stderr, /Stop the hub first/);
  const users = JSON.parse((await runCli(['users', 'ls', '--json'], { cwd: dir })).stdout) as unknown[];
  assert.equal(users.length, 1, 'nothing was deleted');
  await daemon.stop();

  const yes = await runCli(['reset-db', '--answer-yes'], { cwd: dir });
  assert.equal(yes.code, 0, yes.stderr);
  // A fresh start re-adds the configured admin, and nothing else survived.
  const again = await startDaemon(['--set', 'Authenticator.admin_users=[]'], { cwd: dir });
  try {
    const after = JSON.parse((await runCli(['users', 'ls', '--json'], { cwd: dir })).stdout) as unknown[];
    assert.deepEqual(after, []);
  } finally {
    await again.stop();
  }
});

test('reset_db in the config needs confirmation: refused off a terminal, done with --answer-yes', async () => {
  const dir = await tempDir();
  await writeFile(path.join(dir, 'hub.yml'), HUB_YML + 'Authenticator:\n  admin_users: [alice]\n');
  const first = await startDaemon([], { cwd: dir });
  await first.stop();
  const refused = await runCli(['start', '--set', 'JupyterHub.reset_db=true'], { cwd: dir });
  assert.equal(refused.code, 11, refused.stderr);
  assert.ok(existsSync(path.join(dir, 'jupyterhub.sqlite')));
  const yes = await startDaemon(['--set', 'JupyterHub.reset_db=true', '--answer-yes', '--set', 'Authenticator.admin_users=[]'], { cwd: dir });
  try {
    assert.match(yes.output(), /reset_db: dropping and recreating/);
    assert.deepEqual(JSON.parse((await runCli(['users', 'ls', '--json'], { cwd: dir })).stdout), []);
  } finally {
    await yes.stop();
  }
});

test('the daemon runs on a real PostgreSQL server: schema created, users synced, listed over the socket', async () => {
  const pg = await startPostgres();
  try {
    const dir = await tempDir();
    const url = await pg.newDatabase('hub_e2e');
    await writeFile(path.join(dir, 'hub.yml'), `ConfigurableHTTPProxy:\n  api_url: http://127.0.0.1:0\nJupyterHub:\n  hub_ip: 127.0.0.1\n  hub_port: 0\n  ip: 127.0.0.1\n  port: 0\n  db_url: ${url}\nAuthenticator:\n  admin_users: [alice]\n  allowed_users: [bob, carol]\n`);
    const daemon = await startDaemon([], { cwd: dir });
    try {
      const users = JSON.parse((await runCli(['users', 'ls', '--json'], { cwd: dir })).stdout) as { name: string; admin: boolean }[];
      assert.deepEqual(users.map((u) => [u.name, u.admin]).sort(), [['alice', true], ['bob', false], ['carol', false]]);
      const status = JSON.parse((await runCli(['status', '--json'], { cwd: dir })).stdout) as { db_url: string };
      assert.doesNotMatch(status.db_url, /:[^@/]+@/, 'no password in status');
    } finally {
      const end = await daemon.stop();
      assert.equal(end.code, 0);
    }
    // Stopped hub: upgrade-db on PostgreSQL has nothing to do and makes no backup file.
    const up = await runCli(['upgrade-db', '--json'], { cwd: dir });
    assert.equal(up.code, 0, up.stderr);
    assert.equal((JSON.parse(up.stdout) as { backup: string | null }).backup, null);
  } finally {
    await pg.stop();
  }
});
