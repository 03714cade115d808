import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { launcher } from '../../src/daemon/spawner/launcher.js';

/** The launcher processes start real programs; these are /bin/sh one-liners. */
describe('launcher', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'launcher-'));
  // Waiting for a server's exit does not hold the event loop open (a hub must be able to end); here it must.
  let keepAlive: NodeJS.Timeout | undefined;
  before(() => {
    keepAlive = setInterval(() => undefined, 1000);
  });
  after(() => clearInterval(keepAlive));

  it('starts a process in its own session, with the given env, cwd and log file, and reports its exit code', async () => {
    const logFile = path.join(dir, 'a.log');
    let exited: { code: number; pid: number } | undefined;
    const gone = new Promise<void>((resolve) => {
      void launcher.launch(
        { file: '/bin/sh', args: ['-c', 'echo "$GREETING from $(pwd)"; exit 3'], cwd: dir, env: { GREETING: 'hello', PATH: '/usr/bin:/bin' }, logFile },
        (code, pid) => {
          exited = { code, pid };
          resolve();
        },
      ).then((pid) => assert.ok(pid > 0));
    });
    await gone;
    assert.equal(exited?.code, 3);
    assert.equal(readFileSync(logFile, 'utf8'), `hello from ${dir}\n`);
    assert.equal(statSync(logFile).mode & 0o777, 0o600);
  });

  it('creates the directory it is asked to make first (a simple spawner home)', async () => {
    const home = path.join(dir, 'homes', 'alice');
    const done = new Promise<number>((resolve) => {
      void launcher.launch({ file: '/bin/true', args: [], cwd: home, env: {}, logFile: path.join(dir, 'b.log'), mkdir: home }, (code) => resolve(code));
    });
    assert.equal(await done, 0);
    assert.equal(statSync(home).mode & 0o777, 0o700);
  });

  it('rejects a program that does not exist, saying why', async () => {
    await assert.rejects(
      launcher.launch({ file: path.join(dir, 'no-such-program'), args: [], cwd: dir, env: {}, logFile: path.join(dir, 'c.log') }, () => undefined),
      /ENOENT/,
    );
  });
});
