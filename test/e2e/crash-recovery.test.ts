import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildStandin } from '../../bench/standin/standin.js';
import { runCli, startDaemon, tempDir, type RunningDaemon } from '../helpers/cli.js';
import { request, type SimpleResponse } from '../helpers/hub.js';
import { pidAlive } from '../../src/daemon/spawner/kill-sequence.js';

/**
 * An admin's bad day, with the real daemon (`hub start`), its real proxy process and real server processes
 * (bench/standin, run by the simple spawner through a script that picks a behaviour by user name): the daemon
 * killed with -9 while idle and in the middle of a spawn, servers dying while it is down, spawns failing until
 * consecutive_failure_limit, the SQLite file locked by another process or read-only, the proxy frozen.
 */
async function hubDir(extra = ''): Promise<string> {
  const dir = await tempDir('hub-crash-');
  const standin = await buildStandin();
  await writeFile(
    path.join(dir, 'spawn.sh'),
    `#!/bin/sh
case "$JUPYTERHUB_USER" in
  slow*) sleep 10; exec ${standin};;
  fail*) echo "failing on purpose" >&2; exit 3;;
  *) exec ${standin};;
esac
`,
  );
  await chmod(path.join(dir, 'spawn.sh'), 0o755);
  await writeFile(
    path.join(dir, 'hub.yml'),
    `ConfigurableHTTPProxy: {api_url: 'http://127.0.0.1:0'}
JupyterHub:
  hub_ip: 127.0.0.1
  hub_port: 0
  ip: 127.0.0.1
  port: 0
  db_url: 'sqlite:///hub.sqlite'
  spawner_class: simple
  tornado_settings: {slow_spawn_timeout: 0}
${extra}Spawner: {cmd: ['${dir}/spawn.sh'], http_timeout: 30}
SimpleLocalProcessSpawner: {home_dir_template: '${dir}/home/{username}'}
`,
  );
  return dir;
}

function api(dir: string, method: string, route: string): Promise<SimpleResponse> {
  return request({ socketPath: path.join(dir, '.hub', 'hub.sock'), path: `/hub/api/${route}`, method });
}

interface ServerModel {
  ready: boolean;
  pending: string | null;
  state: { pid?: number };
}

async function server(dir: string, user: string): Promise<ServerModel | undefined> {
  const res = await api(dir, 'GET', `users/${user}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return (res.body as { servers: Record<string, ServerModel> }).servers[''];
}

async function waitFor<T>(probe: () => Promise<T | undefined | false>, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const got = await probe();
    if (got !== undefined && got !== false) return got;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function sql(dir: string, query: string): string {
  return execFileSync('sqlite3', [path.join(dir, 'hub.sqlite'), query], { encoding: 'utf8' }).trim();
}

async function cli(dir: string, args: string[]): Promise<void> {
  const r = await runCli(args, { cwd: dir });
  assert.equal(r.code, 0, `hub ${args.join(' ')}: ${r.stderr}`);
}

test('kill -9 of the daemon while idle and mid-spawn: the next one adopts what runs (pending check until it answers), clears what died with its token and OAuth client, and leaves nothing behind', async () => {
  // init_spawners_timeout 1: the hub is ready while slow1 is still being checked, so the API can show it.
  const dir = await hubDir('  cleanup_servers: true\n  init_spawners_timeout: 1\n');
  let first: RunningDaemon | undefined;
  let second: RunningDaemon | undefined;
  const pids: number[] = [];
  try {
    first = await startDaemon([], { cwd: dir });
    await cli(dir, ['users', 'add', 'alice', 'gone1', 'slow1']);
    await cli(dir, ['servers', 'start', 'alice', '--wait']);
    await cli(dir, ['servers', 'start', 'gone1', '--wait']);
    assert.equal((await api(dir, 'POST', 'users/slow1/server')).status, 202);
    // Killed once the spawner has started slow1's process and saved its state, before it answers.
    // (The API shows a pending spawn's state only once it is ready; the database has it as soon as it started.)
    const slowPid = await waitFor(async () => Number(sql(dir, "select json_extract(spawners.state, '$.pid') from spawners join users on users.id = spawners.user_id where users.name = 'slow1' and server_id is not null")) || undefined, 10_000, "slow1's pid");
    const alicePid = (await server(dir, 'alice'))?.state.pid ?? -1;
    const gonePid = (await server(dir, 'gone1'))?.state.pid ?? -1;
    pids.push(slowPid, alicePid, gonePid);
    assert.equal((await first.stop('SIGKILL')).signal, 'SIGKILL');
    // gone1's server dies while no hub runs.
    process.kill(gonePid, 'SIGKILL');
    await waitFor(async () => !pidAlive(gonePid), 5000, 'gone1 to die');

    second = await startDaemon([], { cwd: dir });
    const log = second.output();
    assert.match(log, /gone1's server appears to have stopped while the Hub was down/);
    // slow1 is not answering yet: pending 'check' (JupyterHub 3.0's _check_pending), not ready and not routed.
    const checking = await server(dir, 'slow1');
    assert.equal(checking?.pending, 'check', `${JSON.stringify(checking)}\n${second.output()}`);
    assert.equal(checking?.ready, false);
    assert.equal((await api(dir, 'POST', 'users/slow1/server')).status, 400, 'no second spawn while it is checked');
    const ready = await waitFor(async () => {
      const s = await server(dir, 'slow1');
      return s?.ready === true ? s : undefined;
    }, 20_000, 'slow1 to be adopted');
    assert.equal(ready.state.pid, slowPid, 'adopted, not respawned');
    assert.equal((await server(dir, 'alice'))?.state.pid, alicePid, 'alice adopted');
    assert.match(second.output(), /slow1's server still running/);

    // Through the proxy the new hub started: both adopted servers answer.
    const status = JSON.parse((await runCli(['status', '--json'], { cwd: dir })).stdout) as { public_url: string };
    for (const user of ['alice', 'slow1']) {
      const res = await fetch(new URL(`user/${user}/`, status.public_url));
      assert.equal(res.status, 200, user);
      assert.equal(await res.text(), 'standin\n');
    }
    // gone1: no server, and neither its token nor its OAuth client survive it (JupyterHub 3.0 leaves both).
    assert.equal((await server(dir, 'gone1')), undefined);
    assert.equal(sql(dir, "select count(*) from api_tokens where note = 'Server at /user/gone1/'"), '0');
    assert.equal(sql(dir, "select count(*) from oauth_clients where identifier = 'jupyterhub-user-gone1'"), '0');
    assert.equal(sql(dir, "select spawners.state from spawners join users on users.id = spawners.user_id where users.name = 'gone1'"), '{}');

    const end = await second.stop();
    assert.equal(end.code, 0, end.stderr);
    assert.match(end.stderr, /Cleaning up single-user servers/);
    for (const pid of pids) assert.equal(pidAlive(pid), false, `process ${pid} left behind`);
    assert.equal(sql(dir, 'select count(*) from servers'), '0');
    assert.equal(sql(dir, "select count(*) from api_tokens where note like 'Server at %'"), '0');
    assert.equal(existsSync(path.join(dir, 'jupyterhub-proxy.pid')), false, 'the proxy stopped (cleanup_proxy)');
  } finally {
    // A failure half-way must not leave a daemon (and with it this test process) running.
    for (const d of [first, second]) if (d && d.proc.exitCode === null && d.proc.signalCode === null) await d.stop('SIGKILL');
    for (const pid of pids) if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
    const proxyPidFile = path.join(dir, 'jupyterhub-proxy.pid');
    const proxyPid = existsSync(proxyPidFile) ? Number((await readFile(proxyPidFile, 'utf8')).trim()) : 0;
    if (proxyPid > 0 && pidAlive(proxyPid)) process.kill(proxyPid, 'SIGKILL');
  }
});

test('consecutive_failure_limit: each failure says the exit status and output; at the limit the daemon cleans up and exits 1, for a supervisor to restart it', async () => {
  const dir = await hubDir('');
  await writeFile(path.join(dir, 'hub.yml'), (await readFile(path.join(dir, 'hub.yml'), 'utf8')).replace('http_timeout: 30', 'http_timeout: 30, consecutive_failure_limit: 2'));
  const daemon = await startDaemon([], { cwd: dir });
  try {
    await cli(dir, ['users', 'add', 'fail1', 'fail2']);
    for (const user of ['fail1', 'fail2']) {
      const r = await runCli(['servers', 'start', user, '--wait'], { cwd: dir });
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /the server process exited before it answered \(exit status 3\)/);
      assert.match(r.stderr, /failing on purpose/);
    }
    const end = await daemon.exited;
    assert.equal(end.code, 1, end.stderr);
    assert.match(end.stderr, /Aborting due to 2 consecutive spawn failures/);
    assert.match(end.stderr, /hub stopped \(Aborting due to 2 consecutive spawn failures\); exiting with status 1/);
    assert.doesNotMatch(end.stderr, /SIGTERM received: shutting down/, 'no signal was sent: the log says why it stops');
    assert.equal(existsSync(path.join(dir, '.hub', 'hub.sock')), false, 'cleaned up as a normal stop');
  } finally {
    if (daemon.proc.exitCode === null) await daemon.stop();
  }
});

test('the SQLite file locked by another process: 503 naming the lock and its fix, no SQL or token hash in the log; fine again once released', async () => {
  const dir = await hubDir('');
  const daemon = await startDaemon([], { cwd: dir });
  const holder = spawn('sqlite3', [path.join(dir, 'hub.sqlite')], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    await cli(dir, ['users', 'add', 'alice']);
    let out = '';
    holder.stdout.on('data', (d: Buffer) => (out += d.toString()));
    holder.stdin.write("BEGIN EXCLUSIVE;\nSELECT 'locked';\n");
    await waitFor(async () => out.includes('locked'), 10_000, 'the lock');
    const add = await runCli(['users', 'add', 'bob'], { cwd: dir });
    assert.notEqual(add.code, 0);
    assert.match(add.stderr, /the database is locked by another process \(SQLITE_BUSY: database is locked\)/);
    // slow_spawn_timeout 0: answered 202 at once; the spawn fails when its first write gives up.
    assert.equal((await api(dir, 'POST', 'users/alice/server')).status, 202);
    await waitFor(async () => /Spawn failed for alice: the database is locked by another process \(SQLITE_BUSY/.test(daemon.output()), 15_000, 'the spawn to fail');
    const log = daemon.output();
    assert.match(log, /POST \/hub\/api\/users: the database is locked by another process .*Another program holds a write lock/);
    assert.match(log, /503 POST \/hub\/api\/users/);
    assert.doesNotMatch(log, /insert into|sha512:/i, 'the SQL and its values stay out of the log');
    holder.stdin.end('COMMIT;\n.quit\n');
    await new Promise((r) => holder.once('close', r));
    await cli(dir, ['users', 'add', 'bob']);
    await cli(dir, ['servers', 'start', 'alice', '--wait']);
  } finally {
    if (holder.exitCode === null) holder.kill('SIGKILL');
    const end = await daemon.stop();
    assert.equal(end.code, 0, end.stderr);
  }
});

test('a read-only database file at start is one clear error with the fix, not "a bug in hub"', async (t) => {
  const dir = await hubDir('');
  const first = await startDaemon([], { cwd: dir });
  assert.equal((await first.stop()).code, 0);
  const db = path.join(dir, 'hub.sqlite');
  try {
    // As root a mode is no obstacle: the immutable flag is (ext4, tmpfs, xfs...).
    execFileSync('chattr', ['+i', db], { stdio: 'ignore' });
  } catch {
    t.skip('chattr +i is not supported on this file system');
    return;
  }
  try {
    const r = await runCli(['start'], { cwd: dir });
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /the database is read-only \(SQLITE_READONLY: attempt to write a readonly database\)/);
    assert.match(r.stderr, /writable by the hub's user/);
    assert.doesNotMatch(r.stderr, /bug in hub|update `|\n\s+at /);
  } finally {
    execFileSync('chattr', ['-i', db]);
  }
});

test('the proxy frozen (SIGSTOP) past the hub\'s proxy timeouts: the API does not hang, GET /proxy is a 503 naming the proxy; after SIGCONT routes are in sync', async () => {
  const dir = await hubDir('');
  const daemon = await startDaemon([], { cwd: dir });
  const proxyPid = Number((await readFile(path.join(dir, 'jupyterhub-proxy.pid'), 'utf8')).trim());
  try {
    await cli(dir, ['users', 'add', 'alice']);
    await cli(dir, ['servers', 'start', 'alice', '--wait']);
    process.kill(proxyPid, 'SIGSTOP');
    const tic = Date.now();
    assert.equal((await api(dir, 'GET', 'users')).status, 200);
    assert.ok(Date.now() - tic < 5000, 'requests that need no proxy are answered at once');
    const routes = await api(dir, 'GET', 'proxy');
    assert.equal(routes.status, 503, JSON.stringify(routes.body));
    assert.match(JSON.stringify(routes.body), /reading the proxy's routes: proxy API at http:\/\/127\.0\.0\.1:\d+ failed for 30 s: ETIMEDOUT/);
    assert.doesNotMatch(daemon.output(), /GET \/hub\/api\/proxy failed: HubError/, 'one line, no stack');
    process.kill(proxyPid, 'SIGCONT');
    assert.equal((await api(dir, 'POST', 'proxy')).status, 200);
    const after = await api(dir, 'GET', 'proxy');
    assert.equal(after.status, 200);
    assert.ok(Object.keys(after.body as object).includes('/user/alice/'), JSON.stringify(after.body));
  } finally {
    process.kill(proxyPid, 'SIGCONT');
    const end = await daemon.stop();
    assert.equal(end.code, 0, end.stderr);
  }
});
