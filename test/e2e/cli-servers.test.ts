import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildStandin } from '../../bench/standin/standin.js';
import { runCli, startDaemon, tempDir, type CliResult, type RunningDaemon } from '../helpers/cli.js';

/**
 * `hub servers` and `hub top` (without a terminal) end to end. Servers are stand-ins (bench/standin) run by the
 * simple spawner; a wrapper makes some users' spawns slow (longer than the API's 10 s wait, so --wait follows
 * the progress stream) or failing, by name.
 */
let dir = '';
let daemon: RunningDaemon | undefined;

async function hub(args: string[]): Promise<CliResult> {
  return runCli(args, { cwd: dir });
}

function json<T>(r: CliResult): T {
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
}

function assertOneLineError(r: CliResult, code: number, pattern: RegExp): void {
  assert.equal(r.code, code, `exit ${r.code}: ${r.stderr}`);
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

interface Row {
  user: string;
  name: string;
  state: string;
  url: string;
  started: string | null;
  uptime_seconds: number | null;
}

before(async () => {
  dir = await tempDir('hub-cli-servers-');
  const standin = await buildStandin();
  await writeFile(
    path.join(dir, 'spawn.sh'),
    `#!/bin/sh
case "$JUPYTERHUB_USER" in
  slowfail*) sleep 11; echo "failing late on purpose" >&2; exit 3;;
  slow*) sleep 11; exec ${standin};;
  fail*) echo "failing on purpose" >&2; exit 3;;
  *) exec ${standin};;
esac
`,
  );
  await chmod(path.join(dir, 'spawn.sh'), 0o755);
  await writeFile(
    path.join(dir, 'hub.yml'),
    `ConfigurableHTTPProxy: {api_url: 'http://127.0.0.1:0'}
JupyterHub: {hub_ip: 127.0.0.1, hub_port: 0, ip: 127.0.0.1, port: 0, db_url: 'sqlite:///hub.sqlite', spawner_class: simple, allow_named_servers: true}
Spawner: {cmd: ['${dir}/spawn.sh']}
SimpleLocalProcessSpawner: {home_dir_template: '${dir}/home/{username}'}
`,
  );
  daemon = await startDaemon([], { cwd: dir });
  const added = await hub(['users', 'add', 'alice', 'bob', 'carol', 'slow1', 'slowfail1', 'fail1']);
  assert.equal(added.code, 0, added.stderr);
});

after(async () => {
  await daemon?.stop();
});

test('start, ls, show: --json holds what the table shows; starting a running server is a conflict', async () => {
  for (const u of ['alice', 'bob']) {
    const r = await hub(['servers', 'start', u]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${u}'s server is ready at /user/${u}/\n`);
  }
  const rows = json<Row[]>(await hub(['servers', 'ls', '--json']));
  assert.deepEqual(rows.map((r) => [r.user, r.name, r.state, r.url]), [['alice', '', 'ready', '/user/alice/'], ['bob', '', 'ready', '/user/bob/']]);
  assert.ok(rows.every((r) => r.started !== null && (r.uptime_seconds ?? -1) >= 0));
  const table = (await hub(['servers', 'ls'])).stdout.trim().split('\n');
  assert.match(table[0] ?? '', /^USER\s+SERVER\s+STATE\s+URL\s+STARTED\s+LAST ACTIVITY\s+UPTIME$/);
  assert.deepEqual(table.slice(1).map((l) => l.split(/\s+/).slice(0, 4)), rows.map((r) => [r.user, r.name || '(default)', r.state, r.url]));
  assert.deepEqual(json<Row[]>(await hub(['servers', '--json'])).map((r) => r.user), ['alice', 'bob'], 'the topic alone lists the same');

  const show = json<Row>(await hub(['servers', 'show', 'alice', '--json']));
  assert.deepEqual([show.user, show.name, show.state, show.url], ['alice', '', 'ready', '/user/alice/']);
  assert.match((await hub(['servers', 'show', 'alice'])).stdout, /^state\s+ready$/m);
  assert.equal(json<Row>(await hub(['servers', 'show', 'carol', '--json'])).state, 'stopped', 'a never-started default server is stopped');

  assertOneLineError(await hub(['servers', 'start', 'alice']), 14, /alice.*already running/);
  assertOneLineError(await hub(['servers', 'start', 'nobody']), 13, /no such user: nobody/);
  assertOneLineError(await hub(['servers', 'show', 'nobody']), 13, /no such user: nobody/);
  assertOneLineError(await hub(['servers', 'show', 'alice/nothere']), 13, /alice has no server named nothere/);
});

test('start --wait follows the progress stream to ready, and exits non-zero when the spawn fails', async () => {
  const [ok, late] = await Promise.all([hub(['servers', 'start', 'slow1', '--wait']), hub(['servers', 'start', 'slowfail1', '--wait', '--json'])]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, "slow1's server is ready at /user/slow1/\n");
  assert.match(ok.stderr, /\[ {2}0%\] Server requested\n/);
  assert.match(ok.stderr, /\[100%\] Server ready at \/user\/slow1\/\n/);

  assert.equal(late.code, 16, late.stderr);
  assert.match(late.stderr, /slowfail1's server failed to start: Spawn failed/);
  const result = JSON.parse(late.stdout) as { state: string; events: { failed: boolean }[] };
  assert.equal(result.state, 'failed', '--json still prints the outcome');
  assert.equal(result.events.at(-1)?.failed, true);

  const quick = await hub(['servers', 'start', 'fail1', '--wait']);
  assert.equal(quick.code, 16, quick.stderr);
  assert.match(quick.stderr, /failing on purpose/);
  assert.equal(json<Row>(await hub(['servers', 'show', 'fail1', '--json'])).state, 'stopped');
});

test('named servers: start, show, stop, listed as stopped with --all, removed with rm', async () => {
  assert.equal((await hub(['servers', 'start', 'alice/gpu'])).code, 0);
  assert.equal(json<Row>(await hub(['servers', 'show', 'alice/gpu', '--json'])).url, '/user/alice/gpu/');
  assertOneLineError(await hub(['servers', 'stop', 'alice/gpu']), 11, /Stop alice's server gpu\?/);
  const stopped = json<{ target: string; result: string }[]>(await hub(['servers', 'stop', 'alice/gpu', '--answer-yes', '--json']));
  assert.deepEqual(stopped.map((r) => [r.target, r.result]), [['alice/gpu', 'stopped']]);
  assert.equal((await hub(['servers', 'stop', 'alice/gpu', '-y'])).stdout, "alice's server gpu is not running\n");

  assert.ok(!json<Row[]>(await hub(['servers', 'ls', '--json'])).some((r) => r.name === 'gpu'));
  const all = json<Row[]>(await hub(['servers', 'ls', '--all', '--json']));
  assert.deepEqual(all.filter((r) => r.name === 'gpu').map((r) => r.state), ['stopped']);
  assert.ok(!all.some((r) => r.state === 'stopped' && r.name === ''), 'stopped default servers are not listed');

  assertOneLineError(await hub(['servers', 'rm', 'alice']), 2, /the default server cannot be removed/);
  assertOneLineError(await hub(['servers', 'rm', 'alice/nothere', '-y']), 13, /alice has no server named nothere/);
  assertOneLineError(await hub(['servers', 'rm', 'alice/gpu']), 11, /Remove alice's server gpu/);
  assert.equal((await hub(['servers', 'rm', 'alice/gpu', '-y'])).stdout, "alice's server gpu: removed\n");
  assert.ok(!json<Row[]>(await hub(['servers', 'ls', '--all', '--json'])).some((r) => r.name === 'gpu'));
});

test('hub top without a terminal prints one snapshot that agrees with servers ls; servers --help points to it', async () => {
  const help = (await hub(['servers', '--help'])).stdout;
  assert.match(help, /^List single-user servers .*; live view: hub top\.$/m);
  assert.match(help.replace(/\s+/g, ' '), /Live view of servers and spawn pressure .* hub top\./);
  const snap = await hub(['top']);
  assert.equal(snap.code, 0, snap.stderr);
  const running = json<Row[]>(await hub(['servers', 'ls', '--json'])).length;
  assert.match(snap.stdout, new RegExp(`^servers\\s+running ${running}\\s+pending 0\\s+stopping 0$`, 'm'));
  assert.match(snap.stdout, /^pressure\s+spawns 0\/100/m);
  assert.match(snap.stdout, /^spawning\s+[\d.]+\/min\s+ready p50 [\d.]+s p95 [\d.]+s\s+429s 0\s+failed 2 \(5 min\)$/m);
  assert.match(snap.stdout, /^alice\s+\(default\)\s+ready/m);
  const j = json<{ pressure: { servers: { running: number } }; servers: Row[] }>(await hub(['top', '--json']));
  assert.equal(j.pressure.servers.running, running);
  assert.equal(j.servers.length, running);
});

test('stop --idle-for and --all: dry run, confirmation, then every running server stops', async () => {
  assertOneLineError(await hub(['servers', 'stop']), 2, /which servers\?/);
  assertOneLineError(await hub(['servers', 'stop', 'alice', '--all']), 2, /which servers\?/);
  assertOneLineError(await hub(['servers', 'stop', '--idle-for', 'a while']), 2, /not a duration/);
  assert.equal((await hub(['servers', 'stop', '--idle-for', '1d'])).stdout, 'no servers to stop (idle for more than 1d)\n');
  assert.deepEqual(json<Row[]>(await hub(['servers', 'ls', '--idle-for', '1d', '--json'])), []);

  const running = json<Row[]>(await hub(['servers', 'ls', '--json'])).map((r) => r.user);
  assert.deepEqual(running, ['alice', 'bob', 'slow1']);
  const dry = json<{ target: string; result: string }[]>(await hub(['servers', 'stop', '--idle-for', '0s', '--dry-run', '--json']));
  assert.deepEqual(dry.map((r) => [r.target, r.result]), running.map((u) => [u, 'would stop']));
  assertOneLineError(await hub(['servers', 'stop', '--idle-for', '0s']), 11, /Stop 3 servers \(idle for more than 0s\): alice, bob, slow1\?/);
  assert.equal(json<Row[]>(await hub(['servers', 'ls', '--json'])).length, 3, 'nothing stopped without confirmation');

  const idle = json<{ target: string; ok: boolean }[]>(await hub(['servers', 'stop', '--idle-for', '0s', '-y', '--json']));
  assert.deepEqual(idle.map((r) => r.target), running);
  assert.deepEqual(json<Row[]>(await hub(['servers', 'ls', '--json'])), []);

  assert.equal((await hub(['servers', 'start', 'carol'])).code, 0);
  assertOneLineError(await hub(['servers', 'stop', '--all']), 11, /Stop 1 server \(all running\): carol\?/);
  assert.equal((await hub(['servers', 'stop', '--all', '--force'])).code, 0);
  assert.deepEqual(json<Row[]>(await hub(['servers', 'ls', '--json'])), []);
});

test('without a daemon every servers command and top say so and exit 7', async () => {
  const empty = await tempDir('hub-cli-nodaemon-');
  for (const args of [['servers', 'start', 'alice'], ['servers', 'stop', '--all', '-y'], ['top'], ['groups', 'ls'], ['tokens', 'create', '--user', 'a']]) {
    const r = await runCli(args, { cwd: empty });
    assert.equal(r.code, 7, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /hub is not running \(no socket at .*\); start it with: hub start/);
  }
});
