/**
 * LocalProcessSpawner.popen_kwargs with real server processes (the stand-in single-user server, run by the simple
 * spawner): shell=True runs the command through /bin/sh -c as Python's Popen does, umask and cwd reach the server,
 * and stopping it leaves no process behind (the shell's child included).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildStandin } from '../../bench/standin/standin.js';
import { createUsers } from '../../src/daemon/db/users-repo.js';
import type { LocalServerManager } from '../../src/daemon/spawner/local-server-manager.js';
import { applyPopen, parsePopenKwargs } from '../../src/daemon/spawner/popen-kwargs.js';
import { isHubError } from '../../src/lib/errors.js';
import { createLogger } from '../../src/lib/log.js';
import { tempDir } from '../helpers/cli.js';
import { startTestHub } from '../helpers/hub.js';

test('popen_kwargs: shell and umask reach a real server process (cwd yields to the home, as in JupyterHub); it becomes ready and stops', async () => {
  const dir = await tempDir();
  const work = path.join(dir, 'work');
  await mkdir(work);
  const seen = path.join(dir, 'seen.txt');
  const standin = await buildStandin();
  const script = path.join(dir, 'server.sh');
  await writeFile(script, `#!/bin/sh\n{ umask; pwd; echo "args:$*"; } > ${seen}\nexec ${standin}\n`);
  await chmod(script, 0o755);
  const t = await startTestHub({ withProxy: true, overrides: ['JupyterHub.spawner_class=simple', `Spawner.cmd=["${script}","--ignored"]`,
    `SimpleLocalProcessSpawner.home_dir_template=${path.join(dir, 'home', '{username}')}`,
    `LocalProcessSpawner.popen_kwargs={"shell":true,"umask":23,"cwd":"${work}","close_fds":false}`,
    // The shell outlives SIGINT while its child runs: get to SIGTERM quickly.
    'LocalProcessSpawner.interrupt_timeout=1', 'LocalProcessSpawner.term_timeout=1'] });
  try {
    assert.ok(t.logs.some((l) => l.includes("popen_kwargs.close_fds has no effect in hub (it is an argument of Python's Popen)")), t.logs.join('\n'));
    const [user] = await createUsers(t.hub.db!, ['ada']);
    const manager = t.hub.servers as LocalServerManager;
    assert.equal(await manager.start(user!, '', {}), 'ready');
    const [umask, cwd, args] = (await readFile(seen, 'utf8')).trim().split('\n');
    assert.equal(umask, '0027');
    assert.equal(cwd, path.join(dir, 'home', 'ada'), 'the home directory wins over popen_kwargs.cwd, as in JupyterHub');
    assert.ok(t.logs.some((l) => l.includes('popen_kwargs.cwd: the server starts in the user\'s home directory')));
    assert.equal(args, 'args:', 'as Python: with shell=True the items after the first go to the shell ($0...), not the command');
    // With shell=True the signalled pid is the shell; the stand-in it forked is in the server's process group.
    const row = await t.hub.db!('spawners').where({ user_id: user!.id, name: '' }).first() as { state: string | null };
    const pid = (JSON.parse(row.state ?? '{}') as { pid?: number }).pid ?? assert.fail('no pid in the state');
    await manager.stop(user!, '');
    const groupGone = async (): Promise<boolean> => {
      for (let i = 0; i < 100; i++) {
        try {
          process.kill(-pid, 0);
        } catch {
          return true;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      return false;
    };
    assert.ok(await groupGone(), 'nothing is left in the server\'s process group');
  } finally {
    await t.stop();
  }
});

test('popen_kwargs are checked: bad values are config errors, Python-only ones are warned about', () => {
  const warnings: string[] = [];
  const log = createLogger({ level: 10, format: '%(message)s', datefmt: '', write: (l) => warnings.push(l) });
  assert.deepEqual(applyPopen(['jupyterhub-singleuser', '--debug'], parsePopenKwargs({}, log)), ['jupyterhub-singleuser', '--debug']);
  assert.deepEqual(applyPopen(['a', 'b'], parsePopenKwargs({ shell: true }, log)), ['/bin/sh', '-c', 'a', 'b']);
  assert.deepEqual(applyPopen(['a', 'b'], parsePopenKwargs({ shell: '/bin/bash', executable: '/bin/dash' }, log)), ['/bin/dash', '-c', 'a', 'b']);
  assert.deepEqual(applyPopen(['a', 'b'], parsePopenKwargs({ executable: '/usr/bin/env' }, log)), ['/usr/bin/env', 'b']);
  parsePopenKwargs({ env: { X: '1' }, preexec_fn: 'f' }, log);
  assert.ok(warnings.some((w) => /popen_kwargs.env is ignored/.test(w)));
  assert.ok(warnings.some((w) => /popen_kwargs.preexec_fn has no effect/.test(w)));
  assert.throws(() => parsePopenKwargs({ umask: 'x', shell: 'bash', cwd: 3 }, log), (e: unknown) => {
    assert.ok(isHubError(e) && e.code === 'CONFIG_INVALID');
    assert.match(e.message, /umask must be an integer/);
    assert.match(e.message, /shell must be true, false or a shell's absolute path/);
    assert.match(e.message, /cwd must be a directory path/);
    return true;
  });
});
