import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ROOT, cleanEnv, startDaemon, tempDir } from '../helpers/cli.js';

test('contrib/hub.service passes systemd-analyze verify and is Type=notify with restart and hardening', async () => {
  const unit = path.join(ROOT, 'contrib', 'hub.service');
  const r = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
  assert.equal(r.error, undefined, 'systemd-analyze is installed (Debian package systemd)');
  // verify prints problems with this unit on stderr; other units on the machine are not our business.
  const ours = r.stderr.split('\n').filter((l) => l.includes('hub.service'));
  assert.deepEqual(ours, [], r.stderr);
  const text = spawnSync('cat', [unit], { encoding: 'utf8' }).stdout;
  for (const line of ['Type=notify', 'NotifyAccess=all', 'Restart=on-failure', 'ProtectSystem=full', 'PrivateTmp=yes', 'ExecStart=']) {
    assert.ok(text.includes(line), `unit has ${line}`);
  }
});

test('under systemd the daemon sends READY=1 with its MAINPID to $NOTIFY_SOCKET', async () => {
  const dir = await tempDir();
  await writeFile(path.join(dir, 'hub.yml'), 'ConfigurableHTTPProxy:\n  api_url: http://127.0.0.1:0\nJupyterHub:\n  hub_port: 0\n  ip: 127.0.0.1\n  port: 0\n');
  const notify = path.join(dir, 'notify.sock');
  // Node has no unix datagram sockets: a few lines of Python play systemd's side.
  const listener = spawn('/usr/bin/python3', [
    '-c',
    `import socket,sys
s=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1]); print("listening", flush=True)
while True:
    m=s.recv(4096).decode(); print(m.replace("\\n"," "), flush=True)
    if "READY=1" in m: break`,
    notify,
  ]);
  let got = '';
  await new Promise<void>((resolve) => listener.stdout.on('data', (d: Buffer) => ((got += d.toString()), got.includes('listening') && resolve())));
  const done = new Promise<void>((resolve) => listener.on('close', () => resolve()));
  const daemon = await startDaemon([], { cwd: dir, env: cleanEnv({ NOTIFY_SOCKET: notify }) });
  await done;
  assert.match(got, /READY=1/);
  assert.match(got, new RegExp(`MAINPID=${daemon.proc.pid}`));
  const end = await daemon.stop();
  assert.equal(end.code, 0);
});
