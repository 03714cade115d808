/**
 * LocalProcessSpawner.move_certs: a spawn's certificate moves to ~/.jupyterhub/jupyterhub-certs, owned by a
 * real unix user (we run as root, as the hub does), 0700, and only the user's own rights are ever used there.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { InternalSsl } from '../../src/daemon/ssl/internal-ssl.js';
import { installUserCerts } from '../../src/daemon/ssl/user-certs.js';
import { HubError } from '../../src/lib/errors.js';
import { tempDir } from '../helpers/cli.js';
import { createUnixUser, randomName, type UnixUser } from '../helpers/unix-user.js';

const asRoot = process.getuid?.() === 0;

function gidOf(name: string): number {
  return Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
}

describe('installUserCerts', { skip: !asRoot && 'needs root to create a unix user' }, () => {
  let cwd = '';
  let ssl: InternalSsl;
  let user: UnixUser;

  before(async () => {
    cwd = await tempDir('hub-ssl-');
    ssl = await InternalSsl.init({ location: 'internal-ssl', cwd, hostname: 'hub.test' });
    user = await createUnixUser({ name: randomName('hubssl') });
  });
  after(async () => {
    await user.remove();
    rmSync(cwd, { recursive: true, force: true });
  });

  test("moves key and certificate into the user's home, owned by the user, directory 0700, key 0600", async () => {
    const issued = await ssl.issueServerCert({ name: user.name });
    const keyPem = readFileSync(issued.keyfile, 'utf8');
    const placed = await installUserCerts(issued, { uid: user.uid, gid: gidOf(user.name), home: user.home, name: user.name });
    const dir = path.join(user.home, '.jupyterhub', 'jupyterhub-certs');
    assert.deepEqual(placed, {
      keyfile: path.join(dir, `user-${user.name}.key`),
      certfile: path.join(dir, `user-${user.name}.crt`),
      cafile: path.join(dir, 'notebooks-ca_trust.crt'),
    });
    for (const p of [path.dirname(dir), dir, placed.keyfile, placed.certfile, placed.cafile]) assert.equal(statSync(p).uid, user.uid, p);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(placed.keyfile).mode & 0o777, 0o600);
    assert.equal(readFileSync(placed.keyfile, 'utf8'), keyPem);
    // Moved, not copied: the key lives in one place; the trust bundle stays for the next spawn.
    assert.ok(!existsSync(issued.keyfile) && !existsSync(issued.certfile));
    assert.ok(existsSync(issued.cafile));
    // The user's server can read them as the user.
    execFileSync('runuser', ['-u', user.name, '--', 'cat', placed.keyfile], { stdio: 'ignore' });
  });

  test('a second spawn replaces the directory with exactly the new files', async () => {
    const issued = await ssl.issueServerCert({ name: user.name, altNames: ['DNS:second.example.org'] });
    const certPem = readFileSync(issued.certfile, 'utf8');
    const placed = await installUserCerts(issued, { uid: user.uid, gid: gidOf(user.name), home: user.home });
    assert.equal(readFileSync(placed.certfile, 'utf8'), certPem);
    assert.equal(readdirSync(path.dirname(placed.certfile)).length, 3);
  });

  test("a ~/.jupyterhub symlinked to a root-only directory gets nothing: the files are written with the user's rights", async () => {
    const trap = await tempDir('hub-ssl-trap-');
    const victim = path.join(trap, 'rootonly');
    mkdirSync(victim, { mode: 0o700 });
    const hubDir = path.join(user.home, '.jupyterhub');
    rmSync(hubDir, { recursive: true, force: true });
    symlinkSync(victim, hubDir);
    try {
      const issued = await ssl.issueServerCert({ name: user.name });
      await assert.rejects(installUserCerts(issued, { uid: user.uid, gid: gidOf(user.name), home: user.home, name: user.name }), (err: unknown) => {
        assert.ok(err instanceof HubError && err.code === 'IO_ERROR');
        assert.match(err.message, /as hubssl/);
        return true;
      });
      assert.deepEqual(readdirSync(victim), []);
      // Nothing was moved, so the hub still has the pair for a retry.
      assert.ok(existsSync(issued.keyfile));
    } finally {
      rmSync(hubDir, { force: true });
      rmSync(trap, { recursive: true, force: true });
    }
  });
});

describe('installUserCerts as the same user', () => {
  test('writes in-process when the hub already runs as the owner', async () => {
    const cwd = await tempDir('hub-ssl-');
    try {
      const ssl = await InternalSsl.init({ location: 'internal-ssl', cwd, hostname: 'hub.test' });
      const home = path.join(cwd, 'home');
      mkdirSync(home);
      const uid = process.getuid?.() ?? 0;
      const gid = process.getgid?.() ?? 0;
      const placed = await installUserCerts(await ssl.issueServerCert({ name: 'me' }), { uid, gid, home });
      assert.equal(statSync(path.dirname(placed.keyfile)).mode & 0o777, 0o700);
      assert.equal(statSync(placed.keyfile).mode & 0o777, 0o600);
      assert.equal(statSync(placed.certfile).mode & 0o777, 0o644);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
