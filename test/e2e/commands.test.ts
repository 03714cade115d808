import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli, startDaemon, tempDir } from '../helpers/cli.js';

const COMMANDS = ['start', 'generate-config', 'generate-certs', 'upgrade-db', 'reset-db', 'status', 'users', 'users ls', 'tokens', 'tokens ls', 'servers', 'servers ls'];

test('every command has a summary, a description or usage, and examples in --help', async () => {
  const dir = await tempDir();
  const top = await runCli(['--help'], { cwd: dir });
  assert.equal(top.code, 0, top.stderr);
  for (const c of ['start', 'generate-config', 'generate-certs', 'upgrade-db', 'reset-db', 'users', 'tokens', 'servers']) {
    assert.match(top.stdout, new RegExp(`^\\s+${c}\\s`, 'm'), `hub --help lists ${c}`);
  }
  for (const c of COMMANDS) {
    const r = await runCli([...c.split(' '), '--help'], { cwd: dir });
    assert.equal(r.code, 0, `${c}: ${r.stderr}`);
    assert.match(r.stdout, /USAGE/, c);
    assert.match(r.stdout, /EXAMPLES/, `${c} has examples`);
    assert.match(r.stdout, /-c, --config=<value>/, `${c} takes --config`);
  }
});

test('generate-config > hub.yml && hub start -c hub.yml works unchanged', async () => {
  const dir = await tempDir();
  const gen = await runCli(['generate-config'], { cwd: dir });
  assert.equal(gen.code, 0, gen.stderr);
  assert.match(gen.stdout, /^JupyterHub:/m);
  assert.match(gen.stdout, /^#\s+concurrent_spawn_limit: 100$/m);
  assert.match(gen.stdout, /^Spawner:/m);
  assert.match(gen.stdout, /^Authenticator:/m);
  const file = path.join(dir, 'hub.yml');
  await writeFile(file, gen.stdout);
  // The defaults bind 8000/8001/8081; a test may not take fixed ports, so only the ports are moved, by flag.
  const daemon = await startDaemon(['-c', file, '--set', 'JupyterHub.hub_port=0', '--set', 'JupyterHub.port=0', '--set', 'ConfigurableHTTPProxy.api_url=http://127.0.0.1:0'], { cwd: dir });
  const ls = await runCli(['users', 'ls', '--json', '-c', file], { cwd: dir });
  assert.equal(ls.code, 0, ls.stderr);
  assert.deepEqual(JSON.parse(ls.stdout), []);
  const end = await daemon.stop();
  assert.equal(end.code, 0);
});

test('generate-config -o refuses to overwrite without confirmation off a terminal', async () => {
  const dir = await tempDir();
  const file = path.join(dir, 'hub.yml');
  await writeFile(file, 'precious: true\n', { mode: 0o644 });
  const r = await runCli(['generate-config', '-o', file], { cwd: dir });
  assert.equal(r.code, 11, r.stderr);
  assert.match(r.stderr, /--answer-yes/);
  assert.equal(await readFile(file, 'utf8'), 'precious: true\n', 'file untouched');
  const yes = await runCli(['generate-config', '-o', file, '--answer-yes'], { cwd: dir });
  assert.equal(yes.code, 0, yes.stderr);
  assert.match(await readFile(file, 'utf8'), /^JupyterHub:/m);
  assert.equal(statSync(file).mode & 0o777, 0o600, 'the overwritten file, where secrets go, is the owner\'s only');
  const fresh = path.join(dir, 'fresh.yml');
  assert.equal((await runCli(['generate-config', '-o', fresh], { cwd: dir })).code, 0);
  assert.equal(statSync(fresh).mode & 0o777, 0o600);
});

test('generate-certs creates the internal authorities and reuses them on a second run', async () => {
  const dir = await tempDir();
  const first = await runCli(['generate-certs', '--json'], { cwd: dir });
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /hub-ca/);
  assert.match(first.stdout, /notebooks-ca/);
  const again = await runCli(['generate-certs'], { cwd: dir });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /reused/i);
});

test('tokens ls and servers ls answer from a running daemon; --json matches the table', async () => {
  const dir = await tempDir();
  await writeFile(path.join(dir, 'hub.yml'), 'ConfigurableHTTPProxy:\n  api_url: http://127.0.0.1:0\nJupyterHub:\n  hub_port: 0\n  ip: 127.0.0.1\n  port: 0\nAuthenticator:\n  admin_users: [alice]\n');
  const daemon = await startDaemon([], { cwd: dir });
  try {
    const tokens = await runCli(['tokens', 'ls', '--json'], { cwd: dir });
    assert.equal(tokens.code, 0, tokens.stderr);
    assert.deepEqual(JSON.parse(tokens.stdout), []);
    const mine = await runCli(['tokens', 'ls', '--user', 'alice', '--json'], { cwd: dir });
    assert.equal(mine.code, 0, mine.stderr);
    assert.deepEqual(JSON.parse(mine.stdout), []);
    const nobody = await runCli(['tokens', 'ls', '--user', 'nobody'], { cwd: dir });
    assert.equal(nobody.code, 13, 'unknown user is a clear not-found');
    assert.match(nobody.stderr, /no such user: nobody/i);
    const servers = await runCli(['servers', 'ls', '--json'], { cwd: dir });
    assert.equal(servers.code, 0, servers.stderr);
    assert.deepEqual(JSON.parse(servers.stdout), []);
    const table = await runCli(['servers', 'ls'], { cwd: dir });
    assert.match(table.stdout, /no servers/);
  } finally {
    await daemon.stop();
  }
});

test('a CLI talking to a daemon of another version gets a clear message', async () => {
  const dir = await tempDir();
  const socket = path.join(dir, 'fake.sock');
  // A stand-in daemon that answers like a hub of version 9.9.0.
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'x-hub-version': '9.9.0' });
    res.end('[]');
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  try {
    const r = await runCli(['users', 'ls', '--socket', socket], { cwd: dir });
    assert.equal(r.code, 10, r.stderr);
    assert.match(r.stderr, /running daemon is 9\.9\.0/);
    assert.match(r.stderr, /restart/i);
  } finally {
    server.close();
  }
});

test('NO_COLOR and pipes get no colour codes', async () => {
  const dir = await tempDir();
  const r = await runCli(['users', 'ls'], { cwd: dir });
  assert.ok(!r.stderr.includes('\u001b['), 'no escape codes');
});
