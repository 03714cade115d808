import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { readFile, writeFile, chmod, chown, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { cleanEnv, runCli, startDaemon, tempDir } from '../helpers/cli.js';

const CONFIG = `ConfigurableHTTPProxy:
  api_url: http://127.0.0.1:0
JupyterHub:
  hub_ip: 127.0.0.1
  hub_port: 0
  ip: 127.0.0.1
  port: 0
  db_url: sqlite:///hub.sqlite
  pid_file: hub.pid
Authenticator:
  admin_users: [alice]
  allowed_users: [bob]
`;

async function hubDir(config = CONFIG): Promise<string> {
  const dir = await tempDir();
  await writeFile(path.join(dir, 'hub.yml'), config);
  return dir;
}

test('start -> socket -> users ls --json -> SIGTERM -> clean exit, no socket or pid file left', async () => {
  const dir = await hubDir();
  const daemon = await startDaemon([], { cwd: dir });
  const socket = path.join(dir, '.hub', 'hub.sock');
  const pidFile = path.join(dir, 'hub.pid');
  assert.equal(statSync(socket).mode & 0o777, 0o600, 'socket is 0600');
  assert.equal(statSync(path.dirname(socket)).mode & 0o777, 0o700, 'socket directory is 0700');
  assert.equal((await readFile(pidFile, 'utf8')).trim(), String(daemon.proc.pid));

  const ls = await runCli(['users', 'ls', '--json'], { cwd: dir });
  assert.equal(ls.code, 0, ls.stderr);
  const users = JSON.parse(ls.stdout) as { name: string; admin: boolean; kind: string }[];
  assert.deepEqual(users.map((u) => [u.name, u.admin]).sort(), [['alice', true], ['bob', false]]);
  assert.ok(users.every((u) => u.kind === 'user'));

  const table = await runCli(['users', 'ls'], { cwd: dir });
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^NAME\s+ADMIN/m);
  assert.match(table.stdout, /^alice\s+yes/m);
  assert.match(table.stdout, /^bob\s/m);
  // The topic alone lists too, with the same data.
  const topic = await runCli(['users', '--json'], { cwd: dir });
  assert.deepEqual(JSON.parse(topic.stdout), users);

  const status = await runCli(['status', '--json'], { cwd: dir });
  assert.equal(status.code, 0, status.stderr);
  const s = JSON.parse(status.stdout) as { pid: number; socket: string; hub_url: string };
  assert.equal(s.pid, daemon.proc.pid);
  assert.equal(s.socket, socket);

  // The hub port answers the JupyterHub API version with a PEP 440 X-JupyterHub-Version.
  const res = await fetch(new URL('api/', s.hub_url));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('x-jupyterhub-version'), '3.0.0');
  assert.deepEqual(await res.json(), { version: '3.0.0' });
  // Without a token the user list is refused on the TCP door.
  assert.equal((await fetch(new URL('api/users', s.hub_url))).status, 403);

  const end = await daemon.stop('SIGTERM');
  assert.equal(end.code, 0, end.stderr);
  assert.match(end.stderr, /stopped cleanly/);
  assert.equal(existsSync(socket), false, 'socket removed');
  assert.equal(existsSync(pidFile), false, 'pid file removed');
});

test('extra_log_file, deprecated but still honoured as in JupyterHub: the hub\'s log is appended to it (0600), with the deprecation warning', async () => {
  const dir = await hubDir(CONFIG.replace('  pid_file: hub.pid\n', '  pid_file: hub.pid\n  extra_log_file: logs/extra.log\n'));
  await mkdir(path.join(dir, 'logs'));
  const daemon = await startDaemon([], { cwd: dir });
  const end = await daemon.stop('SIGTERM');
  assert.equal(end.code, 0, end.stderr);
  assert.match(end.stderr, /JupyterHub\.extra_log_file: DEPRECATED: use output redirection instead/);
  const file = path.join(dir, 'logs', 'extra.log');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const first = await readFile(file, 'utf8');
  assert.match(first, /JupyterHub\.extra_log_file: DEPRECATED/);
  assert.match(first, /is ready/);
  assert.match(first, /stopped cleanly/);
  assert.ok(!first.includes(`\x1b[`), 'no terminal colours in the file');
  // A second start appends (JupyterHub's FileHandler opens it with mode 'a').
  const again = await startDaemon([], { cwd: dir });
  assert.equal((await again.stop('SIGTERM')).code, 0);
  const second = await readFile(file, 'utf8');
  assert.ok(second.startsWith(first), 'appended, not replaced');
  assert.equal(second.match(/stopped cleanly/g)?.length, 2);
});

test('--socket in a directory the hub did not make: its mode is left alone, the socket is 0600; an unsafe one is refused', async () => {
  const dir = await hubDir();
  const srv = path.join(dir, 'srv');
  await mkdir(srv);
  await chmod(srv, 0o755);
  await writeFile(path.join(srv, 'shared.txt'), 'for everyone\n');
  const socket = path.join(srv, 'ctl.sock');
  const daemon = await startDaemon(['--socket', socket], { cwd: dir });
  try {
    assert.equal(statSync(socket).mode & 0o777, 0o600, 'socket is 0600');
    assert.equal(statSync(srv).mode & 0o7777, 0o755, 'the existing directory keeps its mode');
    const ls = await runCli(['users', 'ls', '--json', '--socket', socket], { cwd: dir });
    assert.equal(ls.code, 0, ls.stderr);
  } finally {
    assert.equal((await daemon.stop()).code, 0);
  }
  // Others may replace a socket in a directory they can write to, unless it is sticky (as /tmp).
  for (const [mode, why] of [[0o777, /writable by others/], [0o775, /writable by its group/]] as const) {
    await chmod(srv, mode);
    const r = await runCli(['start', '--socket', socket], { cwd: dir });
    assert.equal(r.code, 6, r.stderr);
    assert.match(r.stderr, why);
    assert.ok(r.stderr.includes(`chmod go-w ${srv}`), r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(statSync(srv).mode & 0o7777, mode, 'mode left as it was');
  }
  await chmod(srv, 0o1777);
  const sticky = await startDaemon(['--socket', socket], { cwd: dir });
  assert.equal(statSync(socket).mode & 0o777, 0o600);
  assert.equal((await sticky.stop()).code, 0);
  assert.equal(statSync(srv).mode & 0o7777, 0o1777);
  // Someone else's directory: they could replace the socket.
  await chmod(srv, 0o755);
  await chown(srv, 65534, 65534);
  const foreign = await runCli(['start', '--socket', socket], { cwd: dir });
  assert.equal(foreign.code, 6, foreign.stderr);
  assert.match(foreign.stderr, /belongs to another user \(uid 65534\)/);
  await chown(srv, 0, 0);
  // A file that is not a socket is never deleted to make room for one.
  const notSocket = path.join(srv, 'shared.txt');
  const r = await runCli(['start', '--socket', notSocket], { cwd: dir });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /exists and is not a socket/);
  assert.equal(await readFile(notSocket, 'utf8'), 'for everyone\n');
});

test('a second start on the same state refuses clearly; the first keeps running', async () => {
  const dir = await hubDir();
  const first = await startDaemon([], { cwd: dir });
  try {
    const second = await runCli(['start'], { cwd: dir });
    assert.equal(second.code, 8, second.stderr);
    assert.match(second.stderr, /already running/);
    assert.doesNotMatch(second.stderr, /\n\s+at /, 'no stack trace');
    const ls = await runCli(['users', 'ls', '--json'], { cwd: dir });
    assert.equal(ls.code, 0, 'first daemon still answers');
  } finally {
    await first.stop();
  }
});

test('stale socket and pid file of a killed daemon are cleaned up on the next start', async () => {
  const dir = await hubDir();
  const first = await startDaemon([], { cwd: dir });
  const killed = await first.stop('SIGKILL');
  assert.equal(killed.signal, 'SIGKILL');
  const socket = path.join(dir, '.hub', 'hub.sock');
  assert.ok(existsSync(socket), 'a killed daemon leaves its socket');
  assert.ok(existsSync(path.join(dir, 'hub.pid')), 'and its pid file');
  const second = await startDaemon([], { cwd: dir });
  assert.match(second.output(), /Removing stale control socket/);
  assert.match(second.output(), /Replacing stale pid file/);
  const ls = await runCli(['users', 'ls', '--json'], { cwd: dir });
  assert.equal(ls.code, 0, ls.stderr);
  const end = await second.stop();
  assert.equal(end.code, 0);
});

test('SIGUSR1 logs a status line (JupyterHub\'s log_status) and opens no Node inspector; SIGHUP is logged and ignored', async () => {
  const dir = await hubDir();
  const daemon = await startDaemon([], { cwd: dir });
  try {
    const seen = (pattern: RegExp): Promise<void> => waitFor(() => pattern.test(daemon.output()), 10_000, `no ${pattern} in:\n${daemon.output()}`);
    daemon.proc.kill('SIGHUP');
    await seen(/SIGHUP ignored \(config reload is not supported; restart the hub\)/);
    daemon.proc.kill('SIGUSR1');
    await seen(/Received signal SIGUSR1: pid \d+, up \d+ s, rss \d+ MiB, heap \d+ MiB; servers: 0 running, 0 spawning, 0 stopping/);
    // Node's default would print "Debugger listening on ws://127.0.0.1:9229/..." and let any local account in.
    assert.doesNotMatch(daemon.output(), /Debugger listening/);
    // So would the proxy's, a Node process too: the proxy logs the signal instead.
    const proxyPid = Number((await readFile(path.join(dir, 'jupyterhub-proxy.pid'), 'utf8')).trim());
    process.kill(proxyPid, 'SIGUSR1');
    await seen(/SIGUSR1 received: proxying/);
    assert.doesNotMatch(daemon.output(), /Debugger listening/);
    assert.equal((await runCli(['status', '--json'], { cwd: dir })).code, 0, 'still serving');
  } finally {
    const end = await daemon.stop();
    assert.equal(end.code, 0, end.stderr);
  }
});

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(what);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('commands that need the daemon say it is not running, with the socket path and the fix', async () => {
  const dir = await hubDir();
  for (const args of [['users', 'ls'], ['tokens', 'ls'], ['servers', 'ls'], ['status']]) {
    const r = await runCli(args, { cwd: dir });
    assert.equal(r.code, 7, `${args.join(' ')}: ${r.stderr}`);
    assert.ok(r.stderr.includes(`hub is not running (no socket at ${path.join(dir, '.hub', 'hub.sock')}); start it with: hub start`), r.stderr);
  }
});

test('--detach returns once the hub is ready and prints where it listens', async () => {
  const dir = await hubDir();
  const r = await runCli(['start', '--detach', '--log-level', 'INFO'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const pid = Number(/pid (\d+)/.exec(r.stdout)?.[1]);
  assert.ok(pid > 0, r.stdout);
  try {
    assert.match(r.stdout, new RegExp(`stop it with kill ${pid}\\)`));
    // Where a person opens it, as `hub status` says it.
    const st = await runCli(['status', '--json'], { cwd: dir });
    assert.equal(st.code, 0, st.stderr);
    assert.ok(r.stdout.includes(`  public URL:     ${(JSON.parse(st.stdout) as { public_url: string }).public_url}\n`), r.stdout);
    const ls = await runCli(['users', 'ls', '--json'], { cwd: dir });
    assert.equal(ls.code, 0, ls.stderr);
    const log = await readFile(path.join(dir, '.hub', 'hub.log'), 'utf8');
    assert.match(log, /is ready/);
    const again = await runCli(['start', '--detach'], { cwd: dir });
    assert.equal(again.code, 8, 'a second detached start reports the running one');
    assert.match(again.stderr, /already running/);
  } finally {
    process.kill(pid, 'SIGTERM');
  }
  // The daemon removes its socket on the way out; wait for the process to be gone.
  await waitForExit(pid);
  assert.equal(existsSync(path.join(dir, '.hub', 'hub.sock')), false);
});

async function waitForExit(pid: number): Promise<void> {
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('a world-readable cookie secret file is refused with the chmod to run', async () => {
  const dir = await hubDir();
  const secret = path.join(dir, 'jupyterhub_cookie_secret');
  await writeFile(secret, 'ab'.repeat(32) + '\n');
  await chmod(secret, 0o644);
  const r = await runCli(['start'], { cwd: dir });
  assert.equal(r.code, 6, r.stderr);
  assert.ok(r.stderr.includes(`chmod 600 ${secret}`), r.stderr);
});

test('a cookie secret path that is a directory is refused as not a file, not as world-readable', async () => {
  const dir = await hubDir();
  const secret = path.join(dir, 'jupyterhub_cookie_secret');
  await mkdir(secret, { mode: 0o755 });
  const r = await runCli(['start'], { cwd: dir });
  assert.equal(r.code, 6, r.stderr);
  assert.ok(r.stderr.includes(`cookie secret file ${secret} is not a file`), r.stderr);
  assert.doesNotMatch(r.stderr, /chmod/);
});

test('a new cookie secret file is created with mode 0600 and 32 random bytes', async () => {
  const dir = await hubDir();
  const daemon = await startDaemon([], { cwd: dir });
  await daemon.stop();
  const secret = path.join(dir, 'jupyterhub_cookie_secret');
  assert.equal(statSync(secret).mode & 0o777, 0o600);
  assert.match((await readFile(secret, 'utf8')).trim(), /^[0-9a-f]{64}$/);
  assert.doesNotMatch(daemon.output(), new RegExp((await readFile(secret, 'utf8')).trim()), 'secret not logged');
});

test('JPY_COOKIE_SECRET is used instead of the file, as in JupyterHub', async () => {
  const dir = await hubDir();
  const daemon = await startDaemon([], { cwd: dir, env: cleanEnv({ JPY_COOKIE_SECRET: 'cd'.repeat(32) }) });
  await daemon.stop();
  assert.match(daemon.output(), /cookie_secret from env\[JPY_COOKIE_SECRET\]/);
  assert.equal(existsSync(path.join(dir, 'jupyterhub_cookie_secret')), false);
});

test('config errors are one clear line naming the key and the fix, with no stack trace', async () => {
  const dir = await hubDir('ConfigurableHTTPProxy:\n  api_url: http://127.0.0.1:0\nJupyterHub:\n  prot: 8000\n');
  const r = await runCli(['start'], { cwd: dir });
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /JupyterHub\.prot/);
  assert.match(r.stderr, /JupyterHub\.port/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  const missing = await runCli(['start', '-c', 'nope.yml'], { cwd: dir });
  assert.equal(missing.code, 3);
  assert.match(missing.stderr, /nope\.yml/);
});

test('the hub port in use is a clear error, and nothing is left behind', async () => {
  const dir = await hubDir();
  const first = await startDaemon([], { cwd: dir });
  try {
    const status = JSON.parse((await runCli(['status', '--json'], { cwd: dir })).stdout) as { hub_url: string };
    const port = new URL(status.hub_url).port;
    const other = await tempDir();
    await writeFile(path.join(other, 'hub.yml'), `ConfigurableHTTPProxy:\n  api_url: http://127.0.0.1:0\nJupyterHub:\n  hub_ip: 127.0.0.1\n  hub_port: ${port}\n  ip: 127.0.0.1\n  port: 0\n  db_url: sqlite:///hub.sqlite\n`);
    const r = await runCli(['start'], { cwd: other });
    assert.equal(r.code, 9, r.stderr);
    assert.match(r.stderr, /EADDRINUSE/);
    assert.equal(existsSync(path.join(other, '.hub', 'hub.sock')), false, 'no socket left by the failed start');
  } finally {
    await first.stop();
  }
});

test('a db_url in a directory that does not exist is refused, and the directory is not made (nor by --detach)', async () => {
  const dir = await hubDir();
  const missing = path.join(dir, 'typo', 'state');
  for (const args of [['start'], ['start', '--detach']]) {
    const r = await runCli([...args, '--db', `sqlite:///${missing}/jupyterhub.sqlite`], { cwd: dir });
    assert.equal(r.code, 17, r.stderr);
    assert.ok(r.stderr.includes(missing), r.stderr);
    assert.match(r.stderr, /does not exist/);
    assert.match(r.stderr, /db_url/);
    assert.equal(existsSync(path.join(dir, 'typo')), false, `${args.join(' ')} made the mistyped directory`);
  }
});

test('a state directory the hub cannot write is a clear I/O error, not an internal one', async () => {
  const dir = await hubDir();
  await chmod(dir, 0o755);
  await chmod(path.join(dir, 'hub.yml'), 0o644);
  const nobody = 65534;
  for (const args of [['start'], ['start', '--detach']]) {
    const r = await runCli(args, { cwd: dir, uid: nobody });
    assert.equal(r.code, 17, r.stderr);
    assert.ok(r.stderr.includes(`make ${dir} writable`), r.stderr);
    assert.doesNotMatch(r.stderr, /bug in hub|\n\s+at /);
  }
});

test('the hub keeps running when the reader of its log goes away (EPIPE)', async () => {
  const dir = await hubDir();
  const daemon = await startDaemon([], { cwd: dir });
  try {
    daemon.proc.stderr?.destroy();
    // Each adds a log line, written to the closed pipe.
    for (const name of ['carol', 'dave']) {
      const r = await runCli(['users', 'add', name], { cwd: dir });
      assert.equal(r.code, 0, r.stderr);
    }
    const status = await runCli(['status', '--json'], { cwd: dir });
    assert.equal(status.code, 0, status.stderr);
    assert.equal(daemon.proc.exitCode, null, 'the daemon is still running');
  } finally {
    await daemon.stop();
  }
});

test('a bad hub_bind_url or hub_connect_url stops the start before the database or cookie secret is written', async () => {
  for (const [option, value] of [['hub_bind_url', 'http://:notaport/'], ['hub_connect_url', 'localhost:8081']]) {
    const dir = await hubDir();
    const r = await runCli(['start', '--set', `JupyterHub.${option}="${value}"`], { cwd: dir });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, new RegExp(`JupyterHub\\.${option} is not an http\\(s\\) URL`));
    for (const f of ['hub.sqlite', 'jupyterhub_cookie_secret', '.hub']) assert.equal(existsSync(path.join(dir, f)), false, `${option}: ${f} written`);
  }
});
