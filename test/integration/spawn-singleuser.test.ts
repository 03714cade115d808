import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildStandin } from '../../bench/standin/standin.js';
import { tempDir } from '../helpers/cli.js';
import { startTestHub } from '../helpers/hub.js';
import { execFileSync } from 'node:child_process';
import { createUnixUser } from '../helpers/unix-user.js';
import { createUsers } from '../../src/daemon/db/users-repo.js';
import type { LocalServerManager } from '../../src/daemon/spawner/local-server-manager.js';
import { pidAlive } from '../../src/daemon/spawner/kill-sequence.js';
import type { Hub } from '../../src/daemon/hub.js';

function uidOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('Uid:')) ?? '';
  return Number(line.split(/\s+/)[1]);
}

async function get(url: string): Promise<Response> {
  return fetch(url, { redirect: 'manual' });
}

function pidOf(hub: Hub, user: string): number {
  const pid = hub.servers.runtime(user, '').state.pid;
  assert.equal(typeof pid, 'number');
  return pid as number;
}

test('the real jupyterhub-singleuser runs as the unix user, behind our proxy; stop leaves nothing behind', async () => {
  const account = await createUnixUser();
  const t = await startTestHub({ withProxy: true, overrides: ['Spawner.http_timeout=60'] });
  try {
    const db = t.hub.db;
    assert.ok(db);
    const [user] = await createUsers(db, [account.name]);
    assert.ok(user);
    const manager = t.hub.servers as LocalServerManager;
    const result = await manager.start(user, '', {});
    assert.equal(result, 'ready');
    const pid = pidOf(t.hub, account.name);
    assert.equal(uidOf(pid), Number(execFileSync('id', ['-u', account.name], { encoding: 'utf8' })), 'the server runs as the user, not as root');
    const prefix = `/user/${account.name}/`;

    // Through the proxy, the notebook asks for an OAuth login at the hub, exactly as jupyterhub-singleuser does.
    const res = await get(`${t.status.public_url.replace(/\/$/, '')}${prefix}tree`);
    assert.equal(res.status, 302);
    const location = res.headers.get('location') ?? '';
    assert.match(location, /\/hub\/api\/oauth2\/authorize\?client_id=jupyterhub-user-/);
    assert.ok(location.includes(encodeURIComponent(`${prefix}oauth_callback`)));
    // Its token and OAuth client exist while it runs.
    assert.equal((await db('oauth_clients').where({ identifier: `jupyterhub-user-${account.name}` })).length, 1);
    assert.equal((await db('api_tokens').where({ user_id: user.id, note: `Server at ${prefix}` })).length, 1);
    const routes = await t.hub.proxy?.client.getAllRoutes();
    assert.ok(routes?.[prefix], 'route added');

    assert.equal(await manager.stop(user, ''), 'stopped');
    assert.equal(pidAlive(pid), false, 'process gone');
    assert.equal((await t.hub.proxy?.client.getAllRoutes())?.[prefix], undefined, 'route gone');
    assert.equal((await db('oauth_clients').where({ identifier: `jupyterhub-user-${account.name}` })).length, 0, 'client gone');
    assert.equal((await db('api_tokens').where({ user_id: user.id })).length, 0, 'token gone');
    assert.equal((await db('servers')).length, 0, 'no servers row');
  } finally {
    await t.stop();
    await account.remove();
  }
});

test('cleanup_servers false: a restarted hub adopts the running server and spawns nothing; kill -9 of the proxy is repaired', async () => {
  const account = await createUnixUser();
  const overrides = ['Spawner.http_timeout=60', 'JupyterHub.cleanup_servers=false', 'ConfigurableHTTPProxy.check_running_interval=1', `ConfigurableHTTPProxy.auth_token=${'t'.repeat(32)}`];
  const first = await startTestHub({ withProxy: true, overrides: [...overrides, 'JupyterHub.cleanup_proxy=false'] });
  let second: Awaited<ReturnType<typeof startTestHub>> | undefined;
  try {
    const db = first.hub.db;
    assert.ok(db);
    const [user] = await createUsers(db, [account.name]);
    assert.ok(user);
    assert.equal(await (first.hub.servers as LocalServerManager).start(user, '', {}), 'ready');
    const pid = pidOf(first.hub, account.name);
    await first.stop();
    assert.ok(pidAlive(pid), 'the server outlives the hub');

    second = await startTestHub({ withProxy: true, dir: first.dir, overrides });
    assert.equal(pidOf(second.hub, account.name), pid, 'adopted, not respawned');
    const prefix = `/user/${account.name}/`;
    const url = `${second.status.public_url.replace(/\/$/, '')}${prefix}tree`;
    assert.equal((await get(url)).status, 302, 'reachable through the proxy after the restart');

    // kill -9 the proxy: the hub notices within check_running_interval, restarts it and restores the route.
    const proxyPid = Number(readFileSync(`${second.dir}/jupyterhub-proxy.pid`, 'utf8').trim());
    process.kill(proxyPid, 'SIGKILL');
    const deadline = Date.now() + 20_000;
    let status = 0;
    while (Date.now() < deadline) {
      status = await get(url).then((r) => r.status, () => 0);
      if (status === 302) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(status, 302, 'route works again after the proxy was killed');
  } finally {
    if (second) {
      const db = second.hub.db;
      const user = db ? await db('users').where({ name: account.name }).first() : undefined;
      if (user) await (second.hub.servers as LocalServerManager).stop(user, '').catch(() => undefined);
      await second.stop();
    }
    await account.remove();
  }
});

test('Spawner.poll_interval: a server that dies on its own is noticed; its route, token, OAuth client and server row go, and it can start again', async () => {
  const account = await createUnixUser();
  const t = await startTestHub({ withProxy: true, overrides: ['Spawner.http_timeout=60', 'Spawner.poll_interval=1'] });
  try {
    const db = t.hub.db;
    assert.ok(db);
    const [user] = await createUsers(db, [account.name]);
    assert.ok(user);
    const manager = t.hub.servers as LocalServerManager;
    assert.equal(await manager.start(user, '', {}), 'ready');
    const pid = pidOf(t.hub, account.name);
    const prefix = `/user/${account.name}/`;
    assert.ok((await t.hub.proxy?.client.getAllRoutes())?.[prefix]);
    process.kill(pid, 'SIGKILL');
    const deadline = Date.now() + 10_000;
    while (!manager.runtime(account.name, '').stopped && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.ok(manager.runtime(account.name, '').stopped, 'noticed within a few poll intervals');
    // The clean-up runs right after the entry changes; give it the moment it needs.
    await new Promise((r) => setTimeout(r, 500));
    // SIGKILL's exit status as JupyterHub logs it from Popen.returncode: -9.
    assert.ok(t.logs.some((l) => l.includes(`User ${account.name} server stopped, with exit code: -9`)), t.logs.slice(-10).join('\n'));
    assert.equal((await t.hub.proxy?.client.getAllRoutes())?.[prefix], undefined, 'route gone');
    assert.equal((await db('oauth_clients').where({ identifier: `jupyterhub-user-${account.name}` })).length, 0, 'client gone');
    assert.equal((await db('api_tokens').where({ user_id: user.id })).length, 0, 'token gone');
    assert.equal((await db('servers')).length, 0, 'no servers row');
    const model = await fetch(`${t.status.hub_url}api/users/${account.name}`, { headers: { authorization: `token ${await adminToken(t.hub)}` } });
    assert.equal(((await model.json()) as { server: unknown }).server, null, 'the REST API says not running');
    assert.equal(await manager.start(user, '', {}), 'ready', 'starts again');
    await manager.stop(user, '');
  } finally {
    await t.stop();
    await account.remove();
  }
});

test('server log files: one per server, 0600 in a 0700 folder, with names no two servers share (a/b and a-b, a b and a_b)', async () => {
  const dir = await tempDir();
  const standin = await buildStandin();
  const script = path.join(dir, 'server.sh');
  await writeFile(script, `#!/bin/sh\necho "server of [$JUPYTERHUB_USER] named [$JUPYTERHUB_SERVER_NAME]"\nexec ${standin}\n`);
  await chmod(script, 0o755);
  const t = await startTestHub({ withProxy: true, overrides: ['JupyterHub.spawner_class=simple', `Spawner.cmd=["${script}"]`, 'JupyterHub.allow_named_servers=true',
    `SimpleLocalProcessSpawner.home_dir_template=${path.join(dir, 'home', '{username}')}`] });
  const manager = t.hub.servers as LocalServerManager;
  const servers: [string, string][] = [['a', 'b'], ['a-b', ''], ['a', ''], ['a b', ''], ['a_b', ''], ['x', 'a%20b'], ['x', 'a b']];
  try {
    const users = new Map((await createUsers(t.hub.db!, ['a', 'a-b', 'a b', 'a_b', 'x'])).map((u) => [u.name, u]));
    for (const [name, server] of servers) assert.equal(await manager.start(users.get(name)!, server, {}), 'ready', `${name}/${server}`);
    const files = servers.map(([name, server]) => String(manager.runtime(name, server).state.log_file));
    assert.equal(new Set(files).size, servers.length, `distinct files: ${files.join(' ')}`);
    assert.equal(path.basename(files[0]!), 'a~b.log');
    assert.equal(path.basename(files[1]!), 'a-b.log');
    assert.equal(path.basename(files[3]!), 'a%20b.log');
    assert.equal(statSync(path.dirname(files[0]!)).mode & 0o777, 0o700);
    for (const [i, [name, server]] of servers.entries()) {
      const file = files[i]!;
      assert.equal(path.dirname(file), path.dirname(files[0]!), 'one folder');
      assert.equal(statSync(file).mode & 0o777, 0o600, file);
      assert.equal(readFileSync(file, 'utf8').split('\n')[0], `server of [${name}] named [${server}]`, file);
    }
    const long = 'l'.repeat(255);
    assert.equal(await manager.start((await createUsers(t.hub.db!, [long]))[0]!, '', {}), 'ready', 'a name too long for a file name still gets a log file');
    assert.ok(path.basename(String(manager.runtime(long, '').state.log_file)).length < 255);
    await manager.stop(users.get('a')!, 'b');
  } finally {
    await t.stop();
  }
});

async function adminToken(hub: Hub): Promise<string> {
  const { createToken } = await import('../../src/daemon/db/tokens-repo.js');
  const db = hub.db!;
  const [admin] = await createUsers(db, [`admin${Date.now()}`], { admin: true });
  return (await createToken(db, { userId: admin!.id })).token;
}
